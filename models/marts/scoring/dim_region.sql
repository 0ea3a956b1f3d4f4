-- Region dimension (行政区划维度): Liaoning and its cities.

with regions as (

    select * from {{ ref('regions') }}

),

final as (

    select
        regions.region_code,
        regions.region_name_zh,
        regions.region_name_en,
        regions.level,
        regions.parent_code,
        parents.region_name_zh as parent_name_zh
    from regions
    left join regions as parents
        on parents.region_code = regions.parent_code

)

select * from final
