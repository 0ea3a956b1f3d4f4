{{ config(
    indexes=[{'columns': ['bank_code', 'is_in_force']}],
) }}

-- Enterprises' consents to share their score with a bank (企业授权), with whether each is in force on
-- the as-of date (granted on or before it, not revoked on or before it). Superset's per-bank
-- row-level security joins through this table: a bank sees only enterprises consenting to it.
with consents as (

    select * from {{ ref('stg_consents__consents') }}

),

enterprises as (

    select
        uscc,
        name as enterprise_name,
        city_code
    from {{ ref('int_feeds__registry') }}

),

final as (

    select
        c.uscc,
        c.bank_code,
        e.enterprise_name,
        e.city_code,
        c.granted_date,
        c.revoked_date,
        c.granted_date <= {{ monitoring_as_of_date() }}
            and (c.revoked_date is null or c.revoked_date > {{ monitoring_as_of_date() }}) as is_in_force,
        {{ monitoring_as_of_date() }} as as_of_date
    from consents as c
    left join enterprises as e
        on e.uscc = c.uscc

)

select * from final
