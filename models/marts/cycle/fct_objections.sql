-- Objections to publicity lists (异议), one row per objection, for the 公示与异议 dashboard: the
-- enterprise and its city as the publicity list froze them, what was objected to by its Chinese name
-- (the indicator's, or the feed field's label with its feed's name), the decision (复核) if any, and
-- integer flags that a chart sums (objections, is_open, is_accepted, is_rejected, is_decided,
-- days_to_decide: received → decided, in days).
with objections as (

    select * from {{ ref('stg_cycle__objections') }}

),

decisions as (

    select * from {{ ref('stg_cycle__objection_decisions') }}

),

publications as (

    select * from {{ ref('stg_publications__publications') }}

),

listed as (

    select * from {{ ref('int_publications__published_scores') }}

),

schemes as (

    select * from {{ ref('dim_scheme') }}

),

regions as (

    select * from {{ ref('regions') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

feeds as (

    select * from {{ ref('ref_feeds') }}

),

feed_fields as (

    select * from {{ ref('ref_feed_fields') }}

),

labels as (

    select * from {{ ref('ref_cycle_labels') }}

),

joined as (

    select
        o.objection_id,
        o.publication_id,
        p.scheme_code,
        p.eval_year,
        o.uscc,
        l.enterprise_name,
        l.city_code,
        o.indicator_code,
        o.feed,
        o.field,
        coalesce(o.indicator_code, o.feed || '.' || o.field) as subject_code,
        coalesce(i.indicator_name_zh, f.feed_name_zh || '：' || ff.field_name_zh) as subject_name_zh,
        case when o.indicator_code is not null then 'indicator' else 'field' end as subject_kind,
        o.claim_zh,
        o.evidence_ref,
        o.received_on,
        coalesce(d.decision, 'open') as status,
        d.correction,
        d.reason_zh as decision_reason_zh,
        d.decided_on,
        d.redelivery_batch_id
    from objections as o
    inner join publications as p
        on p.publication_id = o.publication_id
    left join listed as l
        on l.publication_id = o.publication_id
        and l.uscc = o.uscc
    left join decisions as d
        on d.objection_id = o.objection_id
    left join indicators as i
        on i.indicator_code = o.indicator_code
    left join feeds as f
        on f.feed = o.feed
    left join feed_fields as ff
        on ff.feed = o.feed
        and ff.field = o.field

),

final as (

    select
        j.objection_id,
        j.publication_id,
        j.scheme_code,
        s.scheme_name_zh,
        j.eval_year,
        j.uscc,
        j.enterprise_name,
        j.city_code,
        r.region_name_zh as city_name_zh,
        j.subject_kind,
        j.subject_code,
        j.subject_name_zh,
        j.indicator_code,
        j.feed,
        j.field,
        j.claim_zh,
        j.evidence_ref,
        j.received_on,
        j.status,
        st.name_zh as status_zh,
        st.display_order as status_order,
        j.decided_on,
        j.decision_reason_zh,
        j.correction,
        c.name_zh as correction_zh,
        j.redelivery_batch_id,
        1 as objections,
        (j.status = 'open')::integer as is_open,
        (j.status = 'accepted')::integer as is_accepted,
        (j.status = 'rejected')::integer as is_rejected,
        (j.status <> 'open')::integer as is_decided,
        (j.decided_on - j.received_on) as days_to_decide
    from joined as j
    left join schemes as s
        on s.scheme_code = j.scheme_code
    left join regions as r
        on r.region_code = j.city_code
    left join labels as st
        on st.vocabulary = 'objection_status'
        and st.code = j.status
    left join labels as c
        on c.vocabulary = 'correction'
        and c.code = j.correction

)

select * from final
