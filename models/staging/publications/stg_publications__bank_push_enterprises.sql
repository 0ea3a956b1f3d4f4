-- One row per (push, enterprise) sent to a bank, with the push's bank, publication and time.
-- Zero rows while audit.bank_pushes / audit.bank_push_enterprises do not exist.
with pushes as (

    {{ monitoring_optional_source('publications', 'bank_pushes', [
        ('push_id', 'bigint'),
        ('bank_code', 'text'),
        ('publication_id', 'bigint'),
        ('pushed_at', 'timestamptz'),
        ('push_date', 'date'),
    ]) }}

),

push_enterprises as (

    {{ monitoring_optional_source('publications', 'bank_push_enterprises', [
        ('push_id', 'bigint'),
        ('uscc', 'text'),
    ]) }}

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
