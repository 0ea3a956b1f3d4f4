with source as (

    select * from {{ source('audit', 'import_batches') }}

),

renamed as (

    select
        batch_id,
        feed,
        file_name,
        content_sha256,
        rows_read,
        rows_loaded,
        rows_quarantined,
        encoding,
        loaded_by,
        loaded_at
    from source

)

select * from renamed
