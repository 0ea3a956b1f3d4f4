-- Enterprises pushed to a partner bank (推送企业) with their push: one row per (push, enterprise)
-- with the push's bank, publication and date.
with pushes as (

    select
        push_id,
        bank_code,
        publication_id,
        pushed_at,
        push_date
    from {{ ref('stg_publications__bank_pushes') }}

),

push_enterprises as (

    select
        push_id,
        uscc
    from {{ ref('stg_publications__bank_push_enterprises') }}

),

joined as (

    select
        e.push_id,
        e.uscc,
        p.bank_code,
        p.publication_id,
        p.pushed_at,
        p.push_date
    from push_enterprises as e
    inner join pushes as p
        on p.push_id = e.push_id

)

select * from joined
