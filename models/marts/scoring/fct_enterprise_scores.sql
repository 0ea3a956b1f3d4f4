{#- Indexes: the key; uscc (an enterprise's scores, the profile); (scheme, latest year, uscc) for the
    profile's uscc filter, which lists the latest year's enterprises of a scheme (a city's or a
    consenting bank's) in uscc order: read in index order, not from every year's rows. -#}
{{ config(
    indexes=[
        {'columns': ['scheme_code', 'eval_year', 'uscc'], 'unique': true},
        {'columns': ['uscc']},
        {'columns': ['scheme_code', 'is_latest_eval_year', 'uscc']},
    ],
) }}
-- Enterprise scores (企业创新积分): one row per (scheme, evaluation year, evaluated enterprise)
-- with total, grade, rank and what is needed for the next grade.

with totals as (

    select * from {{ ref('int_scoring__enterprise_totals') }}

),

registry as (

    select * from {{ ref('stg_registry__enterprises') }}

),

regions as (

    select * from {{ ref('regions') }}

),

industry_sections as (

    select * from {{ ref('industry_sections') }}

),

stage_rules as (

    select * from {{ ref('stage_rules') }}

),

schemes as (

    select * from {{ ref('schemes') }}

),

-- the latest evaluation year in the warehouse: the year the dashboards open on
latest as (

    select max(eval_year) as eval_year
    from totals

),

final as (

    select
        totals.scheme_code,
        schemes.scheme_name_zh,
        totals.eval_year,
        totals.eval_year = latest.eval_year as is_latest_eval_year,
        totals.uscc,
        registry.name as enterprise_name,
        totals.city_code,
        cities.region_name_zh as city_name_zh,
        registry.industry_code,
        upper(left(registry.industry_code, 1)) as industry_section,
        industry_sections.section_name_zh as industry_section_name_zh,
        totals.stage,
        stage_rules.stage_name_zh,
        totals.age_years,
        totals.revenue_for_stage,
        totals.is_vetoed,
        totals.veto_codes,
        totals.veto_reasons_zh,
        totals.veto_count,
        totals.total_points,
        totals.max_points,
        totals.share_of_max,
        totals.indicators_scored,
        totals.grade,
        totals.grade_label_zh,
        totals.next_grade,
        totals.points_to_next_grade,
        totals.cohort_region_code,
        cohort_regions.region_name_zh as cohort_region_name_zh,
        totals.rank_in_region,
        totals.evaluated_in_region,
        totals.top_share
    from totals
    cross join latest
    inner join schemes
        on schemes.scheme_code = totals.scheme_code
    inner join registry
        on registry.uscc = totals.uscc
    left join regions as cities
        on cities.region_code = totals.city_code
    left join regions as cohort_regions
        on cohort_regions.region_code = totals.cohort_region_code
    left join industry_sections
        on industry_sections.section_code = upper(left(registry.industry_code, 1))
    left join stage_rules
        on stage_rules.stage = totals.stage

)

select * from final
