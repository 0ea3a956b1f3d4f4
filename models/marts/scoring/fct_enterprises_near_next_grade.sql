{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'uscc'], 'unique': true}],
) }}
-- Enterprises near the next grade (距下一等级较近的企业): the non-vetoed evaluated enterprises whose
-- points_to_next_grade <= var('near_next_grade_points'), one row per (scheme, Y, uscc), with what
-- they lack: the three indicators with the most points lost (失分 = weight − points, above 0),
-- largest first (ties by indicator code), named from dim_indicator.
-- Who is near and their gaps come from int_scoring__near_gaps, built from the totals beside this
-- mart's other inputs; this model joins them to the enterprise scores and names the gaps.

with scores as (

    select * from {{ ref('fct_enterprise_scores') }}

),

near_gaps as (

    select * from {{ ref('int_scoring__near_gaps') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

-- a gap as shown: '指标名称（失x.xx分）'
final as (

    select
        scores.scheme_code,
        scores.eval_year,
        scores.is_latest_eval_year,
        scores.uscc,
        scores.enterprise_name,
        scores.city_code,
        scores.city_name_zh,
        scores.stage,
        scores.stage_name_zh,
        scores.grade,
        scores.grade_display_zh,
        scores.next_grade,
        scores.next_grade_display_zh,
        scores.total_points,
        scores.points_to_next_grade,
        scores.rank_in_region,
        scores.evaluated_in_region,
        scores.band_name_zh,
        nullif(concat_ws(
            '；',
            {%- for k in [1, 2, 3] %}
            gap_{{ k }}.indicator_name_zh || '（失' || to_char(near_gaps.gap_{{ k }}_points_lost, 'FM999990.00') || '分）'
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') as largest_gaps_zh,
        coalesce(near_gaps.gap_1_points_lost, 0) + coalesce(near_gaps.gap_2_points_lost, 0)
            + coalesce(near_gaps.gap_3_points_lost, 0) as points_lost_top3,
        nullif(concat_ws(
            ',', near_gaps.gap_1_indicator_code, near_gaps.gap_2_indicator_code, near_gaps.gap_3_indicator_code
        ), '') as largest_gap_codes
    from near_gaps
    inner join scores
        on scores.scheme_code = near_gaps.scheme_code
        and scores.eval_year = near_gaps.eval_year
        and scores.uscc = near_gaps.uscc
    {%- for k in [1, 2, 3] %}
    left join indicators as gap_{{ k }}
        on gap_{{ k }}.indicator_code = near_gaps.gap_{{ k }}_indicator_code
    {%- endfor %}

)

select * from final
