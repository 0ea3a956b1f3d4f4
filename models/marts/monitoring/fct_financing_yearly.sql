{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'city_code']}, {'columns': ['bank_code', 'scheme_code']}],
) }}

-- Yearly financing facts (融资年度指标) by scheme, year, city and bank. As in fct_financing_monthly, a
-- loan counts in the calendar year of the event each figure is about, so every additive figure is
-- the monthly mart summed over the months of the year (one definition). Only what does not add up
-- over months is taken from the loans: distinct-enterprise counts (distinct within the row: they add
-- up over cities, an enterprise has one city, but not over banks) and approval-day percentiles.
with monthly as (

    select * from {{ ref('fct_financing_monthly') }}

),

loans as (

    -- the columns the distinct counts and percentiles read: this CTE is read twice, so PostgreSQL
    -- materializes it
    select
        scheme_code,
        city_code,
        bank_code,
        uscc,
        decision_year,
        disbursed_year,
        is_decided,
        is_approved,
        is_disbursed,
        approval_days
    from {{ ref('fct_loan_applications') }}

),

additive as (

    select
        scheme_code,
        eval_year,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
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
        sum(amount_with_ordinary_rate) as amount_with_ordinary_rate,
        sum(ordinary_rate_pct_x_amount) as ordinary_rate_pct_x_amount,
        sum(saving_pct_points_x_amount) as saving_pct_points_x_amount,
        sum(loans_overdue) as loans_overdue,
        sum(loans_default) as loans_default,
        sum(outstanding_balance) as outstanding_balance,
        sum(overdue_balance) as overdue_balance,
        sum(default_balance) as default_balance
    from monthly
    group by 1, 2, 3, 4, 5, 6

),

decided as (

    select
        scheme_code,
        decision_year as eval_year,
        city_code,
        bank_code,
        count(distinct uscc) as enterprises_decided,
        count(distinct uscc) filter (where is_approved) as enterprises_approved,
        {{ monitoring_percentile(0.5, 'approval_days') }} as approval_days_p50,
        {{ monitoring_percentile(0.9, 'approval_days') }} as approval_days_p90
    from loans
    where is_decided
    group by 1, 2, 3, 4

),

financed as (

    select
        scheme_code,
        disbursed_year as eval_year,
        city_code,
        bank_code,
        count(distinct uscc) as enterprises_financed
    from loans
    where is_disbursed
    group by 1, 2, 3, 4

),

joined as (

    select
        a.scheme_code,
        a.eval_year,
        a.city_code,
        a.city_name_zh,
        a.bank_code,
        a.bank_name_zh,
        a.applications_received,
        a.applications_withdrawn,
        a.applications_pending,
        a.applications_decided,
        a.applications_approved,
        a.applications_rejected,
        coalesce(d.enterprises_decided, 0) as enterprises_decided,
        coalesce(d.enterprises_approved, 0) as enterprises_approved,
        a.approval_days_sum,
        d.approval_days_p50,
        d.approval_days_p90,
        a.loans_disbursed,
        coalesce(f.enterprises_financed, 0) as enterprises_financed,
        a.amount_disbursed,
        a.amount_with_rate,
        a.rate_pct_x_amount,
        a.all_in_rate_pct_x_amount,
        a.amount_with_lpr,
        a.spread_bp_x_amount,
        a.amount_with_ordinary_rate,
        a.ordinary_rate_pct_x_amount,
        a.saving_pct_points_x_amount,
        a.loans_overdue,
        a.loans_default,
        a.outstanding_balance,
        a.overdue_balance,
        a.default_balance
    from additive as a
    left join decided as d
        on d.scheme_code = a.scheme_code and d.eval_year = a.eval_year
        and d.city_code = a.city_code and d.bank_code = a.bank_code
    left join financed as f
        on f.scheme_code = a.scheme_code and f.eval_year = a.eval_year
        and f.city_code = a.city_code and f.bank_code = a.bank_code

),

final as (

    select
        *,
        {{ monitoring_financing_rates() }}
    from joined

)

select * from final
