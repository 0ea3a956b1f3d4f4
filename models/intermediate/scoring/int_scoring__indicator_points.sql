{{ config(materialized='view') }}
-- Indicator points (指标得分) of the non-vetoed evaluated enterprises, one row per indicator the
-- scheme weights for the enterprise's stage: points = round(weight × ratio, 2), half away from
-- zero, in exact decimal arithmetic (percentile: weight × numerator / denominator).
-- A view: marts.fct_indicator_scores is its one materialization (the long form is the largest
-- relation of the warehouse, so it is written once).

with ratios as (

    select * from {{ ref('int_scoring__indicator_ratios') }}

),

scheme_weights as (

    select * from {{ ref('scheme_weights') }}

),

scored as (

    select
        ratios.scheme_code,
        ratios.eval_year,
        ratios.uscc,
        ratios.city_code,
        ratios.stage,
        ratios.indicator_code,
        ratios.category_code,
        ratios.method,
        ratios.indicator_value,
        ratios.cohort_basis,
        ratios.cohort_size,
        ratios.ratio_numerator,
        ratios.ratio_denominator,
        ratios.band_min_value,
        ratios.ratio,
        scheme_weights.weight,
        case ratios.method
            when 'percentile' then
                {{ exact_ratio('scheme_weights.weight * ratios.ratio_numerator', 'ratios.ratio_denominator', 2) }}
            else round(scheme_weights.weight * ratios.band_ratio, 2)
        end as points
    from ratios
    inner join scheme_weights
        on scheme_weights.scheme_code = ratios.scheme_code
        and scheme_weights.stage = ratios.stage
        and scheme_weights.indicator_code = ratios.indicator_code

),

final as (

    select
        scored.*,
        scored.weight - scored.points as points_lost
    from scored

)

select * from final
