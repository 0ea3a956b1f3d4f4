{{ config(unlogged=true) }}
-- Percentile cohorts (百分位比较组) with the minimum-size fallback: the cohort of a stage is the
-- non-vetoed evaluated enterprises of the same (scheme, Y, cohort region, stage); when it has
-- fewer than the scheme's min_cohort_size members, that stage is compared across all stages of
-- (scheme, Y, cohort region) instead (cohort_key '*').

with evaluated as (

    select * from {{ ref('int_scoring__evaluated') }}
    where not is_vetoed

),

stage_counts as (

    select
        scheme_code,
        eval_year,
        cohort_region_code,
        stage,
        min(min_cohort_size) as min_cohort_size,
        count(*) as stage_members
    from evaluated
    group by scheme_code, eval_year, cohort_region_code, stage

),

with_region as (

    select
        stage_counts.*,
        sum(stage_members) over (
            partition by scheme_code, eval_year, cohort_region_code
        ) as region_members
    from stage_counts

),

final as (

    select
        scheme_code,
        eval_year,
        cohort_region_code,
        stage,
        min_cohort_size,
        stage_members,
        cast(region_members as bigint) as region_members,
        stage_members < min_cohort_size as uses_all_stages,
        case when stage_members < min_cohort_size then '*' else stage end as cohort_key,
        case when stage_members < min_cohort_size then 'all_stages' else 'stage' end as cohort_basis,
        cast(case when stage_members < min_cohort_size then region_members else stage_members end as bigint)
            as cohort_size,
        bool_or(stage_members < min_cohort_size) over (
            partition by scheme_code, eval_year, cohort_region_code
        ) as region_has_fallback,
        -- integer ids of the percentile partitions (for the window over the long form):
        -- this stage's own cohort, and the all-stages cohort of the region
        cast(2 * dense_rank() over (order by scheme_code, eval_year, cohort_region_code, stage) as integer)
            as stage_partition_id,
        cast(2 * dense_rank() over (order by scheme_code, eval_year, cohort_region_code) - 1 as integer)
            as all_stages_partition_id
    from with_region

)

select
    final.*,
    case when uses_all_stages then all_stages_partition_id else stage_partition_id end as cohort_partition_id
from final
