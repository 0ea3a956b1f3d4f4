-- Each disbursed loan a risk compensation pool (风险补偿资金池) covers: the pool's region holds the
-- enterprise's city and the pool has a rule for the product's loan type. A defaulted loan's
-- exposure (代偿敞口) = outstanding_balance × compensation_share, capped at cap_per_loan_yuan.
with loans as (

    select
        loan_app_id,
        uscc,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        product_code,
        loan_type,
        disbursed_date,
        status,
        is_default,
        outstanding_balance,
        as_of_date
    from {{ ref('int_monitoring__loans') }}
    where is_disbursed

),

rules as (

    select
        pool_code,
        region_code,
        loan_type,
        compensation_share,
        cap_per_loan_yuan
    from {{ ref('ref_risk_pool_rules') }}

),

region_cities as (

    select
        region_code,
        city_code
    from {{ ref('int_regions__region_cities') }}

),

covered as (

    select
        r.pool_code,
        l.loan_app_id,
        l.uscc,
        l.city_code,
        l.city_name_zh,
        l.bank_code,
        l.bank_name_zh,
        l.product_code,
        l.loan_type,
        l.disbursed_date,
        l.status,
        l.is_default,
        l.outstanding_balance,
        l.as_of_date,
        r.compensation_share,
        r.cap_per_loan_yuan
    from loans as l
    inner join region_cities as rc
        on rc.city_code = l.city_code
    inner join rules as r
        on r.region_code = rc.region_code
        and r.loan_type = l.loan_type

),

exposure as (

    select
        *,
        case when is_default then round(outstanding_balance * compensation_share, 2) else 0 end
            as exposure_uncapped_yuan,
        case
            when is_default then least(round(outstanding_balance * compensation_share, 2), cap_per_loan_yuan)
            else 0
        end as exposure_yuan,
        is_default and outstanding_balance * compensation_share > cap_per_loan_yuan as is_capped
    from covered

)

select * from exposure
