{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'city_code']}],
) }}
{#- the columns every count is broken down by, the subset that identifies a row, and the three
    counts by the month of their event, joined on those keys -#}
{%- set dimensions = ['scheme_code', 'city_code', 'city_name_zh', 'bank_code', 'bank_name_zh', 'product_code',
                      'product_name_zh', 'grade', 'grade_display_zh', 'grade_order'] -%}
{%- set join_keys = ['month', 'scheme_code', 'city_code', 'bank_code', 'product_code', 'grade'] -%}
{%- set counted = {'a': 'by_applied_month', 'd': 'by_decision_month', 'b': 'by_disbursed_month'} -%}

-- Monthly financing facts (融资监测月度指标) by scheme, city, bank, product and grade at application.
-- A loan counts in the month of the event each figure is about: received, withdrawn and pending by
-- applied_month; decided, approved, rejected and approval days by decision_month; disbursement,
-- cost and credit quality (a vintage view: status as of the feed's as_of_date) by disbursed_month.
-- Sums and numerators/denominators re-aggregate over any rows; distinct-enterprise counts and
-- percentiles hold for the row only. Each code has its name beside it (city, bank, product, grade as
-- dim_grade shows it), and lpr_1y_pct is the one-year LPR in force in the month.
with loans as (

    -- the columns the counts read: this CTE is read three times, so PostgreSQL materializes it
    select
        scheme_code,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        product_code,
        product_name_zh,
        coalesce(grade_at_application, {{ monitoring_no_grade() }}) as grade,
        grade_display_zh,
        grade_order,
        uscc,
        applied_month,
        decision_month,
        disbursed_month,
        is_decided,
        is_approved,
        is_rejected,
        is_withdrawn,
        is_pending,
        is_disbursed,
        is_overdue,
        is_default,
        approval_days,
        amount_disbursed,
        annual_rate_pct,
        all_in_rate_pct,
        spread_bp,
        ordinary_rate_pct,
        saving_pct_points,
        outstanding_balance
    from {{ ref('fct_loan_applications') }}

),

lpr_periods as (

    select
        effective_from,
        effective_until,
        lpr_1y_pct
    from {{ ref('int_monitoring__lpr_periods') }}

),

by_applied_month as (

    select
        applied_month as month,
        {{ dimensions | join(',\n        ') }},
        count(*) as applications_received,
        count(*) filter (where is_withdrawn) as applications_withdrawn,
        count(*) filter (where is_pending) as applications_pending
    from loans
    group by month, {{ dimensions | join(', ') }}

),

by_decision_month as (

    select
        decision_month as month,
        {{ dimensions | join(',\n        ') }},
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
    group by month, {{ dimensions | join(', ') }}

),

by_disbursed_month as (

    select
        disbursed_month as month,
        {{ dimensions | join(',\n        ') }},
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
    group by month, {{ dimensions | join(', ') }}

),

keys as (

    {% for cte in counted.values() %}
    select month, {{ dimensions | join(', ') }} from {{ cte }}
    {% if not loop.last %}union{% endif %}
    {% endfor %}

),

joined as (

    select
        k.month,
        extract(year from k.month)::integer as eval_year,
        k.scheme_code,
        k.city_code,
        k.city_name_zh,
        k.bank_code,
        k.bank_name_zh,
        k.product_code,
        k.product_name_zh,
        k.grade,
        k.grade_display_zh,
        k.grade_order,
        coalesce(a.applications_received, 0) as applications_received,
        coalesce(d.applications_decided, 0) as applications_decided,
        coalesce(d.applications_approved, 0) as applications_approved,
        coalesce(d.applications_rejected, 0) as applications_rejected,
        coalesce(a.applications_withdrawn, 0) as applications_withdrawn,
        coalesce(a.applications_pending, 0) as applications_pending,
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
    {% for alias, cte in counted.items() %}
    left join {{ cte }} as {{ alias }}
        on {% for c in join_keys %}{{ alias }}.{{ c }} = k.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    {% endfor %}
),

named as (

    select
        j.month,
        j.eval_year,
        j.scheme_code,
        j.city_code,
        j.city_name_zh,
        j.bank_code,
        j.bank_name_zh,
        j.product_code,
        j.product_name_zh,
        j.grade,
        j.grade_display_zh,
        j.grade_order,
        lpr.lpr_1y_pct,
        j.applications_received,
        j.applications_decided,
        j.applications_approved,
        j.applications_rejected,
        j.applications_withdrawn,
        j.applications_pending,
        j.enterprises_decided,
        j.enterprises_approved,
        j.approval_days_sum,
        j.approval_days_p50,
        j.approval_days_p90,
        j.loans_disbursed,
        j.enterprises_financed,
        j.amount_disbursed,
        j.amount_with_rate,
        j.rate_pct_x_amount,
        j.all_in_rate_pct_x_amount,
        j.amount_with_lpr,
        j.spread_bp_x_amount,
        j.amount_with_ordinary_rate,
        j.ordinary_rate_pct_x_amount,
        j.saving_pct_points_x_amount,
        j.loans_overdue,
        j.loans_default,
        j.outstanding_balance,
        j.overdue_balance,
        j.default_balance
    from joined as j
    left join lpr_periods as lpr
        on j.month >= lpr.effective_from
        and (lpr.effective_until is null or j.month < lpr.effective_until)

),

final as (

    select
        *,
        {{ monitoring_financing_rates() }}
    from named

)

select * from final
