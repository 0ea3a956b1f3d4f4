-- One row per (publication, enterprise): the score as published, from audit.publication_scores.
with source as (

    select * from {{ source('publications', 'publication_scores') }}

),

renamed as (

    select
        publication_id::bigint as publication_id,
        uscc::text as uscc,
        enterprise_name::text as enterprise_name,
        city_code::text as city_code,
        total_points::numeric(12, 2) as total_points,
        grade::text as grade,
        rank_in_region::integer as rank_in_region
    from source

)

select * from renamed
