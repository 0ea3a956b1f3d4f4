-- Scores pushed to partner banks and what followed (推送与后续融资): one row per (push, enterprise)
-- sent, with whether the enterprise's consent to that bank was in force on the push date, and
-- whether the enterprise applied to / was financed by that bank (and by any bank) on or after it.
-- "Financed" = a loan applied for on or after the push date that was disbursed.
with pushed as (

    select * from {{ ref('int_publications__pushed_enterprises') }}

),

publications as (

    select
        publication_id,
        scheme_code,
        eval_year
    from {{ ref('stg_publications__publications') }}

),

enterprises as (

    select
        uscc,
        name as enterprise_name,
        city_code
    from {{ ref('int_feeds__registry') }}

),

consents as (

    select
        uscc,
        bank_code,
        granted_date,
        revoked_date
    from {{ ref('stg_consents__consents') }}

),

loans as (

    select
        loan_app_id,
        uscc,
        bank_code,
        applied_date,
        is_disbursed,
        amount_disbursed
    from {{ ref('int_monitoring__loans') }}

),

base as (

    select
        p.push_id,
        p.uscc,
        p.bank_code,
        p.publication_id,
        pub.scheme_code,
        pub.eval_year,
        p.pushed_at,
        p.push_date as pushed_date,
        date_trunc('month', p.push_date)::date as pushed_month,
        e.enterprise_name,
        e.city_code
    from pushed as p
    left join publications as pub
        on pub.publication_id = p.publication_id
    left join enterprises as e
        on e.uscc = p.uscc

),

followed as (

    select
        b.push_id,
        b.uscc,
        bool_or(l.bank_code = b.bank_code) as applied_to_bank_after,
        bool_or(l.bank_code = b.bank_code and l.is_disbursed) as financed_by_bank_after,
        count(*) filter (where l.bank_code = b.bank_code) as applications_to_bank_after,
        sum(l.amount_disbursed) filter (where l.bank_code = b.bank_code) as amount_financed_by_bank_after,
        min(l.applied_date) filter (where l.bank_code = b.bank_code) as first_applied_date_after,
        bool_or(l.is_disbursed) as financed_by_any_bank_after
    from base as b
    inner join loans as l
        on l.uscc = b.uscc
        and l.applied_date >= b.pushed_date
    group by 1, 2

),

consent_at_push as (

    select
        b.push_id,
        b.uscc,
        bool_or(
            c.granted_date <= b.pushed_date
            and (c.revoked_date is null or c.revoked_date > b.pushed_date)
        ) as consent_in_force_at_push
    from base as b
    inner join consents as c
        on c.uscc = b.uscc
        and c.bank_code = b.bank_code
    group by 1, 2

),

final as (

    select
        b.push_id,
        b.uscc,
        b.bank_code,
        b.publication_id,
        b.scheme_code,
        b.eval_year,
        b.pushed_at,
        b.pushed_date,
        b.pushed_month,
        b.enterprise_name,
        b.city_code,
        coalesce(c.consent_in_force_at_push, false) as consent_in_force_at_push,
        coalesce(f.applied_to_bank_after, false) as applied_to_bank_after,
        coalesce(f.financed_by_bank_after, false) as financed_by_bank_after,
        coalesce(f.applications_to_bank_after, 0) as applications_to_bank_after,
        coalesce(f.amount_financed_by_bank_after, 0) as amount_financed_by_bank_after,
        f.first_applied_date_after,
        f.push_id is not null as applied_to_any_bank_after,
        coalesce(f.financed_by_any_bank_after, false) as financed_by_any_bank_after,
        banks.bank_name_zh,
        cities.region_name_zh as city_name_zh
    from base as b
    left join {{ ref('ref_banks') }} as banks
        on banks.bank_code = b.bank_code
    left join {{ ref('regions') }} as cities
        on cities.region_code = b.city_code
    left join followed as f
        on f.push_id = b.push_id
        and f.uscc = b.uscc
    left join consent_at_push as c
        on c.push_id = b.push_id
        and c.uscc = b.uscc

)

select * from final
