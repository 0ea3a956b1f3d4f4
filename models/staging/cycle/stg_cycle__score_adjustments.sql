with source as (

    select * from {{ source('cycle', 'score_adjustments') }}

),

renamed as (

    select
        adjustment_id,
        objection_id,
        feed,
        key_text,
        uscc,
        field,
        old_value,
        new_value,
        reason_zh,
        approver,
        evidence_ref,
        created_by,
        created_at
    from source

)

select * from renamed
