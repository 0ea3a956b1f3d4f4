-- Quarantined rows by batch, feed and reason (隔离记录汇总) for the data-quality dashboard.
-- The importer writes each reason as an English message (the first problem of the row, then
-- "; also …" for the others). The reason's kind is the importer's category, recognised from the
-- first problem by the patterns of ref_quarantine_reasons (first match in match_order; the catch-all
-- 'other' last) and named in Chinese there; fields are named in Chinese from ref_feed_fields (a
-- row-level problem with no field from ref_dq_labels). Times are also given in Beijing time (*_bj).
with quarantine as (

    select * from {{ ref('stg_audit__quarantine') }}

),

batches as (

    select
        batch_id,
        loaded_at
    from {{ ref('stg_audit__import_batches') }}

),

reasons as (

    select * from {{ ref('ref_quarantine_reasons') }}

),

feeds as (

    select * from {{ ref('ref_feeds') }}

),

feed_fields as (

    select * from {{ ref('ref_feed_fields') }}

),

row_label as (

    select name_zh
    from {{ ref('ref_dq_labels') }}
    where vocabulary = 'quarantine_field' and code = 'row'

),

-- one row per distinct reason text: its kind, from the first problem of the message
reason_kinds as (

    select distinct on (texts.reason)
        texts.reason,
        reasons.reason_code,
        reasons.reason_name_zh
    from (select distinct reason from quarantine) as texts
    inner join reasons
        on split_part(texts.reason, '; also ', 1) ~ reasons.match_pattern
    order by texts.reason, reasons.match_order

),

-- each distinct field value in Chinese, its parts in their order: a duplicate key names all its
-- key fields, "uscc, year" -> 统一社会信用代码、年度
field_values as (

    select
        fv.feed,
        fv.field,
        string_agg(coalesce(ff.field_name_zh, part.field), '、' order by part.position) as field_zh
    from (select distinct feed, field from quarantine where field is not null) as fv
    cross join lateral unnest(string_to_array(fv.field, ', ')) with ordinality as part (field, position)
    left join feed_fields as ff
        on ff.feed = fv.feed
        and ff.field = part.field
    group by 1, 2

),

field_names as (

    select
        q.batch_id,
        q.feed,
        q.reason,
        string_agg(distinct fv.field_zh, '、' order by fv.field_zh) as fields_zh
    from quarantine as q
    inner join field_values as fv
        on fv.feed = q.feed
        and fv.field = q.field
    group by 1, 2, 3

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
        bool_or(field is null) as has_row_problem,
        min(quarantined_at) as first_quarantined_at,
        max(quarantined_at) as last_quarantined_at
    from quarantine
    group by 1, 2, 3

),

final as (

    select
        a.batch_id,
        a.feed,
        f.feed_name_zh,
        a.reason,
        k.reason_code,
        k.reason_name_zh as reason_zh,
        a.file_name,
        b.loaded_at,
        b.loaded_at at time zone 'Asia/Shanghai' as loaded_at_bj,
        (b.loaded_at at time zone 'Asia/Shanghai')::date as loaded_date,
        a.rows_quarantined,
        a.lines_quarantined,
        a.fields,
        concat_ws('、', fn.fields_zh, case when a.has_row_problem then row_label.name_zh end) as fields_zh,
        a.first_quarantined_at,
        a.first_quarantined_at at time zone 'Asia/Shanghai' as first_quarantined_at_bj,
        a.last_quarantined_at,
        a.last_quarantined_at at time zone 'Asia/Shanghai' as last_quarantined_at_bj
    from aggregated as a
    left join batches as b
        on b.batch_id = a.batch_id
    left join reason_kinds as k
        on k.reason = a.reason
    left join feeds as f
        on f.feed = a.feed
    left join field_names as fn
        on fn.batch_id = a.batch_id
        and fn.feed = a.feed
        and fn.reason = a.reason
    left join row_label
        on true

)

select * from final
