{{ config(
    indexes=[{'columns': ['eval_year', 'city_code']}],
) }}

-- Policy delivery efficiency (政策兑现效率) by month, city and policy type. An application counts in
-- the month of the event each figure is about: received by applied_month; approved by
-- approved_month; paid, days, on-time and delivery ratio by disbursed_month; the backlog (approved,
-- not yet paid, as of the as-of date) by approved_month. Applications of enterprises missing from
-- the registry (no city) are left out here and stay visible in fct_policy_applications.
-- A month's counts may not be compared with each other (more paid than approved in a month is
-- normal); for one cohort followed from application to payment see fct_policy_yearly.
with applications as (

    select * from {{ ref('fct_policy_applications') }}
    where city_code is not null

),

by_applied_month as (

    select
        applied_month as month,
        city_code,
        policy_type,
        count(*) as applications_received
    from applications
    group by 1, 2, 3

),

by_approved_month as (

    select
        approved_month as month,
        city_code,
        policy_type,
        count(*) as applications_approved,
        coalesce(sum(amount_approved), 0) as amount_approved,
        count(*) filter (where is_backlog) as backlog_count,
        coalesce(sum(amount_approved) filter (where is_backlog), 0) as backlog_amount,
        coalesce(sum(backlog_age_days), 0) as backlog_age_days_sum,
        max(backlog_age_days) as backlog_age_days_max,
        count(*) filter (where is_backlog_past_promise) as backlog_past_promise_count
    from applications
    where approved_month is not null
    group by 1, 2, 3

),

by_disbursed_month as (

    select
        disbursed_month as month,
        city_code,
        policy_type,
        count(*) as applications_disbursed,
        count(*) filter (where is_on_time) as disbursed_on_time,
        coalesce(sum(days_to_disbursement), 0) as days_to_disbursement_sum,
        {{ monitoring_percentile(0.5, 'days_to_disbursement') }} as days_to_disbursement_p50,
        {{ monitoring_percentile(0.9, 'days_to_disbursement') }} as days_to_disbursement_p90,
        coalesce(sum(amount_disbursed), 0) as amount_disbursed,
        coalesce(sum(amount_approved), 0) as amount_approved_of_disbursed
    from applications
    where is_disbursed
    group by 1, 2, 3

),

city_names as (

    select distinct
        city_code,
        city_name_zh
    from applications

),

policy_type_names as (

    select distinct
        policy_type,
        policy_type_name_zh
    from applications

),

keys as (

    select month, city_code, policy_type from by_applied_month
    union
    select month, city_code, policy_type from by_approved_month
    union
    select month, city_code, policy_type from by_disbursed_month

),

joined as (

    select
        k.month,
        extract(year from k.month)::integer as eval_year,
        k.city_code,
        cn.city_name_zh,
        k.policy_type,
        tn.policy_type_name_zh,
        coalesce(a.applications_received, 0) as applications_received,
        coalesce(p.applications_approved, 0) as applications_approved,
        coalesce(p.amount_approved, 0) as amount_approved,
        coalesce(d.applications_disbursed, 0) as applications_disbursed,
        coalesce(d.disbursed_on_time, 0) as disbursed_on_time,
        coalesce(d.days_to_disbursement_sum, 0) as days_to_disbursement_sum,
        d.days_to_disbursement_p50,
        d.days_to_disbursement_p90,
        coalesce(d.amount_disbursed, 0) as amount_disbursed,
        coalesce(d.amount_approved_of_disbursed, 0) as amount_approved_of_disbursed,
        coalesce(p.backlog_count, 0) as backlog_count,
        coalesce(p.backlog_amount, 0) as backlog_amount,
        coalesce(p.backlog_age_days_sum, 0) as backlog_age_days_sum,
        p.backlog_age_days_max,
        coalesce(p.backlog_past_promise_count, 0) as backlog_past_promise_count
    from keys as k
    left join by_applied_month as a
        on a.month = k.month and a.city_code = k.city_code and a.policy_type = k.policy_type
    left join by_approved_month as p
        on p.month = k.month and p.city_code = k.city_code and p.policy_type = k.policy_type
    left join by_disbursed_month as d
        on d.month = k.month and d.city_code = k.city_code and d.policy_type = k.policy_type
    left join city_names as cn
        on cn.city_code = k.city_code
    left join policy_type_names as tn
        on tn.policy_type = k.policy_type

),

final as (

    select
        *,
        {{ monitoring_ratio('disbursed_on_time', 'applications_disbursed') }} as on_time_share,
        {{ monitoring_ratio('amount_disbursed', 'amount_approved_of_disbursed') }} as delivery_ratio,
        {{ monitoring_ratio('days_to_disbursement_sum', 'applications_disbursed', 2) }} as days_to_disbursement_mean,
        {{ monitoring_ratio('backlog_age_days_sum', 'backlog_count', 2) }} as backlog_age_days_mean
    from joined

)

select * from final
