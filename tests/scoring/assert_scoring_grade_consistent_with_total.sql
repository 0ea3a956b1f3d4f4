-- The grade of every score is the band int_scoring__grade_bands gives for its total / max_points
-- (the veto grade exactly when vetoed), and points_to_next_grade reaches the next band's threshold
-- and not a cent earlier. Checked once per distinct (vetoed, total, max, grade, points to next
-- grade): many enterprises share them.
with scores as (

    select distinct is_vetoed, total_points, max_points, grade, points_to_next_grade
    from {{ ref('fct_enterprise_scores') }}

),

grade_bands as (

    select * from {{ ref('int_scoring__grade_bands') }}

),

expected as (

    select
        scores.is_vetoed,
        scores.grade,
        scores.total_points,
        scores.max_points,
        scores.points_to_next_grade,
        grade_bands.grade as expected_grade,
        grade_bands.next_min_share_of_max as next_threshold
    from scores
    left join grade_bands
        on {{ in_grade_band('grade_bands', 'scores.total_points', 'scores.max_points', 'scores.is_vetoed') }}

)

select *
from expected
where grade is distinct from expected_grade
   or (next_threshold is null and points_to_next_grade is not null)
   or (next_threshold is not null and (
        points_to_next_grade is null
        or (total_points + points_to_next_grade) / max_points < next_threshold
        or (total_points + points_to_next_grade - 0.01) / max_points >= next_threshold))
