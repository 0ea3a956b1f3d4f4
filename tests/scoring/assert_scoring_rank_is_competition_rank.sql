-- rank_in_region is the standard competition rank ("1224"): 1 + the number of enterprises of the
-- same (scheme, year, cohort region) ranked strictly ahead (non-vetoed before vetoed, then higher
-- total), and evaluated_in_region counts them all. Counted per distinct (vetoed, total) group, so
-- it does not reuse rank(). The scores are read twice, each time only the columns needed (a CTE read
-- twice is materialized: every column of every score would be copied first).
with scores as not materialized (
    select scheme_code, eval_year, cohort_region_code, is_vetoed, total_points, uscc,
           rank_in_region, evaluated_in_region
    from {{ ref('fct_enterprise_scores') }}
),

groups as (
    select scheme_code, eval_year, cohort_region_code, is_vetoed, total_points, count(*) as members
    from scores
    group by scheme_code, eval_year, cohort_region_code, is_vetoed, total_points
),

ahead as (
    select
        groups.*,
        coalesce(sum(members) over (
            partition by scheme_code, eval_year, cohort_region_code
            order by is_vetoed, total_points desc
            rows between unbounded preceding and 1 preceding
        ), 0) as members_ahead,
        sum(members) over (partition by scheme_code, eval_year, cohort_region_code) as region_total
    from groups
)

select scores.scheme_code, scores.eval_year, scores.uscc, scores.rank_in_region,
       ahead.members_ahead + 1 as expected_rank, scores.evaluated_in_region, ahead.region_total
from scores
inner join ahead
    on ahead.scheme_code = scores.scheme_code
    and ahead.eval_year = scores.eval_year
    and ahead.cohort_region_code = scores.cohort_region_code
    and ahead.is_vetoed = scores.is_vetoed
    and ahead.total_points = scores.total_points
where scores.rank_in_region <> ahead.members_ahead + 1
   or scores.evaluated_in_region <> ahead.region_total
