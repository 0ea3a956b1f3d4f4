-- Ranks per stage and ranked lists (分阶段排名与榜单): for every NON-vetoed evaluated enterprise, its
-- standard competition rank ("1224", ties share a rank) by total points descending among the
-- non-vetoed enterprises of the same (scheme, Y, cohort region, stage); their number; the top share
-- = rank / number; and the band of ranking_bands (领跑榜, 竞跑榜, 进取榜) whose
-- min_top_share < rank / number <= max_top_share, compared on the exact fraction (rank and number
-- multiplied out, not the rounded share), null beyond the last band. Vetoed enterprises have no row.
-- The one home of this rule: fct_enterprise_scores and the lists read it.

with totals as (

    select * from {{ ref('int_scoring__enterprise_totals') }}
    where not is_vetoed

),

ranking_bands as (

    select * from {{ ref('ranking_bands') }}

),

ranked as (

    select
        scheme_code,
        eval_year,
        uscc,
        cohort_region_code,
        stage,
        total_points,
        cast(rank() over (
            partition by scheme_code, eval_year, cohort_region_code, stage
            order by total_points desc
        ) as integer) as rank_in_stage,
        cast(count(*) over (
            partition by scheme_code, eval_year, cohort_region_code, stage
        ) as integer) as ranked_in_stage
    from totals

),

final as (

    select
        ranked.scheme_code,
        ranked.eval_year,
        ranked.uscc,
        ranked.cohort_region_code,
        ranked.stage,
        ranked.total_points,
        ranked.rank_in_stage,
        ranked.ranked_in_stage,
        {{ exact_ratio('ranked.rank_in_stage', 'ranked.ranked_in_stage', 6) }} as top_share_in_stage,
        ranking_bands.band_code,
        ranking_bands.band_name_zh,
        ranking_bands.band_order
    from ranked
    left join ranking_bands
        -- min < rank / number <= max, without dividing: min × number < rank <= max × number
        on ranked.rank_in_stage > ranking_bands.min_top_share * ranked.ranked_in_stage
        and ranked.rank_in_stage <= ranking_bands.max_top_share * ranked.ranked_in_stage

)

select * from final
