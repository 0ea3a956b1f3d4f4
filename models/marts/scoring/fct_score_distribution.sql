{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year']}],
) }}
-- Score distribution (积分分布): how many enterprises hold each exact total per (scheme,
-- evaluation year, city, grade). Totals are kept to the cent, so counts, averages, histograms and
-- exact medians (marts.percentile_from_counts) over any set of cities and years come from this
-- table without sorting one row per enterprise (about 900,000 per scheme and year nationally).

with scores as (

    select * from {{ ref('fct_enterprise_scores') }}

),

counted as (

    select
        scheme_code,
        eval_year,
        is_latest_eval_year,
        city_code,
        city_name_zh,
        grade,
        grade_label_zh,
        grade_display_zh,
        is_vetoed,
        total_points,
        cast(
            floor(total_points / {{ var('score_histogram_bin_width') }}) * {{ var('score_histogram_bin_width') }}
            as integer
        ) as points_bin,
        count(*) as enterprises,
        total_points * count(*) as points_sum
    from scores
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

)

select * from counted
