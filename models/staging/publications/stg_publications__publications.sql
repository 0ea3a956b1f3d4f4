-- One row per publication (发布批次), from audit.publications.
with source as (

    select * from {{ source('publications', 'publications') }}

),

renamed as (

    select
        publication_id::bigint as publication_id,
        scheme_code::text as scheme_code,
        eval_year::integer as eval_year,
        published_at::timestamptz as published_at,
        kind::text as kind,
        opens_on::date as opens_on,
        closes_on::date as closes_on,
        publicity_publication_id::bigint as publicity_publication_id
    from source

)

select * from renamed
