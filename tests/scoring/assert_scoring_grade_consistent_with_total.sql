-- The grade is the one grade_bands gives for total / max_points (the highest threshold reached),
-- V exactly when vetoed; points_to_next_grade reaches the next threshold and not a cent earlier.
-- Checked once per distinct (vetoed, total, max, grade, points to next grade): many enterprises
-- share them, and the look-ups into grade_bands run per row checked.
with scores as (
    select distinct is_vetoed, total_points, max_points, grade, points_to_next_grade
    from {{ ref('fct_enterprise_scores') }}
),

grade_bands as (
    select * from {{ ref('grade_bands') }}
),

expected as (
    select
        scores.is_vetoed,
        scores.grade,
        scores.total_points,
        scores.max_points,
        scores.points_to_next_grade,
        case when scores.is_vetoed then 'V' else (
            select g.grade from grade_bands as g
            where g.min_share_of_max is not null
              and scores.total_points / scores.max_points >= g.min_share_of_max
            order by g.min_share_of_max desc
            limit 1
        ) end as expected_grade,
        case when not scores.is_vetoed then (
            select min(g.min_share_of_max) from grade_bands as g
            where g.min_share_of_max is not null
              and g.min_share_of_max > scores.total_points / scores.max_points
        ) end as next_threshold
    from scores
)

select *
from expected
where grade is distinct from expected_grade
   or (next_threshold is null and points_to_next_grade is not null)
   or (next_threshold is not null and (
        points_to_next_grade is null
        or (total_points + points_to_next_grade) / max_points < next_threshold
        or (total_points + points_to_next_grade - 0.01) / max_points >= next_threshold))
