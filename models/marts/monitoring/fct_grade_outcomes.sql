{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'city_code']}],
) }}

-- Does the grade mean anything (等级与审批、不良): approval and default rates by the grade loans carried
-- at application, per scheme, application year, city and bank. Loans are grouped by the year of
-- application (eval_year = applied year), so approval and credit quality describe the same cohort.
-- Each code has its name beside it (city, bank, grade as dim_grade shows it).
with loans as (

    select
        *,
        coalesce(grade_at_application, {{ monitoring_no_grade() }}) as grade
    from {{ ref('fct_loan_applications') }}

),

aggregated as (

    select
        scheme_code,
        applied_year as eval_year,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        grade,
        grade_display_zh,
        grade_order,
        count(*) as applications_received,
        count(*) filter (where is_decided) as applications_decided,
        count(*) filter (where is_approved) as applications_approved,
        count(distinct uscc) filter (where is_decided) as enterprises_decided,
        count(distinct uscc) filter (where is_approved) as enterprises_approved,
        count(*) filter (where is_disbursed) as loans_disbursed,
        count(*) filter (where is_overdue) as loans_overdue,
        count(*) filter (where is_default) as loans_default,
        count(*) filter (where has_outcome) as loans_with_outcome,
        coalesce(sum(outstanding_balance), 0) as outstanding_balance,
        coalesce(sum(outstanding_balance) filter (where is_overdue), 0) as overdue_balance,
        coalesce(sum(outstanding_balance) filter (where is_default), 0) as default_balance
    from loans
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9

),

final as (

    select
        *,
        {{ monitoring_ratio('applications_approved', 'applications_decided') }} as approval_rate,
        {{ monitoring_ratio('enterprises_approved', 'enterprises_decided') }} as enterprise_approval_rate,
        {{ monitoring_ratio('loans_overdue', 'loans_disbursed') }} as overdue_rate_by_count,
        {{ monitoring_ratio('overdue_balance', 'outstanding_balance') }} as overdue_rate_by_balance,
        {{ monitoring_ratio('loans_default', 'loans_disbursed') }} as default_rate_by_count,
        {{ monitoring_ratio('default_balance', 'outstanding_balance') }} as default_rate_by_balance
    from aggregated

)

select * from final
