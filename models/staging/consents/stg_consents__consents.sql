with source as (

    select * from {{ source('consents', 'consents') }}

),

ranked as (

    select
        uscc,
        bank_code,
        granted_date,
        revoked_date,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by uscc, bank_code
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        uscc,
        bank_code,
        granted_date,
        revoked_date,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
