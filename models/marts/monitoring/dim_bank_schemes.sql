-- Which scheme's scores each partner bank is sent (推送方案): the schemes of the bank's own region or
-- of a region above it (a city bank: its city's scheme, then the province's), in order of preference:
-- the nearest region first; among schemes of one region the most specific (one that is no other
-- candidate's parent scheme, e.g. LN-2025 before MOST-2024), then the larger scale. A push sends a
-- bank the published scheme of preference 1 among those published. One row per (bank, scheme).
with banks as (

    select
        bank_code,
        region_code
    from {{ ref('ref_banks') }}

),

region_cities as (

    select
        region_code,
        city_code
    from {{ ref('int_regions__region_cities') }}

),

schemes as (

    select
        scheme_code,
        region_code,
        parent_scheme,
        max_points
    from {{ ref('schemes') }}

),

-- the bank's own region, and the region that holds it when it is a city (its province)
bank_regions as (

    select
        bank_code,
        region_code,
        0 as levels_up
    from banks

    union all

    select
        b.bank_code,
        rc.region_code,
        1 as levels_up
    from banks as b
    inner join region_cities as rc
        on rc.city_code = b.region_code
        and rc.region_code <> rc.city_code

),

candidates as (

    select
        br.bank_code,
        s.scheme_code,
        s.region_code as scheme_region_code,
        br.levels_up,
        s.parent_scheme,
        s.max_points
    from bank_regions as br
    inner join schemes as s
        on s.region_code = br.region_code

),

flagged as (

    select
        c.*,
        exists (
            select 1
            from candidates as child
            where child.bank_code = c.bank_code
                and child.parent_scheme = c.scheme_code
        ) as is_parent_of_candidate
    from candidates as c

),

final as (

    select
        bank_code,
        scheme_code,
        scheme_region_code,
        levels_up,
        is_parent_of_candidate,
        cast(row_number() over (
            partition by bank_code
            order by levels_up, is_parent_of_candidate, max_points desc, scheme_code
        ) as integer) as preference
    from flagged

)

select * from final
