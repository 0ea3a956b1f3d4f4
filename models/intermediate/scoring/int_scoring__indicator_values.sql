{{ config(materialized='view') }}
-- Indicator values in long form (指标取值, 长表): one row per (scheme, Y, enterprise, indicator)
-- for every non-vetoed evaluated enterprise and every indicator the scheme weights in any stage
-- (a fallback cohort mixes stages, so every member needs every value). The value is read from
-- int_scoring__source_values by the indicator's value_source: a new scheme or indicator that
-- reuses a derivation is seed rows only.

with evaluated as (

    select * from {{ ref('int_scoring__evaluated') }}
    where not is_vetoed

),

source_values as (

    select * from {{ ref('int_scoring__source_values') }}

),

scheme_indicators as (

    select * from {{ ref('int_scoring__scheme_indicators') }}

),

final as (

    select
        evaluated.evaluated_id,
        evaluated.scheme_code,
        evaluated.eval_year,
        evaluated.uscc,
        evaluated.city_code,
        evaluated.cohort_region_code,
        evaluated.stage,
        scheme_indicators.indicator_code,
        scheme_indicators.indicator_key,
        scheme_indicators.category_code,
        scheme_indicators.method,
        scheme_indicators.value_source,
        case scheme_indicators.value_source
        {%- for vs in scoring_value_sources() %}
            when '{{ vs }}' then cast(source_values.{{ vs }} as numeric)
        {%- endfor %}
        end as indicator_value
    from evaluated
    inner join source_values
        on source_values.uscc = evaluated.uscc
        and source_values.eval_year = evaluated.eval_year
    inner join scheme_indicators
        on scheme_indicators.scheme_code = evaluated.scheme_code

)

select * from final
