{{ config(materialized='view') }}
-- Ratios (得分比例) per (scheme, Y, enterprise, indicator).
-- percentile (百分位): within the enterprise's cohort (int_scoring__cohorts: its stage, or all
--   stages of its cohort region when the stage cohort is below min_cohort_size),
--   ratio = 0 when the value is null or <= 0, else (members whose value <= v, null as 0) / size,
--   kept as the exact fraction ratio_numerator / ratio_denominator; read from
--   int_scoring__percentile_ratios, which computes it once per cohort definition.
-- bands (分档): the largest ratio among the indicator's bands with min_value <= v; 0 when none.

-- the long form, read here for the bands indicators only
with indicator_values as (

    select * from {{ ref('int_scoring__indicator_values') }}

),

scheme_years as (

    select * from {{ ref('int_scoring__scheme_years') }}

),

scheme_indicators as (

    select * from {{ ref('int_scoring__scheme_indicators') }}

),

-- percentile ratios, computed once per cohort definition (see int_scoring__percentile_ratios)
group_ratios as (

    select * from {{ ref('int_scoring__percentile_ratios') }}

),

-- the bands as value ranges with their ratios
band_ranges as (

    select * from {{ ref('int_scoring__band_ranges') }}

),

-- each group ratio for every scheme of the group that year that weights the indicator
percentile_ratios as (

    select
        scheme_years.scheme_code,
        group_ratios.eval_year,
        group_ratios.uscc,
        group_ratios.city_code,
        group_ratios.stage,
        scheme_indicators.indicator_code,
        scheme_indicators.category_code,
        scheme_indicators.method,
        scheme_indicators.value_source,
        group_ratios.indicator_value,
        group_ratios.cohort_basis,
        group_ratios.cohort_size,
        group_ratios.ratio_numerator,
        group_ratios.cohort_size as ratio_denominator
    from group_ratios
    inner join scheme_years
        on scheme_years.cohort_group_id = group_ratios.cohort_group_id
        and scheme_years.eval_year = group_ratios.eval_year
    inner join scheme_indicators
        on scheme_indicators.scheme_code = scheme_years.scheme_code
        and scheme_indicators.indicator_code = group_ratios.indicator_code
        and scheme_indicators.method = 'percentile'

),

band_ratios as (

    select
        indicator_values.scheme_code,
        indicator_values.eval_year,
        indicator_values.uscc,
        indicator_values.city_code,
        indicator_values.stage,
        indicator_values.indicator_code,
        indicator_values.category_code,
        indicator_values.method,
        indicator_values.value_source,
        indicator_values.indicator_value,
        band_ranges.ratio as band_ratio,
        band_ranges.min_value as band_min_value
    from indicator_values
    left join band_ranges
        on band_ranges.indicator_code = indicator_values.indicator_code
        and indicator_values.indicator_value >= band_ranges.min_value
        and (band_ranges.next_min_value is null or indicator_values.indicator_value < band_ranges.next_min_value)
    where indicator_values.method = 'bands'

),

final as (

    select
        scheme_code,
        eval_year,
        uscc,
        city_code,
        stage,
        indicator_code,
        category_code,
        method,
        value_source,
        indicator_value,
        cohort_basis,
        cohort_size,
        ratio_numerator,
        ratio_denominator,
        cast(null as numeric) as band_ratio,
        cast(null as numeric) as band_min_value,
        {{ exact_ratio('ratio_numerator', 'ratio_denominator', 6) }} as ratio
    from percentile_ratios

    union all

    select
        scheme_code,
        eval_year,
        uscc,
        city_code,
        stage,
        indicator_code,
        category_code,
        method,
        value_source,
        indicator_value,
        cast(null as text) as cohort_basis,
        cast(null as bigint) as cohort_size,
        cast(null as bigint) as ratio_numerator,
        cast(null as bigint) as ratio_denominator,
        coalesce(band_ratio, 0) as band_ratio,
        band_min_value,
        round(coalesce(band_ratio, 0), 6) as ratio
    from band_ratios

)

select * from final
