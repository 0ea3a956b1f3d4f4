-- Grade bands (等级区间): each grade of the grade_bands seed as a half-open range of the share of
-- the maximum points, [min_share_of_max, next_min_share_of_max), with the grade above it; the veto
-- grade (no threshold) has is_veto_grade. The one place a total becomes a grade: a non-vetoed total
-- T of a scheme with max M has the band where T >= min_share_of_max × M and (next_min_share_of_max
-- is null or T < next_min_share_of_max × M); a vetoed enterprise has the veto grade.
with grade_bands as (

    select
        grade,
        label_zh,
        min_share_of_max
    from {{ ref('grade_bands') }}

),

scored_bands as (

    select
        grade,
        label_zh,
        min_share_of_max,
        lead(grade) over (order by min_share_of_max) as next_grade,
        lead(min_share_of_max) over (order by min_share_of_max) as next_min_share_of_max,
        false as is_veto_grade
    from grade_bands
    where min_share_of_max is not null

),

veto_band as (

    select
        grade,
        label_zh,
        min_share_of_max,
        null::text as next_grade,
        null::numeric as next_min_share_of_max,
        true as is_veto_grade
    from grade_bands
    where min_share_of_max is null
    order by grade
    limit 1

),

final as (

    select * from scored_bands
    union all
    select * from veto_band

)

select * from final
