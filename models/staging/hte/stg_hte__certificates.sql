with source as (

    select * from {{ source('hte', 'hte') }}

),

ranked as (

    select
        uscc,
        certificate_no,
        certified_date,
        expiry_date,
        report_year,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by uscc, certificate_no
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        uscc,
        certificate_no,
        certified_date,
        expiry_date,
        report_year,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
