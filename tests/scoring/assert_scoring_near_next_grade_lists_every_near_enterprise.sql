-- The near-next-grade list (距下一等级较近的企业) is exactly the non-vetoed enterprises of
-- fct_enterprise_scores within var('near_next_grade_points') of their next grade, with the same
-- total and gap, and its top-3 points lost never exceed the enterprise's points lost in all.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
    where not is_vetoed and points_to_next_grade <= {{ var('near_next_grade_points') }}
),

near as (
    select * from {{ ref('fct_enterprises_near_next_grade') }}
)

select coalesce(scores.scheme_code, near.scheme_code) as scheme_code,
       coalesce(scores.eval_year, near.eval_year) as eval_year,
       coalesce(scores.uscc, near.uscc) as uscc,
       scores.points_to_next_grade as expected_gap, near.points_to_next_grade
from scores
full outer join near
    on near.scheme_code = scores.scheme_code
    and near.eval_year = scores.eval_year
    and near.uscc = scores.uscc
where scores.uscc is null
   or near.uscc is null
   or near.total_points <> scores.total_points
   or near.points_to_next_grade <> scores.points_to_next_grade
   or near.points_lost_top3 > scores.max_points - scores.total_points
