{{ config(
    indexes=[{'columns': ['city_code', 'disbursed_year']}],
) }}

-- One row per policy application (政策兑现申请明细): days to payment against the promised days of its
-- policy type, delivery ratio, and for approved-but-unpaid applications (积压) their age as of the
-- as-of date (the project variable as_of_date, else today). eval_year is the year of application:
-- the cohort every yearly policy figure (fct_policy_yearly) follows an application in.
with applications as (

    select * from {{ ref('stg_policy__applications') }}

),

enterprises as (

    select
        uscc,
        name as enterprise_name,
        city_code
    from {{ ref('int_feeds__registry') }}

),

policy_types as (

    select
        policy_type,
        policy_type_en,
        promised_days
    from {{ ref('ref_policy_types') }}

),

city_names as (

    -- a city is its own region in the region list; its name is that region's name
    select
        city_code,
        region_name_zh as city_name_zh
    from {{ ref('int_regions__region_cities') }}
    where region_code = city_code

),

joined as (

    select
        a.policy_app_id,
        a.uscc,
        e.enterprise_name,
        e.city_code,
        c.city_name_zh,
        a.policy_type,
        t.policy_type as policy_type_name_zh,
        t.policy_type_en,
        t.promised_days,
        a.applied_date,
        a.approved_date,
        a.disbursed_date,
        a.amount_approved,
        a.amount_disbursed,
        {{ monitoring_as_of_date() }} as as_of_date
    from applications as a
    left join enterprises as e
        on e.uscc = a.uscc
    left join policy_types as t
        on t.policy_type = a.policy_type
    left join city_names as c
        on c.city_code = e.city_code

),

final as (

    select
        policy_app_id,
        uscc,
        enterprise_name,
        city_code,
        city_name_zh,
        policy_type,
        policy_type_name_zh,
        policy_type_en,
        promised_days,
        applied_date,
        approved_date,
        disbursed_date,
        date_trunc('month', applied_date)::date as applied_month,
        date_trunc('month', approved_date)::date as approved_month,
        date_trunc('month', disbursed_date)::date as disbursed_month,
        extract(year from applied_date)::integer as eval_year,
        extract(year from applied_date)::integer as applied_year,
        extract(year from disbursed_date)::integer as disbursed_year,
        case
            when disbursed_date is not null then 'disbursed'
            when approved_date is not null then 'backlog'
            else 'applied'
        end as delivery_status,
        disbursed_date is not null as is_disbursed,
        approved_date is not null and disbursed_date is null as is_backlog,
        amount_approved,
        amount_disbursed,
        {{ monitoring_ratio('amount_disbursed', 'amount_approved') }} as delivery_ratio,
        disbursed_date - applied_date as days_to_disbursement,
        case
            when disbursed_date is not null then disbursed_date - applied_date <= promised_days
        end as is_on_time,
        case
            when approved_date is not null and disbursed_date is null then as_of_date - approved_date
        end as backlog_age_days,
        case
            when approved_date is not null and disbursed_date is null then as_of_date - applied_date
        end as backlog_days_since_applied,
        approved_date is not null and disbursed_date is null
            and as_of_date - applied_date > promised_days as is_backlog_past_promise,
        as_of_date
    from joined

)

select * from final
