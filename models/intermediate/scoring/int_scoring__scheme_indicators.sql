{{ config(unlogged=true) }}
-- Indicators in use per scheme (方案指标): every indicator a scheme weights in any stage, with its
-- category, method and value_source, and a compact integer key for the long-form window.

with scheme_weights as (

    select * from {{ ref('scheme_weights') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

used as (

    select distinct
        scheme_weights.scheme_code,
        indicators.indicator_code,
        indicators.category_code,
        indicators.method,
        indicators.value_source
    from scheme_weights
    inner join indicators
        on indicators.indicator_code = scheme_weights.indicator_code

),

final as (

    select
        used.*,
        cast(dense_rank() over (order by indicator_code) as integer) as indicator_key
    from used

)

select * from final
