-- Scheme coverage (方案覆盖): the cities each scheme covers and the regions it reports on. A scheme
-- covers the cities of its own region (the region itself for a city scheme, the cities of the
-- province for a provincial one) and reports on its own region and on each covered city.
-- One row per (scheme_code, region_code, city_code); is_scheme_region marks the rows of the
-- scheme's own region, one per covered city: `where is_scheme_region` lists the covered cities.
with schemes as (

    select
        scheme_code,
        region_code,
        first_year,
        last_year
    from {{ ref('schemes') }}

),

region_cities as (

    select
        region_code,
        region_name_zh,
        region_level,
        city_code
    from {{ ref('int_regions__region_cities') }}

),

covered_cities as (

    select
        s.scheme_code,
        s.region_code as scheme_region_code,
        s.first_year,
        s.last_year,
        rc.city_code
    from schemes as s
    inner join region_cities as rc
        on rc.region_code = s.region_code

),

final as (

    select
        cc.scheme_code,
        rc.region_code,
        rc.region_name_zh,
        rc.region_level,
        cc.city_code,
        rc.region_code = cc.scheme_region_code as is_scheme_region,
        cc.scheme_region_code,
        cc.first_year,
        cc.last_year
    from covered_cities as cc
    inner join region_cities as rc
        on rc.city_code = cc.city_code
    where rc.region_code = cc.scheme_region_code
        or rc.region_code = rc.city_code

)

select * from final
