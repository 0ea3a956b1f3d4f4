{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'city_code']}, {'columns': ['bank_code', 'scheme_code']}],
    post_hook=["analyze {{ this }}"],
) }}

-- Yearly financing facts (融资年度指标) by scheme, year, city and bank. As in fct_financing_monthly, a
-- loan counts in the calendar year of the event each figure is about: received, withdrawn and pending
-- by applied year; decided, approved, rejected and approval days by decision year; disbursement,
-- cost and credit quality (status as of the feed's as_of_date) by disbursed year. Distinct-enterprise
-- counts are distinct within the row: they add up over cities (an enterprise has one city) but not
-- over banks, so an all-banks success rate comes from fct_loan_applications, not from summing rows.
with loans as (

    select * from {{ ref('fct_loan_applications') }}

),

cities as (

    select
        region_code as city_code,
        region_name_zh as city_name_zh
    from {{ ref('regions') }}

),

banks as (

    select
        bank_code,
        bank_name_zh
    from {{ ref('ref_banks') }}

),

by_applied_year as (

    select
        scheme_code,
        applied_year as eval_year,
        city_code,
        bank_code,
        count(*) as applications_received,
        count(*) filter (where is_withdrawn) as applications_withdrawn,
        count(*) filter (where is_pending) as applications_pending
    from loans
    group by 1, 2, 3, 4

),

by_decision_year as (

    select
        scheme_code,
        decision_year as eval_year,
        city_code,
        bank_code,
        count(*) as applications_decided,
        count(*) filter (where is_approved) as applications_approved,
        count(*) filter (where is_rejected) as applications_rejected,
        count(distinct uscc) as enterprises_decided,
        count(distinct uscc) filter (where is_approved) as enterprises_approved,
        sum(approval_days) as approval_days_sum,
        {{ monitoring_percentile(0.5, 'approval_days') }} as approval_days_p50,
        {{ monitoring_percentile(0.9, 'approval_days') }} as approval_days_p90
    from loans
    where is_decided
    group by 1, 2, 3, 4

),

by_disbursed_year as (

    select
        scheme_code,
        disbursed_year as eval_year,
        city_code,
        bank_code,
        count(*) as loans_disbursed,
        count(distinct uscc) as enterprises_financed,
        sum(amount_disbursed) as amount_disbursed,
        coalesce(sum(amount_disbursed) filter (where annual_rate_pct is not null), 0) as amount_with_rate,
        coalesce(sum(amount_disbursed * annual_rate_pct), 0) as rate_pct_x_amount,
        coalesce(sum(amount_disbursed * all_in_rate_pct), 0) as all_in_rate_pct_x_amount,
        coalesce(sum(amount_disbursed) filter (where spread_bp is not null), 0) as amount_with_lpr,
        coalesce(sum(amount_disbursed * spread_bp), 0) as spread_bp_x_amount,
        coalesce(sum(amount_disbursed) filter (where saving_pct_points is not null), 0)
            as amount_with_ordinary_rate,
        coalesce(sum(amount_disbursed * ordinary_rate_pct) filter (where saving_pct_points is not null), 0)
            as ordinary_rate_pct_x_amount,
        coalesce(sum(amount_disbursed * saving_pct_points), 0) as saving_pct_points_x_amount,
        count(*) filter (where is_overdue) as loans_overdue,
        count(*) filter (where is_default) as loans_default,
        coalesce(sum(outstanding_balance), 0) as outstanding_balance,
        coalesce(sum(outstanding_balance) filter (where is_overdue), 0) as overdue_balance,
        coalesce(sum(outstanding_balance) filter (where is_default), 0) as default_balance
    from loans
    where is_disbursed
    group by 1, 2, 3, 4

),

keys as (

    select scheme_code, eval_year, city_code, bank_code from by_applied_year
    union
    select scheme_code, eval_year, city_code, bank_code from by_decision_year
    union
    select scheme_code, eval_year, city_code, bank_code from by_disbursed_year

),

joined as (

    select
        k.scheme_code,
        k.eval_year,
        k.city_code,
        c.city_name_zh,
        k.bank_code,
        bk.bank_name_zh,
        coalesce(a.applications_received, 0) as applications_received,
        coalesce(a.applications_withdrawn, 0) as applications_withdrawn,
        coalesce(a.applications_pending, 0) as applications_pending,
        coalesce(d.applications_decided, 0) as applications_decided,
        coalesce(d.applications_approved, 0) as applications_approved,
        coalesce(d.applications_rejected, 0) as applications_rejected,
        coalesce(d.enterprises_decided, 0) as enterprises_decided,
        coalesce(d.enterprises_approved, 0) as enterprises_approved,
        coalesce(d.approval_days_sum, 0) as approval_days_sum,
        d.approval_days_p50,
        d.approval_days_p90,
        coalesce(b.loans_disbursed, 0) as loans_disbursed,
        coalesce(b.enterprises_financed, 0) as enterprises_financed,
        coalesce(b.amount_disbursed, 0) as amount_disbursed,
        coalesce(b.amount_with_rate, 0) as amount_with_rate,
        coalesce(b.rate_pct_x_amount, 0) as rate_pct_x_amount,
        coalesce(b.all_in_rate_pct_x_amount, 0) as all_in_rate_pct_x_amount,
        coalesce(b.amount_with_lpr, 0) as amount_with_lpr,
        coalesce(b.spread_bp_x_amount, 0) as spread_bp_x_amount,
        coalesce(b.amount_with_ordinary_rate, 0) as amount_with_ordinary_rate,
        coalesce(b.ordinary_rate_pct_x_amount, 0) as ordinary_rate_pct_x_amount,
        coalesce(b.saving_pct_points_x_amount, 0) as saving_pct_points_x_amount,
        coalesce(b.loans_overdue, 0) as loans_overdue,
        coalesce(b.loans_default, 0) as loans_default,
        coalesce(b.outstanding_balance, 0) as outstanding_balance,
        coalesce(b.overdue_balance, 0) as overdue_balance,
        coalesce(b.default_balance, 0) as default_balance
    from keys as k
    left join by_applied_year as a
        on a.scheme_code = k.scheme_code and a.eval_year = k.eval_year
        and a.city_code = k.city_code and a.bank_code = k.bank_code
    left join by_decision_year as d
        on d.scheme_code = k.scheme_code and d.eval_year = k.eval_year
        and d.city_code = k.city_code and d.bank_code = k.bank_code
    left join by_disbursed_year as b
        on b.scheme_code = k.scheme_code and b.eval_year = k.eval_year
        and b.city_code = k.city_code and b.bank_code = k.bank_code
    left join cities as c
        on c.city_code = k.city_code
    left join banks as bk
        on bk.bank_code = k.bank_code

),

final as (

    select
        *,
        {{ monitoring_ratio('enterprises_approved', 'enterprises_decided') }} as enterprise_success_rate,
        {{ monitoring_ratio('applications_approved', 'applications_decided') }} as application_success_rate,
        {{ monitoring_ratio('approval_days_sum', 'applications_decided', 2) }} as approval_days_mean,
        {{ monitoring_ratio('rate_pct_x_amount', 'amount_with_rate', 4) }} as weighted_rate_pct,
        {{ monitoring_ratio('all_in_rate_pct_x_amount', 'amount_with_rate', 4) }} as weighted_all_in_rate_pct,
        {{ monitoring_ratio('spread_bp_x_amount', 'amount_with_lpr', 2) }} as weighted_spread_bp,
        {{ monitoring_ratio('saving_pct_points_x_amount', 'ordinary_rate_pct_x_amount') }} as saving_share,
        {{ monitoring_ratio('loans_overdue', 'loans_disbursed') }} as overdue_rate_by_count,
        {{ monitoring_ratio('overdue_balance', 'outstanding_balance') }} as overdue_rate_by_balance,
        {{ monitoring_ratio('loans_default', 'loans_disbursed') }} as default_rate_by_count,
        {{ monitoring_ratio('default_balance', 'outstanding_balance') }} as default_rate_by_balance
    from joined

)

select * from final
