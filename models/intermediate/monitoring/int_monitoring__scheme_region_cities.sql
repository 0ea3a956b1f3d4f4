-- The regions a scheme reports on and their cities (方案统计区域): the scheme's own region (the
-- province 210000 for a provincial scheme, the city for a city scheme) and each city it covers.
-- One row per (scheme_code, region_code, city_code).
with scheme_cities as (

    select
        scheme_code,
        city_code,
        scheme_region_code
    from {{ ref('int_monitoring__scheme_cities') }}

),

region_cities as (

    select
        region_code,
        region_name_zh,
        region_level,
        city_code
    from {{ ref('int_monitoring__region_cities') }}

),

final as (

    select
        sc.scheme_code,
        rc.region_code,
        rc.region_name_zh,
        rc.region_level,
        rc.city_code
    from scheme_cities as sc
    inner join region_cities as rc
        on rc.city_code = sc.city_code
    where rc.region_code = sc.scheme_region_code
        or rc.region_code = rc.city_code

)

select * from final
