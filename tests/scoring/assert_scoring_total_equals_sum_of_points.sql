-- Every score's total equals the sum of its indicator points (总分 = 指标得分之和), exactly;
-- vetoed enterprises have total 0 and no indicator rows.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
),

breakdown as (
    select scheme_code, eval_year, uscc, sum(points) as sum_points, count(*) as n_indicators
    from {{ ref('fct_indicator_scores') }}
    group by scheme_code, eval_year, uscc
)

select scores.scheme_code, scores.eval_year, scores.uscc, scores.is_vetoed, scores.total_points,
       breakdown.sum_points, breakdown.n_indicators
from scores
left join breakdown
    on breakdown.scheme_code = scores.scheme_code
    and breakdown.eval_year = scores.eval_year
    and breakdown.uscc = scores.uscc
where (scores.is_vetoed and (scores.total_points <> 0 or breakdown.uscc is not null))
   or (not scores.is_vetoed and scores.total_points <> coalesce(breakdown.sum_points, 0))
