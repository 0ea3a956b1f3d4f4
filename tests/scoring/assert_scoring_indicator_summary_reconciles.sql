-- The indicator points summary adds up to the enterprise scores (指标得分汇总 = 总分之和):
-- per scheme, year and city, the points won equal the sum of the non-vetoed totals, the points
-- available equal the sum of their max points, and the enterprise count matches.
with summary as (
    select
        scheme_code,
        eval_year,
        city_code,
        sum(points_sum) as points_sum,
        sum(weight_sum) as weight_sum,
        sum(enterprises_scored) as indicator_rows
    from {{ ref('fct_indicator_score_summary') }}
    group by scheme_code, eval_year, city_code
),

scores as (
    select
        scheme_code,
        eval_year,
        city_code,
        sum(total_points) as points_sum,
        sum(max_points) as weight_sum,
        sum(indicators_scored) as indicator_rows
    from {{ ref('fct_enterprise_scores') }}
    where not is_vetoed
    group by scheme_code, eval_year, city_code
)

select
    coalesce(summary.scheme_code, scores.scheme_code) as scheme_code,
    coalesce(summary.eval_year, scores.eval_year) as eval_year,
    coalesce(summary.city_code, scores.city_code) as city_code,
    summary.points_sum as summary_points,
    scores.points_sum as score_points,
    summary.weight_sum as summary_weights,
    scores.weight_sum as score_max_points,
    summary.indicator_rows as summary_rows,
    scores.indicator_rows as score_rows
from summary
full outer join scores
    on scores.scheme_code = summary.scheme_code
    and scores.eval_year = summary.eval_year
    and scores.city_code is not distinct from summary.city_code
where summary.points_sum is distinct from scores.points_sum
   or summary.weight_sum is distinct from scores.weight_sum
   or summary.indicator_rows is distinct from scores.indicator_rows
