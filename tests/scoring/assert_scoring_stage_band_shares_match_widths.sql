-- Each ranked list (榜单) holds its width of the stage, up to ties: for every (scheme, year, cohort
-- region, stage) of N non-vetoed enterprises and every band with upper bound max_top_share, the C
-- enterprises listed in that band or a higher one satisfy
--   C >= floor(max_top_share × N)                     (never short), and
--   C − (members of the lowest total listed) < max_top_share × N
--                                                     (over the width only through one tie group).
-- Counted from totals and band membership, not from the ranks: one pass groups the enterprises by
-- (stage, total, band); the bands accumulate from the top down.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
    where not is_vetoed
),

bands as (
    select * from {{ ref('ranking_bands') }}
),

totals as (
    select scheme_code, eval_year, cohort_region_code, stage, total_points, band_code, count(*) as members
    from scores
    group by scheme_code, eval_year, cohort_region_code, stage, total_points, band_code
),

stages as (
    select scheme_code, eval_year, cohort_region_code, stage, sum(members) as ranked
    from totals
    group by scheme_code, eval_year, cohort_region_code, stage
),

tie_groups as (
    select scheme_code, eval_year, cohort_region_code, stage, total_points, sum(members) as members
    from totals
    group by scheme_code, eval_year, cohort_region_code, stage, total_points
),

per_band as (
    select stages.scheme_code, stages.eval_year, stages.cohort_region_code, stages.stage, stages.ranked,
           bands.band_code, bands.max_top_share,
           coalesce(sum(totals.members), 0) as members,
           min(totals.total_points) as lowest_total
    from stages
    cross join bands
    left join totals
        on totals.scheme_code = stages.scheme_code
        and totals.eval_year = stages.eval_year
        and totals.cohort_region_code = stages.cohort_region_code
        and totals.stage = stages.stage
        and totals.band_code = bands.band_code
    group by stages.scheme_code, stages.eval_year, stages.cohort_region_code, stages.stage, stages.ranked,
             bands.band_code, bands.max_top_share
),

cumulative as (
    select
        per_band.*,
        sum(members) over stage_bands as listed,
        min(lowest_total) over stage_bands as lowest_listed_total
    from per_band
    window stage_bands as (
        partition by scheme_code, eval_year, cohort_region_code, stage
        order by max_top_share
        range between unbounded preceding and current row
    )
),

lowest_group as (
    select cumulative.*, coalesce(tie_groups.members, 0) as lowest_group_members
    from cumulative
    left join tie_groups
        on tie_groups.scheme_code = cumulative.scheme_code
        and tie_groups.eval_year = cumulative.eval_year
        and tie_groups.cohort_region_code = cumulative.cohort_region_code
        and tie_groups.stage = cumulative.stage
        and tie_groups.total_points = cumulative.lowest_listed_total
)

select scheme_code, eval_year, cohort_region_code, stage, ranked, band_code, max_top_share, listed,
       lowest_listed_total, lowest_group_members
from lowest_group
where listed < floor(max_top_share * ranked)
   or (listed > 0 and listed - lowest_group_members >= max_top_share * ranked)
