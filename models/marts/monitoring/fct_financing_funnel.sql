{{ config(
    indexes=[{'columns': ['scheme_code', 'eval_year', 'city_code']}],
) }}

-- The loan application funnel (申请漏斗): the applications received in a year (eval_year = applied
-- year, a cohort) followed through the stages of ref_financing_funnel_stages: 1 提交申请 every
-- application, 2 完成审批 decided (approved or rejected), 3 获得批准 approved, 4 实际放款 disbursed.
-- Whatever the later event's date, an application stays in its applied year. Long form: one row per
-- stage for every (scheme, year, city, bank) with an application, zeros included, so a chart sums
-- applications by stage and each stage is a subset of the one before.
with loans as (

    select
        scheme_code,
        applied_year as eval_year,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        is_decided,
        is_approved,
        is_disbursed
    from {{ ref('fct_loan_applications') }}

),

stages as (

    select
        stage_order,
        stage_code,
        stage_zh
    from {{ ref('ref_financing_funnel_stages') }}

),

counted as (

    select
        scheme_code,
        eval_year,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        count(*) as received,
        count(*) filter (where is_decided) as decided,
        count(*) filter (where is_approved) as approved,
        count(*) filter (where is_approved and is_disbursed) as disbursed
    from loans
    group by 1, 2, 3, 4, 5, 6

),

staged as (

    select
        c.scheme_code,
        c.eval_year,
        c.city_code,
        c.city_name_zh,
        c.bank_code,
        c.bank_name_zh,
        s.stage_order,
        s.stage_code,
        s.stage_zh,
        case s.stage_code
            when 'received' then c.received
            when 'decided' then c.decided
            when 'approved' then c.approved
            when 'disbursed' then c.disbursed
        end as applications
    from counted as c
    cross join stages as s

),

final as (

    select
        st.scheme_code,
        st.eval_year,
        st.city_code,
        st.city_name_zh,
        st.bank_code,
        st.bank_name_zh,
        st.stage_order,
        st.stage_code,
        st.stage_zh,
        st.applications,
        {{ monitoring_ratio('st.applications', 'first_value(st.applications) over cohort') }}
            as share_of_received
    from staged as st
    window cohort as (
        partition by st.scheme_code, st.eval_year, st.city_code, st.bank_code
        order by st.stage_order
    )

)

select * from final
