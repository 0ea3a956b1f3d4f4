-- Evaluated enterprises (参评企业) per scheme and evaluation year, with their stage (发展阶段),
-- cohort region (比较地区: the province or the enterprise's city, as the scheme's cohort_level
-- says) and vetoes (一票否决: every code that applies).
{{ config(unlogged=true) }}

with coverage as (

    select * from {{ ref('int_scoring__coverage') }}
    where is_evaluated

),

scheme_years as (

    select * from {{ ref('int_scoring__scheme_years') }}

),

stages as (

    select * from {{ ref('int_scoring__stages') }}

),

vetoes as (

    select * from {{ ref('int_scoring__vetoes') }}

),

veto_summary as (

    select
        uscc,
        eval_year,
        string_agg(veto_code, ',' order by veto_code) as veto_codes,
        string_agg(description_zh, '；' order by veto_code) as veto_reasons_zh,
        count(*) as veto_count
    from vetoes
    group by uscc, eval_year

),

final as (

    select
        -- a compact integer key for the heavy long-form steps (stable within one build)
        cast(row_number() over (
            order by coverage.scheme_code, coverage.eval_year, coverage.uscc
        ) as integer) as evaluated_id,
        coverage.scheme_code,
        coverage.eval_year,
        coverage.uscc,
        coverage.city_code,
        case scheme_years.cohort_level
            when 'city' then coverage.city_code
            else scheme_years.scheme_region_code
        end as cohort_region_code,
        stages.stage,
        stages.age_years,
        stages.revenue_for_stage,
        veto_summary.uscc is not null as is_vetoed,
        veto_summary.veto_codes,
        veto_summary.veto_reasons_zh,
        coalesce(veto_summary.veto_count, 0) as veto_count,
        scheme_years.max_points,
        scheme_years.min_cohort_size
    from coverage
    inner join scheme_years
        on scheme_years.scheme_code = coverage.scheme_code
        and scheme_years.eval_year = coverage.eval_year
    inner join stages
        on stages.uscc = coverage.uscc
        and stages.eval_year = coverage.eval_year
    left join veto_summary
        on veto_summary.uscc = coverage.uscc
        and veto_summary.eval_year = coverage.eval_year

)

select * from final
