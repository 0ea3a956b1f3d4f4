-- The cities each scheme covers (方案覆盖地市): its own region when that is a city, or the cities of
-- its province. A loan, policy or push enters a scheme's marts through its enterprise's city.
with schemes as (

    select
        scheme_code,
        region_code,
        max_points,
        first_year,
        last_year
    from {{ ref('schemes') }}

),

region_cities as (

    select
        region_code,
        city_code
    from {{ ref('int_monitoring__region_cities') }}

),

covered as (

    select
        s.scheme_code,
        rc.city_code,
        s.region_code as scheme_region_code,
        s.max_points,
        s.first_year,
        s.last_year
    from schemes as s
    inner join region_cities as rc
        on rc.region_code = s.region_code

)

select * from covered
