{#- The near list's heavy half, built from the totals: it reads the indicator scores (about 110
    million rows nationally) while the stage ranks and the enterprise-score mart are built, instead
    of after the mart and its tests at the end of the build. The key is a unique index, proven by
    primary_key_indexed, not by a GROUP BY. -#}
{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'uscc'], 'unique': true}],
    pre_hook=["set local work_mem = '256MB'"],
) }}
-- The largest gaps of the enterprises near the next grade (距下一等级较近企业的主要失分): one row per
-- non-vetoed evaluated enterprise whose points_to_next_grade <= var('near_next_grade_points'), with
-- the (up to) three indicators with the most points lost (失分 = weight − points, above 0), largest
-- first, ties by indicator code; null where it has fewer. This model is the one home of who is near:
-- fct_enterprises_near_next_grade lists exactly its enterprises.

with totals as (

    select * from {{ ref('int_scoring__enterprise_totals') }}

),

indicator_scores as (

    select * from {{ ref('fct_indicator_scores') }}

),

-- not materialized: inlined where it is read, so the planner sees the totals' column statistics and
-- hashes these few enterprises against the indicator rows
near as not materialized (

    select
        scheme_code,
        eval_year,
        uscc
    from totals
    where not is_vetoed
        and points_to_next_grade <= {{ var('near_next_grade_points') }}

),

-- each near enterprise's indicators with points lost, ordered largest first: one pass over the
-- indicator scores, hashed against the near enterprises (a lookup per enterprise through the key
-- index reads the same pages over and over at national scale)
lost as (

    select
        indicator_scores.scheme_code,
        indicator_scores.eval_year,
        indicator_scores.uscc,
        indicator_scores.indicator_code,
        indicator_scores.points_lost,
        row_number() over (
            partition by indicator_scores.scheme_code, indicator_scores.eval_year, indicator_scores.uscc
            order by indicator_scores.points_lost desc, indicator_scores.indicator_code
        ) as gap_order
    from indicator_scores
    inner join near
        on near.scheme_code = indicator_scores.scheme_code
        and near.eval_year = indicator_scores.eval_year
        and near.uscc = indicator_scores.uscc
    where indicator_scores.points_lost > 0

),

top_gaps as (

    select
        scheme_code,
        eval_year,
        uscc,
        max(indicator_code) filter (where gap_order = 1) as gap_1_indicator_code,
        max(points_lost) filter (where gap_order = 1) as gap_1_points_lost,
        max(indicator_code) filter (where gap_order = 2) as gap_2_indicator_code,
        max(points_lost) filter (where gap_order = 2) as gap_2_points_lost,
        max(indicator_code) filter (where gap_order = 3) as gap_3_indicator_code,
        max(points_lost) filter (where gap_order = 3) as gap_3_points_lost
    from lost
    where gap_order <= 3
    group by scheme_code, eval_year, uscc

),

final as (

    select
        near.scheme_code,
        near.eval_year,
        near.uscc,
        top_gaps.gap_1_indicator_code,
        top_gaps.gap_1_points_lost,
        top_gaps.gap_2_indicator_code,
        top_gaps.gap_2_points_lost,
        top_gaps.gap_3_indicator_code,
        top_gaps.gap_3_points_lost
    from near
    left join top_gaps
        on top_gaps.scheme_code = near.scheme_code
        and top_gaps.eval_year = near.eval_year
        and top_gaps.uscc = near.uscc

)

select * from final
