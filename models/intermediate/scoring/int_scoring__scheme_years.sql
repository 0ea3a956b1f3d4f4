{{ config(unlogged=true) }}
-- Scheme × evaluation year (方案-评价年度): every year from the scheme's first_year to its
-- last_year (open when empty) for which torch statistics (火炬统计) exist.

with schemes as (

    select * from {{ ref('schemes') }}

),

torch as (

    select * from {{ ref('int_feeds__torch') }}

),

torch_years as (

    select distinct year as eval_year
    from torch

),

scheme_years as (

    select
        schemes.scheme_code,
        torch_years.eval_year,
        schemes.max_points,
        schemes.cohort_level,
        schemes.region_code as scheme_region_code,
        schemes.min_cohort_size,
        make_date(torch_years.eval_year, 12, 31) as year_end_date,
        -- schemes with the same cohort definition (region, cohort level, minimum cohort size) have
        -- the same evaluated population, stages, vetoes and so the same percentile cohorts (cohort
        -- membership does not depend on weights): their percentile ratios are computed once
        cast(dense_rank() over (
            order by schemes.region_code, schemes.cohort_level, schemes.min_cohort_size
        ) as integer) as cohort_group_id
    from schemes
    inner join torch_years
        on torch_years.eval_year >= schemes.first_year
        and (schemes.last_year is null or torch_years.eval_year <= schemes.last_year)

)

select * from scheme_years
