-- Indicator dimension (指标维度): every indicator with its category, method, unit, derivation
-- and its bands in words.

with indicators as (

    select * from {{ ref('indicators') }}

),

bands as (

    select * from {{ ref('bands') }}

),

band_text as (

    select
        indicator_code,
        string_agg('≥' || cast(min_value as text) || ' → ' || cast(ratio as text), '; ' order by min_value)
            as bands_text
    from bands
    group by indicator_code

),

final as (

    select
        indicators.indicator_code,
        indicators.scheme_family,
        indicators.category_code,
        indicators.category_name_zh,
        indicators.indicator_name_zh,
        indicators.indicator_name_en,
        indicators.value_source,
        indicators.method,
        indicators.unit,
        indicators.derivation,
        indicators.display_order,
        band_text.bands_text
    from indicators
    left join band_text
        on band_text.indicator_code = indicators.indicator_code

)

select * from final
