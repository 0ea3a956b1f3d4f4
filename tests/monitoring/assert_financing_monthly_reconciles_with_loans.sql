-- fct_financing_monthly adds up to fct_loan_applications per scheme: applications received, decided,
-- approved, loans and amount disbursed, defaulted balance. Returns the schemes that do not reconcile.
with monthly as (

    select
        scheme_code,
        sum(applications_received) as applications_received,
        sum(applications_decided) as applications_decided,
        sum(applications_approved) as applications_approved,
        sum(loans_disbursed) as loans_disbursed,
        sum(amount_disbursed) as amount_disbursed,
        sum(default_balance) as default_balance
    from {{ ref('fct_financing_monthly') }}
    group by 1

),

detail as (

    select
        scheme_code,
        count(*) as applications_received,
        count(*) filter (where is_decided) as applications_decided,
        count(*) filter (where is_approved) as applications_approved,
        count(*) filter (where is_disbursed) as loans_disbursed,
        coalesce(sum(amount_disbursed), 0) as amount_disbursed,
        coalesce(sum(outstanding_balance) filter (where is_default), 0) as default_balance
    from {{ ref('fct_loan_applications') }}
    group by 1

)

select d.scheme_code
from detail as d
left join monthly as m
    on m.scheme_code = d.scheme_code
where m.scheme_code is null
    or m.applications_received <> d.applications_received
    or m.applications_decided <> d.applications_decided
    or m.applications_approved <> d.applications_approved
    or m.loans_disbursed <> d.loans_disbursed
    or m.amount_disbursed <> d.amount_disbursed
    or m.default_balance <> d.default_balance
