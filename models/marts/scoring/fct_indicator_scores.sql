{#- unlogged: the largest relation of the warehouse is derived data, rebuilt by every build; writing
    it without WAL halves its cost. A server crash empties it until the next `innopoints build`.
    The key is a unique index, enterprise first: it serves look-ups by enterprise, and the
    high-cardinality leading column makes the index build about a third cheaper than
    (scheme_code, eval_year, uscc, indicator_code). -#}
{{ config(
    unlogged=true,
    indexes=[{'columns': ['uscc', 'indicator_code', 'eval_year', 'scheme_code'], 'unique': true}],
    pre_hook=["set local work_mem = '256MB'"],
) }}
-- Indicator scores (指标得分明细): one row per (scheme, evaluation year, scored enterprise,
-- indicator) for the non-vetoed evaluated enterprises: value, cohort, ratio, weight, points and
-- points lost against the weight.

with indicator_points as (

    select * from {{ ref('int_scoring__indicator_points') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        indicator_points.scheme_code,
        indicator_points.eval_year,
        indicator_points.uscc,
        indicator_points.indicator_code,
        indicator_points.category_code,
        indicators.category_name_zh,
        indicators.indicator_name_zh,
        indicators.display_order,
        indicator_points.method,
        indicator_points.city_code,
        indicator_points.stage,
        indicator_points.indicator_value,
        indicator_points.cohort_basis,
        indicator_points.cohort_size,
        indicator_points.ratio_numerator,
        indicator_points.ratio_denominator,
        indicator_points.ratio,
        indicator_points.weight,
        indicator_points.points,
        indicator_points.points_lost
    from indicator_points
    inner join indicators
        on indicators.indicator_code = indicator_points.indicator_code

)

select * from final
