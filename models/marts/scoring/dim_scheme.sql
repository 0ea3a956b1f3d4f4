-- Scheme dimension (积分方案维度): every scheme with its region, cohort rules and indicator counts.

with schemes as (

    select * from {{ ref('schemes') }}

),

scheme_weights as (

    select * from {{ ref('scheme_weights') }}

),

regions as (

    select * from {{ ref('regions') }}

),

weight_summary as (

    select
        scheme_code,
        count(distinct indicator_code) as indicator_count,
        count(distinct stage) as stage_count,
        min(stage_weight_total) as min_stage_weight_total,
        max(stage_weight_total) as max_stage_weight_total
    from (
        select
            scheme_code,
            stage,
            indicator_code,
            sum(weight) over (partition by scheme_code, stage) as stage_weight_total
        from scheme_weights
    ) as weights
    group by scheme_code

),

final as (

    select
        schemes.scheme_code,
        schemes.scheme_name_zh,
        schemes.parent_scheme,
        schemes.max_points,
        schemes.cohort_level,
        schemes.region_code,
        regions.region_name_zh,
        schemes.min_cohort_size,
        schemes.first_year,
        schemes.last_year,
        coalesce(weight_summary.indicator_count, 0) as indicator_count,
        coalesce(weight_summary.stage_count, 0) as stage_count,
        weight_summary.min_stage_weight_total,
        weight_summary.max_stage_weight_total
    from schemes
    left join regions
        on regions.region_code = schemes.region_code
    left join weight_summary
        on weight_summary.scheme_code = schemes.scheme_code

)

select * from final
