with source as (

    select * from {{ source('policy', 'policy') }}

),

ranked as (

    select
        policy_app_id,
        uscc,
        policy_type,
        applied_date,
        approved_date,
        amount_approved,
        disbursed_date,
        amount_disbursed,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by policy_app_id
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        policy_app_id,
        uscc,
        policy_type,
        applied_date,
        approved_date,
        amount_approved,
        disbursed_date,
        amount_disbursed,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
