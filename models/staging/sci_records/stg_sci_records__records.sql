with source as (

    select * from {{ source('sci_records', 'sci_records') }}

),

ranked as (

    select
        record_id,
        uscc,
        record_type,
        level,
        name,
        year,
        end_year,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by record_id
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        record_id,
        uscc,
        record_type,
        level,
        name,
        year,
        end_year,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
