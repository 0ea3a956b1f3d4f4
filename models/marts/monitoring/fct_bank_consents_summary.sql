-- Consents to share the score with each bank (授权情况汇总) by bank and city on the as-of date: the
-- small table the dashboards' consent figures read (dim_bank_consents holds one row per consent).
with consents as (

    select * from {{ ref('dim_bank_consents') }}

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

)

select * from final
