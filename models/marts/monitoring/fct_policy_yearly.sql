{{ config(
    indexes=[{'columns': ['eval_year', 'city_code']}],
) }}

-- Policy delivery by yearly cohort (政策兑现年度队列): one row per (year of application, city, policy
-- type). Every figure is about the same applications, those received in eval_year, followed to the
-- as-of date: how many were approved, how many of those were paid, how fast, and how many approved
-- ones are still unpaid (积压). So paid <= approved <= received on every row, unlike the monthly
-- fct_policy_delivery where each event counts in its own month. Applications of enterprises missing
-- from the registry (no city) are left out, as in fct_policy_delivery and the cockpit, and stay
-- visible in fct_policy_applications.
with applications as (

    select * from {{ ref('fct_policy_applications') }}
    where city_code is not null

),

cohorts as (

    select
        eval_year,
        city_code,
        city_name_zh,
        policy_type,
        policy_type_name_zh,
        promised_days,
        count(*) as applications_received,
        count(*) filter (where approved_date is not null) as applications_approved,
        count(*) filter (where approved_date is not null and is_disbursed) as applications_disbursed,
        coalesce(sum(amount_approved) filter (where approved_date is not null), 0) as amount_approved,
        coalesce(sum(amount_disbursed) filter (where approved_date is not null and is_disbursed), 0)
            as amount_disbursed,
        count(*) filter (where approved_date is not null and is_on_time) as disbursed_on_time,
        coalesce(sum(days_to_disbursement) filter (where approved_date is not null and is_disbursed), 0)
            as days_to_disbursement_sum,
        count(*) filter (where is_backlog) as backlog,
        coalesce(sum(amount_approved) filter (where is_backlog), 0) as backlog_amount,
        count(*) filter (where is_backlog_past_promise) as backlog_overdue,
        max(as_of_date) as as_of_date
    from applications
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        eval_year,
        city_code,
        city_name_zh,
        policy_type,
        policy_type_name_zh,
        promised_days,
        applications_received,
        applications_approved,
        applications_disbursed,
        amount_approved,
        amount_disbursed,
        disbursed_on_time,
        days_to_disbursement_sum,
        backlog,
        backlog_amount,
        backlog_overdue,
        {{ monitoring_ratio('applications_approved', 'applications_received') }} as approval_share,
        {{ monitoring_ratio('applications_disbursed', 'applications_approved') }} as disbursement_share,
        {{ monitoring_ratio('disbursed_on_time', 'applications_disbursed') }} as on_time_share,
        {{ monitoring_ratio('days_to_disbursement_sum', 'applications_disbursed', 2) }} as days_mean,
        as_of_date
    from cohorts

)

select * from final
