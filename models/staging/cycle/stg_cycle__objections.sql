with source as (

    select * from {{ source('cycle', 'objections') }}

),

renamed as (

    select
        objection_id,
        publication_id,
        uscc,
        indicator_code,
        feed,
        field,
        claim_zh,
        evidence_ref,
        received_on,
        recorded_by,
        recorded_at,
        source_file,
        source_line
    from source

)

select * from renamed
