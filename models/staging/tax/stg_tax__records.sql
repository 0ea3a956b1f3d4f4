with source as (

    select * from {{ source('tax', 'tax') }}

),

ranked as (

    select
        uscc,
        year,
        taxes_paid,
        rd_super_deduction,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by uscc, year
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        uscc,
        year,
        taxes_paid,
        rd_super_deduction,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
