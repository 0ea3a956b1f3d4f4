-- Each ranked list (榜单) holds its width of the stage, up to ties: for every (scheme, year, cohort
-- region, stage) of N non-vetoed enterprises and every band with upper bound max_top_share, the C
-- enterprises listed in that band or a higher one satisfy
--   C >= floor(max_top_share × N)                     (never short), and
--   C − (members of the lowest total listed) < max_top_share × N
--                                                     (over the width only through one tie group).
-- Counted from totals and band membership, not from the ranks.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
    where not is_vetoed
),

bands as (
    select * from {{ ref('ranking_bands') }}
),

stages as (
    select scheme_code, eval_year, cohort_region_code, stage, count(*) as ranked
    from scores
    group by scheme_code, eval_year, cohort_region_code, stage
),

cumulative as (
    select
        stages.scheme_code, stages.eval_year, stages.cohort_region_code, stages.stage, stages.ranked,
        bands.band_code, bands.max_top_share,
        count(scores.uscc) as listed,
        min(scores.total_points) as lowest_listed_total
    from stages
    cross join bands
    left join scores
        on scores.scheme_code = stages.scheme_code
        and scores.eval_year = stages.eval_year
        and scores.cohort_region_code = stages.cohort_region_code
        and scores.stage = stages.stage
        and scores.band_code in (
            select b.band_code from bands as b where b.max_top_share <= bands.max_top_share
        )
    group by stages.scheme_code, stages.eval_year, stages.cohort_region_code, stages.stage, stages.ranked,
             bands.band_code, bands.max_top_share
),

lowest_group as (
    select
        cumulative.*,
        (select count(*) from scores
         where scores.scheme_code = cumulative.scheme_code
           and scores.eval_year = cumulative.eval_year
           and scores.cohort_region_code = cumulative.cohort_region_code
           and scores.stage = cumulative.stage
           and scores.total_points = cumulative.lowest_listed_total) as lowest_group_members
    from cumulative
)

select *
from lowest_group
where listed < floor(max_top_share * ranked)
   or (listed > 0 and listed - lowest_group_members >= max_top_share * ranked)
