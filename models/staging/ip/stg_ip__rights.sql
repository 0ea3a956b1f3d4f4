with source as (

    select * from {{ source('ip', 'ip') }}

),

ranked as (

    select
        ip_no,
        uscc,
        ip_type,
        application_date,
        grant_date,
        status,
        is_pct,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by ip_no
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        ip_no,
        uscc,
        ip_type,
        application_date,
        grant_date,
        status,
        is_pct,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
