-- Per scored enterprise, from the one-pass summary of the indicator breakdown (the largest table)
-- in int_scoring__enterprise_points:
--   * total = the sum of its indicator points (总分 = 指标得分之和), exactly;
--   * it has one row for each indicator its scheme weights for its stage (rows = weights of
--     the stage, weights summing alike; the mart's unique key rules out a repeated indicator);
--   * every percentile row's cohort size is the number of non-vetoed evaluated enterprises of
--     its cohort (the stage in the cohort region, or all stages there below min_cohort_size);
-- and vetoed enterprises have total 0 and no rows. (The gate's marts_indicator_scores suite adds
-- the indicator rows up again from the mart itself.)
with breakdown as (
    select
        scheme_code,
        eval_year,
        uscc,
        total_points as sum_points,
        indicators_scored as n_rows,
        weight_total,
        min_cohort_size,
        max_cohort_size,
        percentile_indicators as n_percentile
    from {{ ref('int_scoring__enterprise_points') }}
),

stage_weights as (
    select scheme_code, stage, count(*) as n_weights, sum(weight) as weight_total
    from {{ ref('scheme_weights') }}
    group by scheme_code, stage
),

members as (
    select
        scheme_code, eval_year, cohort_region_code, stage,
        count(*) as stage_members,
        sum(count(*)) over (partition by scheme_code, eval_year, cohort_region_code) as region_members
    from {{ ref('fct_enterprise_scores') }}
    where not is_vetoed
    group by scheme_code, eval_year, cohort_region_code, stage
),

expected_cohorts as (
    select
        members.scheme_code, members.eval_year, members.cohort_region_code, members.stage,
        case when members.stage_members < schemes.min_cohort_size
             then members.region_members else members.stage_members end as cohort_size
    from members
    inner join {{ ref('schemes') }} as schemes
        on schemes.scheme_code = members.scheme_code
)

select
    coalesce(scores.scheme_code, breakdown.scheme_code) as scheme_code,
    coalesce(scores.eval_year, breakdown.eval_year) as eval_year,
    coalesce(scores.uscc, breakdown.uscc) as uscc,
    scores.is_vetoed,
    scores.total_points,
    breakdown.sum_points,
    breakdown.n_rows,
    stage_weights.n_weights,
    breakdown.min_cohort_size,
    breakdown.max_cohort_size,
    expected_cohorts.cohort_size as expected_cohort_size
from {{ ref('fct_enterprise_scores') }} as scores
full outer join breakdown
    on breakdown.scheme_code = scores.scheme_code
    and breakdown.eval_year = scores.eval_year
    and breakdown.uscc = scores.uscc
left join stage_weights
    on stage_weights.scheme_code = scores.scheme_code
    and stage_weights.stage = scores.stage
left join expected_cohorts
    on expected_cohorts.scheme_code = scores.scheme_code
    and expected_cohorts.eval_year = scores.eval_year
    and expected_cohorts.cohort_region_code = scores.cohort_region_code
    and expected_cohorts.stage = scores.stage
where scores.uscc is null
   or (scores.is_vetoed and (scores.total_points <> 0 or breakdown.uscc is not null))
   or (not scores.is_vetoed and (
        scores.total_points <> coalesce(breakdown.sum_points, 0)
        or coalesce(breakdown.n_rows, 0) <> stage_weights.n_weights
        or breakdown.weight_total is distinct from stage_weights.weight_total
        or (breakdown.n_percentile > 0 and (
            breakdown.min_cohort_size is distinct from expected_cohorts.cohort_size
            or breakdown.max_cohort_size is distinct from expected_cohorts.cohort_size))))
