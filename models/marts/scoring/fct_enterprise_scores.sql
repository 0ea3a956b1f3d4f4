{#- Indexes: the key; uscc (an enterprise's scores, the profile); (scheme, latest year, uscc) for the
    profile's uscc filter, which lists the latest year's enterprises of a scheme (a city's or a
    consenting bank's) in uscc order: read in index order, not from every year's rows; (scheme, year,
    total) for 企业查询, the year's enterprises by total, highest first: the first 5,000 read backwards
    in index order, not all of the year's rows sorted (1.9 s -> 12 ms nationally); the lists' name
    filter's values in name order, the province's by (scheme, latest year, name), a city officer's by
    (scheme, latest year, city, name|uscc): with the city in the key its rows are read in order, not
    found among every city's (1.7-2.9 s nationally under the city's row-level security).
    Post-hook log_mart_writes: every later write to this published mart is logged in audit.mart_writes
    (the gate's change guard, innopoints.quality.state.mart_stamp). -#}
{{ config(
    indexes=[
        {'columns': ['scheme_code', 'eval_year', 'uscc'], 'unique': true},
        {'columns': ['uscc']},
        {'columns': ['scheme_code', 'is_latest_eval_year', 'uscc']},
        {'columns': ['scheme_code', 'eval_year', 'total_points']},
        {'columns': ['scheme_code', 'is_latest_eval_year', 'enterprise_name']},
        {'columns': ['scheme_code', 'is_latest_eval_year', 'city_code', 'enterprise_name']},
        {'columns': ['scheme_code', 'is_latest_eval_year', 'city_code', 'uscc']},
    ],
    post_hook=["{{ log_mart_writes() }}"],
) }}
-- Enterprise scores (企业创新积分): one row per (scheme, evaluation year, evaluated enterprise)
-- with total, grade, rank and what is needed for the next grade; its grade as every dashboard shows
-- it (dim_grade), and its rank and ranked list within its stage (int_scoring__stage_ranks).

with totals as (

    select * from {{ ref('int_scoring__enterprise_totals') }}

),

registry as (

    select * from {{ ref('int_feeds__registry') }}

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

grades as (

    select * from {{ ref('dim_grade') }}

),

-- rank and band among the non-vetoed enterprises of the same region and stage (no row when vetoed)
stage_ranks as (

    select * from {{ ref('int_scoring__stage_ranks') }}

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
        totals.top_share,
        grades.grade_display_zh,
        next_grades.grade_display_zh as next_grade_display_zh,
        stage_ranks.rank_in_stage,
        stage_ranks.ranked_in_stage,
        stage_ranks.top_share_in_stage,
        stage_ranks.band_code,
        stage_ranks.band_name_zh,
        stage_ranks.band_order
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
    left join grades
        on grades.grade = totals.grade
    left join grades as next_grades
        on next_grades.grade = totals.next_grade
    left join stage_ranks
        on stage_ranks.scheme_code = totals.scheme_code
        and stage_ranks.eval_year = totals.eval_year
        and stage_ranks.uscc = totals.uscc

)

select * from final
