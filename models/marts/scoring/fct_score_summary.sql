{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year']}],
) }}
-- Score summary (积分汇总): enterprises and points per (scheme, evaluation year, city, industry
-- section, stage, grade, veto reasons). The dashboards' averages, grade mixes and veto counts by
-- industry, stage and city read this instead of one row per enterprise.

with scores as (

    select * from {{ ref('fct_enterprise_scores') }}

),

summed as (

    select
        scheme_code,
        eval_year,
        is_latest_eval_year,
        city_code,
        city_name_zh,
        industry_section,
        industry_section_name_zh,
        stage,
        stage_name_zh,
        grade,
        grade_label_zh,
        grade_display_zh,
        is_vetoed,
        veto_codes,
        veto_reasons_zh,
        count(*) as enterprises,
        sum(total_points) as points_sum,
        sum(max_points) as max_points_sum
    from scores
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15

)

select * from summed
