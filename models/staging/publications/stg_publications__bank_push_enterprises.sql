-- One row per (push, enterprise) sent to a bank (推送企业), from audit.bank_push_enterprises.
with source as (

    select * from {{ source('publications', 'bank_push_enterprises') }}

),

renamed as (

    select
        push_id::bigint as push_id,
        uscc::text as uscc
    from source

)

select * from renamed
