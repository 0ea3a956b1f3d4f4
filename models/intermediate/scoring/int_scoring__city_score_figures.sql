-- Score figures per city (分地市积分概况): for each (scheme, evaluation year) one row per city of its
-- evaluated enterprises and one over all of them (city_code null, is_all_cities = 1), from one pass
-- over fct_enterprise_scores with grouping sets. Built with the scores: the leadership headline
-- (fct_leadership_headline), rebuilt with every loans delivery, joins these few rows instead of
-- reading every score again.
with scores as (

    select
        scheme_code,
        eval_year,
        city_code,
        is_vetoed,
        total_points,
        grade
    from {{ ref('fct_enterprise_scores') }}

),

score_groups as (

    select
        scheme_code,
        eval_year,
        city_code,
        grouping(city_code) as is_all_cities,
        count(*) as enterprises_evaluated,
        count(*) filter (where is_vetoed) as enterprises_vetoed,
        count(*) filter (where not is_vetoed) as enterprises_scored,
        round(avg(total_points) filter (where not is_vetoed), 2) as mean_points,
        coalesce(sum(total_points) filter (where not is_vetoed), 0) as points_sum_scored,
        coalesce(sum(case when is_vetoed then 0 else total_points end), 0) as points_sum_evaluated,
        round(
            (percentile_cont(0.5) within group (order by total_points) filter (where not is_vetoed))::numeric,
            2
        ) as median_points,
        count(*) filter (where grade = 'A') as grade_a_enterprises,
        count(*) filter (where grade = 'B') as grade_b_enterprises,
        count(*) filter (where grade = 'C') as grade_c_enterprises,
        count(*) filter (where grade = 'D') as grade_d_enterprises,
        count(*) filter (where grade = 'V') as grade_v_enterprises
    from scores
    group by grouping sets ((scheme_code, eval_year, city_code), (scheme_code, eval_year))

)

select * from score_groups
