{{ config(materialized='view') }}
-- Ratios (得分比例) per (scheme, Y, enterprise, indicator).
-- percentile (百分位): within the enterprise's cohort (int_scoring__cohorts: its stage, or all
--   stages of its cohort region when the stage cohort is below min_cohort_size),
--   ratio = 0 when the value is null or <= 0, else (members whose value <= v, null as 0) / size,
--   kept as the exact fraction ratio_numerator / ratio_denominator.
-- bands (分档): the largest ratio among the indicator's bands with min_value <= v; 0 when none.
-- The percentile window runs over narrow rows (integer partition and indicator keys, the value,
-- the row's evaluated_id); the enterprise's attributes are joined back afterwards.

-- referenced twice (percentile, bands) but never materialized: each reference reads only its
-- method's rows, and a materialized copy of the long form would be far larger than recomputing
with indicator_values as not materialized (

    select * from {{ ref('int_scoring__indicator_values') }}

),

evaluated as (

    select * from {{ ref('int_scoring__evaluated') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

cohorts as (

    select * from {{ ref('int_scoring__cohorts') }}

),

bands as (

    select * from {{ ref('bands') }}

),

-- each band as a half-open value range [min_value, next_min_value) carrying the largest ratio
-- of all bands the range reaches
band_ranges as (

    select
        indicator_code,
        min_value,
        lead(min_value) over (partition by indicator_code order by min_value) as next_min_value,
        max(ratio) over (partition by indicator_code order by min_value) as ratio
    from bands

),

percentile_values as (

    select
        indicator_values.evaluated_id,
        indicator_values.indicator_key,
        indicator_values.indicator_code,
        indicator_values.indicator_value,
        cohorts.stage_partition_id,
        cohorts.all_stages_partition_id,
        cohorts.cohort_partition_id,
        cohorts.region_has_fallback,
        cohorts.uses_all_stages,
        cohorts.cohort_size
    from indicator_values
    inner join cohorts
        on cohorts.scheme_code = indicator_values.scheme_code
        and cohorts.eval_year = indicator_values.eval_year
        and cohorts.cohort_region_code = indicator_values.cohort_region_code
        and cohorts.stage = indicator_values.stage
    where indicator_values.method = 'percentile'

),

-- every value is a member of its stage cohort, and also of the all-stages cohort of its region
-- when some stage there falls back to it
memberships as (

    select
        evaluated_id,
        indicator_key,
        indicator_code,
        indicator_value,
        uses_all_stages,
        cohort_size,
        stage_partition_id as partition_id,
        cohort_partition_id
    from percentile_values

    union all

    select
        evaluated_id,
        indicator_key,
        indicator_code,
        indicator_value,
        uses_all_stages,
        cohort_size,
        all_stages_partition_id as partition_id,
        cohort_partition_id
    from percentile_values
    where region_has_fallback

),

counted as (

    select
        evaluated_id,
        indicator_code,
        indicator_value,
        uses_all_stages,
        cohort_size,
        partition_id,
        cohort_partition_id,
        count(*) over (
            partition by partition_id, indicator_key
            order by coalesce(indicator_value, 0)
            range between unbounded preceding and current row
        ) as members_at_or_below
    from memberships

),

-- keep the membership that is the enterprise's own cohort
own_counts as (

    select
        evaluated_id,
        indicator_code,
        indicator_value,
        uses_all_stages,
        cohort_size,
        cast(case when indicator_value > 0 then members_at_or_below else 0 end as bigint) as ratio_numerator
    from counted
    where partition_id = cohort_partition_id

),

percentile_ratios as (

    select
        evaluated.scheme_code,
        evaluated.eval_year,
        evaluated.uscc,
        evaluated.city_code,
        evaluated.cohort_region_code,
        evaluated.stage,
        own_counts.indicator_code,
        indicators.category_code,
        indicators.method,
        indicators.value_source,
        own_counts.indicator_value,
        case when own_counts.uses_all_stages then 'all_stages' else 'stage' end as cohort_basis,
        own_counts.cohort_size,
        own_counts.ratio_numerator,
        own_counts.cohort_size as ratio_denominator
    from own_counts
    inner join evaluated
        on evaluated.evaluated_id = own_counts.evaluated_id
    inner join indicators
        on indicators.indicator_code = own_counts.indicator_code

),

band_ratios as (

    select
        indicator_values.scheme_code,
        indicator_values.eval_year,
        indicator_values.uscc,
        indicator_values.city_code,
        indicator_values.cohort_region_code,
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
        cohort_region_code,
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
        cohort_region_code,
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
