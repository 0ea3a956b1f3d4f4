{#- incremental by evaluation year: a build aggregates only the years whose inputs changed and leaves
    the others' rows untouched (macros/scoring/scoring_years.sql); nationally 81 s for a restated year
    against about 187 s for the whole table -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    unlogged=true,
    pre_hook=["set local work_mem = '1GB'", "{{ scoring_years_delete() }}"],
) }}
-- depends_on: {{ ref('int_scoring__year_inputs') }}
-- Indicator breakdown per enterprise (指标得分汇总, 按企业): one pass over the indicator-score mart,
-- the largest table of the warehouse, gives what every later step needs per (scheme, Y, enterprise):
-- the sum of its points (the total, 总分), how many indicators and how much weight it was scored on,
-- and the cohort sizes its percentile indicators were compared within. The totals and the
-- breakdown test read this instead of aggregating about 110 million rows again.
-- Points and weights are added as whole cents (sum_of_cents): the numeric sums made the pass twice
-- as slow (31.3 s against 16.7 s for 200,000 enterprises).

with indicator_scores as (

    select * from {{ ref('fct_indicator_scores') }}
    where {{ scoring_years_to_build() }}

),

final as (

    select
        indicator_scores.scheme_code,
        indicator_scores.eval_year,
        indicator_scores.uscc,
        {{ sum_of_cents('indicator_scores.points') }} as total_points,
        {{ sum_of_cents('indicator_scores.weight') }} as weight_total,
        cast(count(*) as integer) as indicators_scored,
        cast(count(*) filter (where indicator_scores.method = 'percentile') as integer) as percentile_indicators,
        min(indicator_scores.cohort_size) filter (where indicator_scores.method = 'percentile') as min_cohort_size,
        max(indicator_scores.cohort_size) filter (where indicator_scores.method = 'percentile') as max_cohort_size
    from indicator_scores
    group by indicator_scores.scheme_code, indicator_scores.eval_year, indicator_scores.uscc

)

select * from final
