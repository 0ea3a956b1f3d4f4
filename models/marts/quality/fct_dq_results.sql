-- Data-quality results for the 数据质量 dashboard: one row per check of every validation run, with
-- the run's outcome and time. Province-level by design (no city_code): the checks are about
-- deliveries and marts as a whole, not about one city's rows.
-- Every column a person reads has a Chinese counterpart (*_zh) named from the reference seeds
-- (ref_dq_suites, ref_dq_checks, ref_dq_labels, ref_feeds, ref_feed_fields), and every time shown
-- has a Beijing-time counterpart (*_bj: timestamp without time zone in Asia/Shanghai).
with runs as (

    select * from {{ ref('stg_quality__dq_runs') }}

),

results as (

    select * from {{ ref('stg_quality__dq_results') }}

),

suites as (

    select * from {{ ref('ref_dq_suites') }}

),

checks as (

    select * from {{ ref('ref_dq_checks') }}

),

labels as (

    select * from {{ ref('ref_dq_labels') }}

),

feeds as (

    select * from {{ ref('ref_feeds') }}

),

feed_fields as (

    select * from {{ ref('ref_feed_fields') }}

),

latest_run as (

    select max(finished_at) as finished_at
    from runs

),

classified as (

    select
        results.*,
        coalesce(results.check_name, results.expectation_type) as check_key,
        case
            when not results.success then 'fail'
            when results.severity = 'warn' then 'warn'
            else 'pass'
        end as status,
        case
            when results.check_name = 'never_delivered' then 'not_delivered'
            when results.area = 'freshness' then results.observed_value ->> 'status'
        end as freshness_status,
        case
            when results.area = 'freshness' and results.observed_value ->> 'max_loaded_at' not like '0001-%'
                then (results.observed_value ->> 'max_loaded_at')::timestamptz
        end as source_loaded_at
    from results

),

named as (

    select
        classified.*,
        feeds.feed_name_zh,
        feed_fields.field_name_zh as column_name_zh,
        feed_fields.field_kind,
        coalesce(feeds.feed_name_zh, classified.asset_name) as object_zh,
        coalesce(
            feed_fields.field_name_zh || '（' || classified.column_name || '）', classified.column_name
        ) as column_label_zh
    from classified
    left join feeds
        on feeds.feed = classified.feed
    left join feed_fields
        on feed_fields.feed = classified.feed
        and feed_fields.field = classified.column_name

),

final as (

    select
        named.result_id,
        named.run_id,
        runs.started_at as run_started_at,
        runs.finished_at as run_finished_at,
        runs.started_at at time zone 'Asia/Shanghai' as run_started_at_bj,
        runs.finished_at at time zone 'Asia/Shanghai' as run_finished_at_bj,
        (runs.started_at at time zone 'Asia/Shanghai')::date as run_date,
        runs.success as run_success,
        run_status.name_zh as run_status_zh,
        runs.finished_at = latest_run.finished_at as is_latest_run,
        named.suite_name,
        coalesce(suites.suite_name_zh, area.name_zh || '：' || named.feed_name_zh) as suite_name_zh,
        named.area,
        area.name_zh as area_zh,
        named.asset_name,
        named.feed,
        named.feed_name_zh,
        named.expectation_type,
        named.check_key as check_name,
        coalesce(kind_checks.check_name_zh, checks.check_name_zh) as check_name_zh,
        named.column_name,
        named.column_name_zh,
        named.description,
        replace(
            replace(coalesce(kind_checks.description_zh, checks.description_zh), '{object}', coalesce(named.object_zh, '')),
            '{column}', coalesce(named.column_label_zh, '')
        ) as description_zh,
        named.success,
        named.status,
        status.name_zh as status_zh,
        named.severity,
        severity.name_zh as severity_zh,
        named.purpose,
        purpose.name_zh as purpose_zh,
        case when named.success then 0 else 1 end as failed_count,
        left(named.observed_value::text, 500) as observed_value_text,
        named.freshness_status,
        freshness_status.name_zh as freshness_status_zh,
        named.source_loaded_at,
        named.source_loaded_at at time zone 'Asia/Shanghai' as source_loaded_at_bj,
        case when named.source_loaded_at is not null
            then round((named.observed_value ->> 'age_hours')::numeric / 24, 2) end as age_days,
        named.unexpected_count,
        named.unexpected_percent,
        named.element_count,
        named.exception_message,
        named.covered_batch_id,
        named.run_time,
        named.run_time at time zone 'Asia/Shanghai' as run_time_bj
    from named
    inner join runs
        on runs.run_id = named.run_id
    cross join latest_run
    left join suites
        on suites.suite_name = named.suite_name
    -- the description for the kind of field checked where there is one, else for any field
    left join checks as kind_checks
        on kind_checks.check_name = named.check_key
        and kind_checks.field_kind = named.field_kind
    left join checks
        on checks.check_name = named.check_key
        and checks.field_kind = 'any'
    left join labels as area
        on area.vocabulary = 'dq_area' and area.code = named.area
    left join labels as purpose
        on purpose.vocabulary = 'dq_purpose' and purpose.code = named.purpose
    left join labels as severity
        on severity.vocabulary = 'dq_severity' and severity.code = named.severity
    left join labels as status
        on status.vocabulary = 'dq_status' and status.code = named.status
    left join labels as run_status
        on run_status.vocabulary = 'dq_status'
        and run_status.code = case when runs.success then 'pass' else 'fail' end
    left join labels as freshness_status
        on freshness_status.vocabulary = 'dq_freshness_status' and freshness_status.code = named.freshness_status

)

select * from final
