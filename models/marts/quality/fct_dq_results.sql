-- Data-quality results for the 数据质量 dashboard: one row per check of every validation run, with
-- the run's outcome and time. Province-level by design (no city_code): the checks are about
-- deliveries and marts as a whole, not about one city's rows.
with runs as (

    select * from {{ ref('stg_quality__dq_runs') }}

),

results as (

    select * from {{ ref('stg_quality__dq_results') }}

),

latest_run as (

    select max(finished_at) as finished_at
    from runs

),

final as (

    select
        results.result_id,
        results.run_id,
        runs.started_at as run_started_at,
        runs.finished_at as run_finished_at,
        (runs.started_at at time zone 'Asia/Shanghai')::date as run_date,
        runs.success as run_success,
        runs.finished_at = latest_run.finished_at as is_latest_run,
        results.suite_name,
        results.area,
        results.asset_name,
        results.feed,
        results.expectation_type,
        coalesce(results.check_name, results.expectation_type) as check_name,
        results.column_name,
        results.description,
        results.success,
        results.severity,
        results.purpose,
        case when results.success then 0 else 1 end as failed_count,
        left(results.observed_value::text, 500) as observed_value_text,
        case
            when results.check_name = 'never_delivered' then 'not_delivered'
            when results.area = 'freshness' then results.observed_value ->> 'status'
        end as freshness_status,
        case when results.area = 'freshness' and results.observed_value ->> 'max_loaded_at' not like '0001-%'
            then round((results.observed_value ->> 'age_hours')::numeric / 24, 2) end as age_days,
        results.unexpected_count,
        results.unexpected_percent,
        results.element_count,
        results.exception_message,
        results.covered_batch_id,
        results.run_time
    from results
    inner join runs
        on runs.run_id = results.run_id
    cross join latest_run

)

select * from final
