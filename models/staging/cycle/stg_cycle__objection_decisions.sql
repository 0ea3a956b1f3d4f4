with source as (

    select * from {{ source('cycle', 'objection_decisions') }}

),

renamed as (

    select
        objection_id,
        decision,
        correction,
        reason_zh,
        decided_on,
        decided_by,
        decided_at,
        redelivery_batch_id
    from source

)

select * from renamed
