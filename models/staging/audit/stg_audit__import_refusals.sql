with source as (

    select * from {{ source('audit', 'import_refusals') }}

),

renamed as (

    select
        refusal_id,
        file_name,
        content_sha256,
        reason,
        refused_by,
        refused_at
    from source

)

select * from renamed
