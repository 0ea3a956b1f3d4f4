-- The coverage summary counts the coverage rows (参评覆盖汇总 = 参评覆盖): per scheme, year, city
-- and reason the enterprises agree.
with coverage as (
    select
        scheme_code,
        eval_year,
        city_code,
        reason,
        count(*) as enterprises
    from {{ ref('fct_score_coverage') }}
    group by scheme_code, eval_year, city_code, reason
),

summary as (
    select * from {{ ref('fct_score_coverage_summary') }}
)

select
    coalesce(coverage.scheme_code, summary.scheme_code) as scheme_code,
    coalesce(coverage.eval_year, summary.eval_year) as eval_year,
    coalesce(coverage.city_code, summary.city_code) as city_code,
    coalesce(coverage.reason, summary.reason) as reason,
    coverage.enterprises as coverage_enterprises,
    summary.enterprises as summary_enterprises
from coverage
full outer join summary
    on summary.scheme_code = coverage.scheme_code
    and summary.eval_year = coverage.eval_year
    and summary.city_code is not distinct from coverage.city_code
    and summary.reason = coverage.reason
where coverage.enterprises is distinct from summary.enterprises
