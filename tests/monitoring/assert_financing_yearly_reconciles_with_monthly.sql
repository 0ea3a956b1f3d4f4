-- fct_financing_yearly adds up to fct_financing_monthly per (scheme, year, city, bank) on every
-- additive figure (counts, amounts, numerators and denominators): both count a loan in the calendar
-- year of the event each figure is about. Returns the rows that do not reconcile.
with yearly as (

    select
        scheme_code,
        eval_year,
        city_code,
        bank_code,
        applications_received,
        applications_withdrawn,
        applications_pending,
        applications_decided,
        applications_approved,
        applications_rejected,
        approval_days_sum,
        loans_disbursed,
        amount_disbursed,
        amount_with_rate,
        rate_pct_x_amount,
        all_in_rate_pct_x_amount,
        amount_with_lpr,
        spread_bp_x_amount,
        ordinary_rate_pct_x_amount,
        saving_pct_points_x_amount,
        loans_default,
        outstanding_balance,
        default_balance
    from {{ ref('fct_financing_yearly') }}

),

monthly as (

    select
        scheme_code,
        eval_year,
        city_code,
        bank_code,
        sum(applications_received) as applications_received,
        sum(applications_withdrawn) as applications_withdrawn,
        sum(applications_pending) as applications_pending,
        sum(applications_decided) as applications_decided,
        sum(applications_approved) as applications_approved,
        sum(applications_rejected) as applications_rejected,
        sum(approval_days_sum) as approval_days_sum,
        sum(loans_disbursed) as loans_disbursed,
        sum(amount_disbursed) as amount_disbursed,
        sum(amount_with_rate) as amount_with_rate,
        sum(rate_pct_x_amount) as rate_pct_x_amount,
        sum(all_in_rate_pct_x_amount) as all_in_rate_pct_x_amount,
        sum(amount_with_lpr) as amount_with_lpr,
        sum(spread_bp_x_amount) as spread_bp_x_amount,
        sum(ordinary_rate_pct_x_amount) as ordinary_rate_pct_x_amount,
        sum(saving_pct_points_x_amount) as saving_pct_points_x_amount,
        sum(loans_default) as loans_default,
        sum(outstanding_balance) as outstanding_balance,
        sum(default_balance) as default_balance
    from {{ ref('fct_financing_monthly') }}
    group by 1, 2, 3, 4

)

select
    coalesce(y.scheme_code, m.scheme_code) as scheme_code,
    coalesce(y.eval_year, m.eval_year) as eval_year,
    coalesce(y.city_code, m.city_code) as city_code,
    coalesce(y.bank_code, m.bank_code) as bank_code
from yearly as y
full outer join monthly as m
    on m.scheme_code = y.scheme_code
    and m.eval_year = y.eval_year
    and m.city_code = y.city_code
    and m.bank_code = y.bank_code
where y.scheme_code is null
    or m.scheme_code is null
    or (y.applications_received, y.applications_withdrawn, y.applications_pending, y.applications_decided,
        y.applications_approved, y.applications_rejected, y.approval_days_sum, y.loans_disbursed,
        y.amount_disbursed, y.amount_with_rate, y.rate_pct_x_amount, y.all_in_rate_pct_x_amount,
        y.amount_with_lpr, y.spread_bp_x_amount, y.ordinary_rate_pct_x_amount, y.saving_pct_points_x_amount,
        y.loans_default, y.outstanding_balance, y.default_balance)
    is distinct from
       (m.applications_received, m.applications_withdrawn, m.applications_pending, m.applications_decided,
        m.applications_approved, m.applications_rejected, m.approval_days_sum, m.loans_disbursed,
        m.amount_disbursed, m.amount_with_rate, m.rate_pct_x_amount, m.all_in_rate_pct_x_amount,
        m.amount_with_lpr, m.spread_bp_x_amount, m.ordinary_rate_pct_x_amount, m.saving_pct_points_x_amount,
        m.loans_default, m.outstanding_balance, m.default_balance)
