-- Quarantined rows by batch, feed and reason (隔离记录汇总) for the data-quality dashboard.
with quarantine as (

    select * from {{ ref('stg_audit__quarantine') }}

),

batches as (

    select
        batch_id,
        loaded_at
    from {{ ref('stg_audit__import_batches') }}

),

aggregated as (

    select
        batch_id,
        feed,
        reason,
        min(file_name) as file_name,
        count(*) as rows_quarantined,
        count(distinct line) as lines_quarantined,
        string_agg(distinct field, ', ' order by field) as fields,
        min(quarantined_at) as first_quarantined_at,
        max(quarantined_at) as last_quarantined_at
    from quarantine
    group by 1, 2, 3

),

final as (

    select
        a.batch_id,
        a.feed,
        a.reason,
        a.file_name,
        b.loaded_at,
        b.loaded_at::date as loaded_date,
        a.rows_quarantined,
        a.lines_quarantined,
        a.fields,
        a.first_quarantined_at,
        a.last_quarantined_at
    from aggregated as a
    left join batches as b
        on b.batch_id = a.batch_id

)

select * from final
