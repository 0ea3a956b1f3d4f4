{#- unlogged: the largest relation of the warehouse is derived data, rebuilt by every build; writing
    it without WAL halves its cost. A server crash empties it until the next `innopoints build`.
    The key is a unique index, enterprise first: it serves look-ups by enterprise, and the
    high-cardinality leading column makes the index build about a third cheaper than
    (scheme_code, eval_year, uscc, indicator_code). With PostgreSQL's default tuple-transfer cost
    the planner keeps this 110-million-row select serial; made cheap, the scans and joins run in
    parallel workers (measured nationally: 227 s instead of about 290 s, before the index).
    Post-hook enforce_row_rules: the row rules (0 <= points <= weight, points lost, the ratio in
    [0, 1], percentile fractions within their cohort) and the key's NOT NULL are constraints, checked
    in one scan when added and by PostgreSQL on every write since; the build's tests and the gate
    read them from the catalog instead of scanning 110 million rows again.
    Post-hook log_mart_writes: every later write to this published mart is logged in audit.mart_writes
    (the gate's change guard, innopoints.quality.state.mart_stamp).
    Post-hook no_insert_vacuum: read whole or by enterprise through the heap, so no background vacuum
    after each build (macros/warehouse/no_insert_vacuum.sql). -#}
{#- A table rebuilt whole, not incremental by year: rewriting one year in place (a third of the rows)
    measured 942 s nationally against about 370 s for the whole table, the unique index taking its
    39 million new keys one by one (README, Selective rebuilds). -#}
{{ config(
    unlogged=true,
    indexes=[{'columns': ['uscc', 'indicator_code', 'eval_year', 'scheme_code'], 'unique': true}],
    pre_hook=[
        "set local work_mem = '256MB'",
        "set local maintenance_work_mem = '2GB'",
        "set local parallel_setup_cost = 0",
        "set local parallel_tuple_cost = 0.0001",
    ],
    post_hook=[
        "{{ enforce_row_rules('fct_indicator_scores_rules',
            \"points >= 0 and points <= weight and points_lost = weight - points
              and ratio >= 0 and ratio <= 1
              and (method <> 'percentile' or (cohort_size > 0 and ratio_denominator = cohort_size
                   and ratio_numerator >= 0 and ratio_numerator <= cohort_size))\",
            not_null=['scheme_code', 'eval_year', 'uscc', 'indicator_code']) }}",
        "{{ log_mart_writes() }}",
        "{{ no_insert_vacuum() }}",
    ],
) }}
-- Indicator scores (指标得分明细): one row per (scheme, evaluation year, scored enterprise,
-- indicator) for the non-vetoed evaluated enterprises: value, cohort, ratio, weight, points and
-- points lost against the weight.

with indicator_points as (

    select * from {{ ref('int_scoring__indicator_points') }}

),

-- names and display order live in dim_indicator (join on indicator_code): at one row per
-- enterprise and indicator, every byte of a row is written about 110 million times nationally
final as (

    select
        scheme_code,
        eval_year,
        uscc,
        indicator_code,
        category_code,
        method,
        city_code,
        stage,
        indicator_value,
        cohort_basis,
        cast(cohort_size as integer) as cohort_size,
        cast(ratio_numerator as integer) as ratio_numerator,
        cast(ratio_denominator as integer) as ratio_denominator,
        ratio,
        weight,
        points,
        points_lost
    from indicator_points

)

select * from final
