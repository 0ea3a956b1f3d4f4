-- The cohort size shown with a percentile indicator is the number of non-vetoed evaluated
-- enterprises of its cohort: the same stage in the cohort region, or every stage there when the
-- stage has fewer than min_cohort_size members.
with scores as (
    select * from {{ ref('fct_enterprise_scores') }}
),

schemes as (
    select * from {{ ref('schemes') }}
),

members as (
    select scheme_code, eval_year, cohort_region_code, stage, count(*) as stage_members,
           sum(count(*)) over (partition by scheme_code, eval_year, cohort_region_code) as region_members
    from scores
    where not is_vetoed
    group by scheme_code, eval_year, cohort_region_code, stage
),

indicator_scores as (
    select * from {{ ref('fct_indicator_scores') }}
    where method = 'percentile'
)

select indicator_scores.scheme_code, indicator_scores.eval_year, indicator_scores.uscc,
       indicator_scores.indicator_code, indicator_scores.cohort_size, members.stage_members,
       members.region_members, schemes.min_cohort_size
from indicator_scores
inner join schemes
    on schemes.scheme_code = indicator_scores.scheme_code
inner join members
    on members.scheme_code = indicator_scores.scheme_code
    and members.eval_year = indicator_scores.eval_year
    and members.cohort_region_code = indicator_scores.cohort_region_code
    and members.stage = indicator_scores.stage
where indicator_scores.cohort_size <> case
        when members.stage_members < schemes.min_cohort_size then members.region_members
        else members.stage_members
    end
