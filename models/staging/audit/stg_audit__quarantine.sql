with source as (

    select * from {{ source('audit', 'quarantine') }}

),

renamed as (

    select
        quarantine_id,
        batch_id,
        feed,
        file_name,
        line,
        field,
        value,
        reason,
        quarantined_at
    from source

)

select * from renamed
