{#- rebuilt by loan: a delivery of loans computes only the loans it changed (macros/monitoring/loans_delta.sql) -#}
{{ config(
    indexes=[{'columns': ['scheme_code', 'city_code', 'eval_year']}, {'columns': ['bank_code', 'scheme_code']}],
    **rebuilt_by_loan()
) }}
-- depends_on: {{ ref('int_monitoring__loan_changes') }}

-- One row per (scheme, loan application) (贷款申请明细): every loan of an enterprise in the scheme's
-- region, with the grade it carried at application under that scheme (point in time, see
-- int_monitoring__loan_grades), the names a person reads next to each code (city, bank, product,
-- grade as dim_grade shows it) and eval_year = the year of application for the year filter.
with loans as (

    select * from {{ ref('int_monitoring__loans') }}
    where {{ loans_to_build() }}

),

grades as (

    select * from {{ ref('int_monitoring__loan_grades') }}
    where {{ loans_to_build() }}

),

grade_names as (

    select
        grade,
        grade_display_zh,
        grade_order
    from {{ ref('dim_grade') }}

),

final as (

    select
        g.scheme_code,
        l.loan_app_id,
        l.uscc,
        l.enterprise_name,
        l.city_code,
        l.city_name_zh,
        l.bank_code,
        l.bank_name_zh,
        l.product_code,
        l.product_name_zh,
        l.loan_type,
        l.points_based,
        l.applied_date,
        l.decision_date,
        l.disbursed_date,
        l.applied_month,
        l.decision_month,
        l.disbursed_month,
        l.applied_year,
        l.applied_year as eval_year,
        l.decision_year,
        l.disbursed_year,
        l.decision,
        l.is_decided,
        l.is_approved,
        l.is_rejected,
        l.is_withdrawn,
        l.is_pending,
        l.is_disbursed,
        l.approval_days,
        l.amount_requested,
        l.amount_approved,
        l.amount_disbursed,
        l.annual_rate_pct,
        l.term_months,
        l.guarantee_org,
        l.guarantee_fee_pct,
        l.all_in_rate_pct,
        l.lpr_1y_pct,
        l.spread_bp,
        l.ordinary_rate_pct,
        l.saving_pct_points,
        l.saving_share,
        l.status,
        l.is_overdue,
        l.is_default,
        l.has_outcome,
        l.outstanding_balance,
        l.as_of_date,
        g.grade_at_application,
        gn.grade_display_zh,
        gn.grade_order,
        g.total_points_at_application,
        g.grade_source,
        g.grade_eval_year,
        g.grade_publication_id
    from grades as g
    inner join loans as l
        on l.loan_app_id = g.loan_app_id
    left join grade_names as gn
        on gn.grade = coalesce(g.grade_at_application, {{ monitoring_no_grade() }})

)

select * from final
