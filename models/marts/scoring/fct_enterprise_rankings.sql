{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'uscc'], 'unique': true}],
) }}
-- Ranked lists per stage (分阶段榜单: 领跑榜, 竞跑榜, 进取榜): the enterprises of fct_enterprise_scores
-- that fall in a band of ranking_bands within their (scheme, Y, cohort region, stage), one row per
-- (scheme, Y, uscc), with their rank in the stage; the rule is int_scoring__stage_ranks'.

with scores as (

    select * from {{ ref('fct_enterprise_scores') }}

),

final as (

    select
        scheme_code,
        scheme_name_zh,
        eval_year,
        is_latest_eval_year,
        cohort_region_code,
        cohort_region_name_zh,
        stage,
        stage_name_zh,
        band_code,
        band_name_zh,
        band_order,
        rank_in_stage,
        ranked_in_stage,
        top_share_in_stage,
        uscc,
        enterprise_name,
        city_code,
        city_name_zh,
        industry_section,
        industry_section_name_zh,
        total_points,
        grade,
        grade_display_zh,
        rank_in_region,
        evaluated_in_region
    from scores
    where band_code is not null

)

select * from final
