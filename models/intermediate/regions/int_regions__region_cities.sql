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

cities as (

    select
        region_code as city_code,
        parent_code
    from regions
    where parent_code is not null

),

city_as_region as (

    select
        r.region_code,
        r.region_name_zh,
        r.level as region_level,
        c.city_code
    from cities as c
    inner join regions as r
        on r.region_code = c.city_code

),

parent_as_region as (

    select
        r.region_code,
        r.region_name_zh,
        r.level as region_level,
        c.city_code
    from cities as c
    inner join regions as r
        on r.region_code = c.parent_code

),

unioned as (

    select * from city_as_region
    union all
    select * from parent_as_region

)

select * from unioned
