{#- rebuilt by loan: a delivery of loans computes only the loans it changed (macros/monitoring/loans_delta.sql) -#}
{{ config(**rebuilt_by_loan()) }}
-- depends_on: {{ ref('int_monitoring__loan_changes') }}
-- One row per loan application (贷款申请) with its enterprise, bank, product, months, flags and the
-- cost figures of metrics.md: all-in rate, LPR in force in the disbursement month, spread in bp,
-- saving against the bank's ordinary product. Loans of enterprises missing from the registry keep
-- a null city_code here (and so enter no scheme's marts).
with loans as (

    select * from {{ ref('stg_loans__applications') }}
    where {{ loans_to_build() }}

),

enterprises as (

    select
        uscc,
        name as enterprise_name,
        city_code
    from {{ ref('int_feeds__registry') }}

),

products as (

    select
        product_code,
        product_name_zh,
        loan_type,
        points_based,
        ordinary_rate_pct
    from {{ ref('ref_loan_products') }}

),

banks as (

    select
        bank_code,
        bank_name_zh
    from {{ ref('ref_banks') }}

),

cities as (

    select
        region_code as city_code,
        region_name_zh as city_name_zh
    from {{ ref('regions') }}

),

lpr_periods as (

    select * from {{ ref('int_monitoring__lpr_periods') }}

),

flagged as (

    select
        l.loan_app_id,
        l.uscc,
        e.enterprise_name,
        e.city_code,
        c.city_name_zh,
        l.bank_code,
        b.bank_name_zh,
        l.product_code,
        p.product_name_zh,
        p.loan_type,
        p.points_based,
        l.applied_date,
        l.decision_date,
        l.disbursed_date,
        date_trunc('month', l.applied_date)::date as applied_month,
        date_trunc('month', l.decision_date)::date as decision_month,
        date_trunc('month', l.disbursed_date)::date as disbursed_month,
        l.decision,
        l.decision in ('approved', 'rejected') and l.decision_date is not null as is_decided,
        l.decision = 'approved' and l.decision_date is not null as is_approved,
        l.decision = 'rejected' and l.decision_date is not null as is_rejected,
        l.decision = 'withdrawn' as is_withdrawn,
        l.decision = 'pending' as is_pending,
        l.decision = 'approved' and l.disbursed_date is not null as is_disbursed,
        l.amount_requested,
        l.amount_approved,
        l.annual_rate_pct,
        l.term_months,
        l.guarantee_org,
        l.guarantee_fee_pct,
        p.ordinary_rate_pct,
        l.status,
        l.outstanding_balance,
        l.as_of_date
    from loans as l
    left join enterprises as e
        on e.uscc = l.uscc
    left join products as p
        on p.product_code = l.product_code
    left join banks as b
        on b.bank_code = l.bank_code
    left join cities as c
        on c.city_code = e.city_code

),

with_lpr as (

    select
        f.*,
        lpr.lpr_1y_pct
    from flagged as f
    left join lpr_periods as lpr
        on f.is_disbursed
        and f.disbursed_month >= lpr.effective_from
        and (lpr.effective_until is null or f.disbursed_month < lpr.effective_until)

),

final as (

    select
        loan_app_id,
        uscc,
        enterprise_name,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        product_code,
        product_name_zh,
        loan_type,
        points_based,
        applied_date,
        decision_date,
        disbursed_date,
        applied_month,
        decision_month,
        disbursed_month,
        extract(year from applied_date)::integer as applied_year,
        extract(year from decision_date)::integer as decision_year,
        extract(year from disbursed_date)::integer as disbursed_year,
        decision,
        is_decided,
        is_approved,
        is_rejected,
        is_withdrawn,
        is_pending,
        is_disbursed,
        case when is_decided then decision_date - applied_date end as approval_days,
        amount_requested,
        amount_approved,
        case when is_disbursed then amount_approved end as amount_disbursed,
        annual_rate_pct,
        term_months,
        guarantee_org,
        guarantee_fee_pct,
        annual_rate_pct + coalesce(guarantee_fee_pct, 0) as all_in_rate_pct,
        lpr_1y_pct,
        (annual_rate_pct - lpr_1y_pct) * 100 as spread_bp,
        ordinary_rate_pct,
        ordinary_rate_pct - annual_rate_pct as saving_pct_points,
        {{ monitoring_ratio('ordinary_rate_pct - annual_rate_pct', 'ordinary_rate_pct') }} as saving_share,
        status,
        is_disbursed and status = 'overdue' as is_overdue,
        is_disbursed and status = 'default' as is_default,
        is_disbursed and status in ('default', 'repaid') as has_outcome,
        case when is_disbursed then coalesce(outstanding_balance, 0) end as outstanding_balance,
        as_of_date
    from with_lpr

)

select * from final
