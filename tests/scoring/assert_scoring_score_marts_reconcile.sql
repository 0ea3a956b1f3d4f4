-- The dashboards' pre-counted score marts agree with the enterprise scores they count
-- (积分分布/积分汇总 = 企业创新积分): per scheme, year and city, and for the whole scheme and year,
-- the enterprises, the points added up, the vetoed and A-grade counts, and the exact median
-- (marts.percentile_from_counts over fct_score_distribution = percentile_cont over the enterprises).
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
),

distribution as (
    select * from {{ ref('fct_score_distribution') }}
),

summary as (
    select * from {{ ref('fct_score_summary') }}
),

from_scores as (
    select
        scheme_code,
        eval_year,
        coalesce(city_code, '(all)') as city_key,
        count(*) as enterprises,
        sum(total_points) as points_sum,
        count(*) filter (where is_vetoed) as vetoed,
        count(*) filter (where grade = 'A') as grade_a,
        percentile_cont(0.5) within group (order by total_points) as median_points
    from scores
    group by grouping sets ((scheme_code, eval_year, city_code), (scheme_code, eval_year))
),

from_distribution as (
    select
        scheme_code,
        eval_year,
        coalesce(city_code, '(all)') as city_key,
        sum(enterprises) as enterprises,
        sum(points_sum) as points_sum,
        sum(enterprises) filter (where is_vetoed) as vetoed,
        sum(enterprises) filter (where grade = 'A') as grade_a,
        marts.percentile_from_counts(array_agg(total_points), array_agg(enterprises), 0.5) as median_points
    from distribution
    group by grouping sets ((scheme_code, eval_year, city_code), (scheme_code, eval_year))
),

from_summary as (
    select
        scheme_code,
        eval_year,
        coalesce(city_code, '(all)') as city_key,
        sum(enterprises) as enterprises,
        sum(points_sum) as points_sum,
        sum(enterprises) filter (where is_vetoed) as vetoed,
        sum(enterprises) filter (where grade = 'A') as grade_a
    from summary
    group by grouping sets ((scheme_code, eval_year, city_code), (scheme_code, eval_year))
)

select
    from_scores.scheme_code,
    from_scores.eval_year,
    from_scores.city_key,
    from_scores.enterprises,
    from_distribution.enterprises as distribution_enterprises,
    from_summary.enterprises as summary_enterprises,
    from_scores.median_points,
    from_distribution.median_points as distribution_median
from from_scores
full outer join from_distribution
    on from_distribution.scheme_code = from_scores.scheme_code
    and from_distribution.eval_year = from_scores.eval_year
    and from_distribution.city_key = from_scores.city_key
full outer join from_summary
    on from_summary.scheme_code = coalesce(from_scores.scheme_code, from_distribution.scheme_code)
    and from_summary.eval_year = coalesce(from_scores.eval_year, from_distribution.eval_year)
    and from_summary.city_key = coalesce(from_scores.city_key, from_distribution.city_key)
where from_scores.enterprises is distinct from from_distribution.enterprises
   or from_scores.enterprises is distinct from from_summary.enterprises
   or from_scores.points_sum is distinct from from_distribution.points_sum
   or from_scores.points_sum is distinct from from_summary.points_sum
   or coalesce(from_scores.vetoed, 0) is distinct from coalesce(from_distribution.vetoed, 0)
   or coalesce(from_scores.vetoed, 0) is distinct from coalesce(from_summary.vetoed, 0)
   or coalesce(from_scores.grade_a, 0) is distinct from coalesce(from_distribution.grade_a, 0)
   or coalesce(from_scores.grade_a, 0) is distinct from coalesce(from_summary.grade_a, 0)
   -- percentile_cont works in float8; the counted median is exact numeric
   or abs(from_scores.median_points - from_distribution.median_points) > 0.000001
   or (from_scores.median_points is null) <> (from_distribution.median_points is null)
