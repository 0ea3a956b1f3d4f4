-- Import batches for the data-quality dashboard (数据导入批次): one row per imported file with its
-- rows read, loaded and quarantined, the quarantine share and how many distinct reasons and fields.
-- The feed is named in Chinese from ref_feeds; times are also given in Beijing time (*_bj), and the
-- dates and months derived from them are Beijing dates.
with batches as (

    select * from {{ ref('stg_audit__import_batches') }}

),

quarantine as (

    select
        batch_id,
        count(distinct reason) as quarantine_reasons,
        count(distinct field) as quarantine_fields
    from {{ ref('stg_audit__quarantine') }}
    group by 1

),

feeds as (

    select * from {{ ref('ref_feeds') }}

),

final as (

    select
        b.batch_id,
        b.feed,
        f.feed_name_zh,
        b.file_name,
        b.content_sha256,
        b.encoding,
        b.loaded_by,
        b.loaded_at,
        b.loaded_at at time zone 'Asia/Shanghai' as loaded_at_bj,
        (b.loaded_at at time zone 'Asia/Shanghai')::date as loaded_date,
        date_trunc('month', b.loaded_at at time zone 'Asia/Shanghai')::date as loaded_month,
        b.rows_read,
        b.rows_loaded,
        b.rows_quarantined,
        {{ monitoring_ratio('b.rows_quarantined', 'b.rows_read') }} as quarantine_share,
        coalesce(q.quarantine_reasons, 0) as quarantine_reasons,
        coalesce(q.quarantine_fields, 0) as quarantine_fields
    from batches as b
    left join quarantine as q
        on q.batch_id = b.batch_id
    left join feeds as f
        on f.feed = b.feed

)

select * from final
