with source as (

    select * from {{ source('cycle', 'publication_changes') }}

),

renamed as (

    select
        publication_id,
        uscc,
        enterprise_name,
        city_code,
        city_name_zh,
        total_before,
        total_after,
        grade_before,
        grade_after,
        rank_before,
        rank_after,
        cause,
        objection_ids,
        explanation_zh
    from source

)

select * from renamed
