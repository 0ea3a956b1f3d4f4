{#- the key is a unique index (checked by primary_key_indexed): about 39 million rows nationally,
    where a GROUP BY to prove uniqueness cost twice the index build.
    join_collapse_limit = 1: the joins run in the order written, each member joined to its one
    source-values row before it is repeated per percentile indicator. Left to reorder them, the
    planner underestimates the members (a join through the representatives) and repeats them per
    indicator first, then hashes those rows (8 times the source values) in several batches:
    for 200,000 enterprises the rows reached the sort after 12.2 s instead of 4.0 s (the whole
    select 29.8 s -> 21.1 s). -#}
{{ config(
    unlogged=true,
    indexes=[{'columns': ['uscc', 'indicator_code', 'eval_year', 'cohort_group_id'], 'unique': true}],
    pre_hook=["set local work_mem = '256MB'", "set local join_collapse_limit = 1"],
) }}
-- Percentile ratios (百分位得分比例) per cohort definition, evaluation year, enterprise and
-- percentile indicator. Schemes with the same cohort definition (int_scoring__scheme_years
-- .cohort_group_id: region, cohort level, minimum cohort size) have the same evaluated population,
-- stages, vetoes and cohorts, so a shared indicator's ratio is the same in each of them: it is
-- computed once per group, on the cohorts of one representative scheme of the group and year.
-- ratio = 0 when the value is null or <= 0, else (members whose value <= v, null as 0) / size,
-- kept as the exact fraction ratio_numerator / cohort_size. (A cumulative count per distinct
-- value joined back was measured slower: most percentile values are amounts with few ties.)

-- not materialized: read twice (the representatives, the group's indicators), a CTE would be
-- materialized, and a CTE scan keeps every join above it out of parallel workers: the whole select
-- ran in one process. Inlined, the joins and the sort run in parallel workers and only the window
-- runs in the leader, on the workers' sorted rows (Gather Merge).
with scheme_years as not materialized (

    select * from {{ ref('int_scoring__scheme_years') }}

),

evaluated as (

    select * from {{ ref('int_scoring__evaluated') }}
    where not is_vetoed

),

cohorts as (

    select * from {{ ref('int_scoring__cohorts') }}

),

scheme_indicators as (

    select * from {{ ref('int_scoring__scheme_indicators') }}

),

source_values as (

    select * from {{ ref('int_scoring__source_values') }}

),

-- the scheme whose cohorts stand for its group in a year
representatives as (

    select
        cohort_group_id,
        eval_year,
        min(scheme_code) as scheme_code
    from scheme_years
    group by cohort_group_id, eval_year

),

-- the percentile indicators any scheme of the group weights
group_indicators as (

    select distinct
        scheme_years.cohort_group_id,
        scheme_indicators.indicator_code,
        scheme_indicators.indicator_key,
        scheme_indicators.value_source
    from scheme_indicators
    inner join scheme_years
        on scheme_years.scheme_code = scheme_indicators.scheme_code
    where scheme_indicators.method = 'percentile'

),

members as (

    select
        representatives.cohort_group_id,
        evaluated.eval_year,
        evaluated.uscc,
        evaluated.city_code,
        evaluated.stage,
        cohorts.stage_partition_id,
        cohorts.all_stages_partition_id,
        cohorts.cohort_partition_id,
        cohorts.region_has_fallback,
        cohorts.cohort_basis,
        cohorts.cohort_size
    from representatives
    inner join evaluated
        on evaluated.scheme_code = representatives.scheme_code
        and evaluated.eval_year = representatives.eval_year
    inner join cohorts
        on cohorts.scheme_code = evaluated.scheme_code
        and cohorts.eval_year = evaluated.eval_year
        and cohorts.cohort_region_code = evaluated.cohort_region_code
        and cohorts.stage = evaluated.stage

),

-- not materialized: the second reference keeps only the regions with a fallback, pushed down
member_values as not materialized (

    select
        members.*,
        group_indicators.indicator_code,
        group_indicators.indicator_key,
        case group_indicators.value_source
        {%- for vs in scoring_value_sources() %}
            when '{{ vs }}' then cast(source_values.{{ vs }} as numeric)
        {%- endfor %}
        end as indicator_value
    from members
    inner join source_values
        on source_values.uscc = members.uscc
        and source_values.eval_year = members.eval_year
    inner join group_indicators
        on group_indicators.cohort_group_id = members.cohort_group_id

),

-- every value is a member of its stage cohort, and also of the all-stages cohort of its region
-- when some stage there falls back to it (partition ids are unique across schemes and years)
memberships as (

    select
        member_values.*,
        member_values.stage_partition_id as partition_id
    from member_values

    union all

    select
        member_values.*,
        member_values.all_stages_partition_id as partition_id
    from member_values
    where member_values.region_has_fallback

),

-- one sort of the narrow membership rows per cohort and indicator: members at or below each value
counted as (

    select
        memberships.*,
        count(*) over (
            partition by partition_id, indicator_key
            order by coalesce(indicator_value, 0)
            range between unbounded preceding and current row
        ) as members_at_or_below
    from memberships

),

final as (

    select
        cohort_group_id,
        eval_year,
        uscc,
        -- the same in every scheme of the group: the schemes' ratios need no join back to the
        -- evaluated enterprises
        city_code,
        stage,
        indicator_code,
        indicator_value,
        cohort_basis,
        cohort_size,
        cast(case when indicator_value > 0 then members_at_or_below else 0 end as bigint) as ratio_numerator
    from counted
    -- keep the membership that is the enterprise's own cohort
    where partition_id = cohort_partition_id

)

select * from final
