{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year']}],
) }}
-- Indicator points summary (指标得分汇总): the indicator score breakdown added up per (scheme,
-- evaluation year, city, stage, indicator). Dashboards that show where points are won and lost
-- across many enterprises read this instead of summing fct_indicator_scores, which holds one row
-- per enterprise and indicator (about 110 million rows at national scale).

with indicator_scores as (

    select * from {{ ref('fct_indicator_scores') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

regions as (

    select * from {{ ref('regions') }}

),

stage_rules as (

    select * from {{ ref('stage_rules') }}

),

summed as (

    select
        scheme_code,
        eval_year,
        city_code,
        stage,
        indicator_code,
        count(*) as enterprises_scored,
        sum(points) as points_sum,
        sum(weight) as weight_sum,
        sum(points_lost) as points_lost_sum,
        count(indicator_value) as values_present,
        max(indicator_value) as indicator_value_max
    from indicator_scores
    group by scheme_code, eval_year, city_code, stage, indicator_code

),

final as (

    select
        summed.scheme_code,
        summed.eval_year,
        summed.city_code,
        regions.region_name_zh as city_name_zh,
        summed.stage,
        stage_rules.stage_name_zh,
        indicators.category_code,
        indicators.category_name_zh,
        summed.indicator_code,
        indicators.indicator_name_zh,
        indicators.display_order,
        cast(summed.enterprises_scored as integer) as enterprises_scored,
        cast(summed.values_present as integer) as values_present,
        summed.points_sum,
        summed.weight_sum,
        summed.points_lost_sum,
        summed.indicator_value_max
    from summed
    inner join indicators
        on indicators.indicator_code = summed.indicator_code
    left join regions
        on regions.region_code = summed.city_code
    left join stage_rules
        on stage_rules.stage = summed.stage

)

select * from final
