-- Consents to share the score with each bank (授权情况汇总) by bank and city on the as-of date: the
-- small table the dashboards' consent figures read (dim_bank_consents holds one row per consent).
with consents as (

    select * from {{ ref('dim_bank_consents') }}

),

banks as (

    select bank_code, bank_name_zh from {{ ref('ref_banks') }}

),

cities as (

    select region_code as city_code, region_name_zh as city_name_zh from {{ ref('regions') }}

),

final as (

    select
        bank_code,
        coalesce(city_code, {{ monitoring_unknown_city() }}) as city_code,
        count(*) as consents,
        count(*) filter (where is_in_force) as consents_in_force,
        count(*) filter (where revoked_date is not null) as consents_revoked,
        min(as_of_date) as as_of_date
    from consents
    group by 1, 2

),

named as (

    select
        final.bank_code,
        banks.bank_name_zh,
        final.city_code,
        coalesce(cities.city_name_zh, '未知城市') as city_name_zh,
        final.consents,
        final.consents_in_force,
        final.consents_revoked,
        final.as_of_date
    from final
    left join banks
        on banks.bank_code = final.bank_code
    left join cities
        on cities.city_code = final.city_code

)

select * from named
