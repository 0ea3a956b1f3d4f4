with source as (

    select * from {{ source('registry', 'registry') }}

),

ranked as (

    select
        uscc,
        name,
        legal_rep,
        established_date,
        deregistered_date,
        city_code,
        industry_code,
        registered_capital,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by uscc
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        uscc,
        name,
        legal_rep,
        established_date,
        deregistered_date,
        city_code,
        industry_code,
        registered_capital,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
