-- One row per push of published scores to a partner bank (推送批次), from audit.bank_pushes.
with source as (

    select * from {{ source('publications', 'bank_pushes') }}

),

renamed as (

    select
        push_id::bigint as push_id,
        bank_code::text as bank_code,
        publication_id::bigint as publication_id,
        pushed_at::timestamptz as pushed_at,
        push_date::date as push_date
    from source

)

select * from renamed
