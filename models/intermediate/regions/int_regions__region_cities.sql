-- The cities each region holds (地区所辖地市): a city holds itself, a province its cities.
-- One row per (region_code, city_code).
with regions as (

    select
        region_code,
        region_name_zh,
        level,
        parent_code
    from {{ ref('regions') }}

),

-- each city (a region with a parent) belongs to itself and to its parent
memberships as (

    select
        region_code as city_code,
        region_code as holder_code
    from regions
    where parent_code is not null

    union all

    select
        region_code as city_code,
        parent_code as holder_code
    from regions
    where parent_code is not null

),

final as (

    select
        r.region_code,
        r.region_name_zh,
        r.level as region_level,
        m.city_code
    from memberships as m
    inner join regions as r
        on r.region_code = m.holder_code

)

select * from final
