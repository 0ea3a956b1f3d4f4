-- Files refused whole at import (拒收文件) for the data-quality dashboard: one row per Beijing day,
-- feed and reason, with how many files were refused and their names. A refused file makes no batch,
-- so its feed is the one its file name starts with (loans_DLB.csv: loans; the longest feed code
-- that matches), or 未识别 when none does. The importer's message is named in Chinese, with what to do,
-- by the first pattern of ref_refusal_reasons (in match_order) that matches it.
with refusals as (

    select * from {{ ref('stg_audit__import_refusals') }}

),

reasons as (

    select * from {{ ref('ref_refusal_reasons') }}

),

feeds as (

    select
        feed,
        feed_name_zh
    from {{ ref('ref_feeds') }}

),

named as (

    select
        r.refusal_id,
        r.file_name,
        r.reason,
        r.refused_at,
        (r.refused_at at time zone 'Asia/Shanghai')::date as refused_date,
        (
            select f.feed
            from feeds as f
            where lower(r.file_name) like f.feed || '%'
            order by length(f.feed) desc
            limit 1
        ) as feed
    from refusals as r

),

final as (

    select
        n.refused_date,
        coalesce(n.feed, 'unrecognised') as feed,
        coalesce(f.feed_name_zh, '未识别') as feed_name_zh,
        n.reason,
        k.reason_code,
        k.reason_name_zh,
        k.remedy_zh,
        count(*)::integer as files_refused,
        string_agg(n.file_name, '、' order by n.refused_at, n.refusal_id) as file_names,
        max(n.refused_at) at time zone 'Asia/Shanghai' as last_refused_at_bj
    from named as n
    left join feeds as f
        on f.feed = n.feed
    cross join lateral (
        select
            r.reason_code,
            r.reason_name_zh,
            r.remedy_zh
        from reasons as r
        where n.reason ~ r.match_pattern
        order by r.match_order
        limit 1
    ) as k
    group by
        n.refused_date, coalesce(n.feed, 'unrecognised'), coalesce(f.feed_name_zh, '未识别'), n.reason,
        k.reason_code, k.reason_name_zh, k.remedy_zh

)

select * from final
