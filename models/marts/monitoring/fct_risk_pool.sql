-- Risk compensation pool exposure (风险补偿资金池敞口) by pool, city, bank and loan type: the loans the
-- pool covers, those in default, and the pool's exposure = Σ over defaulted loans of
-- min(outstanding_balance × compensation_share, cap_per_loan_yuan), against the pool size.
-- exposure_yuan and the counts add up over rows; pool_size_yuan repeats on each row of a pool
-- (take it once, e.g. max, when summing exposure over rows). It has no year or scheme: it is the
-- position as of the loans' data date (as_of_date), every loan disbursed so far with its status then.
-- Names beside the codes: city, bank, loan type.
with pool_loans as (

    select * from {{ ref('int_monitoring__risk_pool_loans') }}

),

pools as (

    select distinct
        pool_code,
        pool_name_zh,
        pool_size_yuan
    from {{ ref('ref_risk_pool_rules') }}

),

rules as (

    select
        pool_code,
        loan_type,
        compensation_share,
        cap_per_loan_yuan
    from {{ ref('ref_risk_pool_rules') }}

),

loan_types as (

    select
        loan_type,
        loan_type_name_zh
    from {{ ref('ref_loan_types') }}

),

aggregated as (

    select
        pool_code,
        city_code,
        city_name_zh,
        bank_code,
        bank_name_zh,
        loan_type,
        count(*) as loans_covered,
        count(*) filter (where outstanding_balance > 0) as loans_outstanding,
        coalesce(sum(outstanding_balance), 0) as outstanding_balance,
        count(*) filter (where is_default) as loans_default,
        coalesce(sum(outstanding_balance) filter (where is_default), 0) as default_balance,
        coalesce(sum(exposure_uncapped_yuan), 0) as exposure_uncapped_yuan,
        coalesce(sum(exposure_yuan), 0) as exposure_yuan,
        count(*) filter (where is_capped) as loans_capped,
        max(as_of_date) as as_of_date
    from pool_loans
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        a.pool_code,
        p.pool_name_zh,
        a.city_code,
        a.city_name_zh,
        a.bank_code,
        a.bank_name_zh,
        a.loan_type,
        lt.loan_type_name_zh,
        r.compensation_share,
        r.cap_per_loan_yuan,
        p.pool_size_yuan,
        a.loans_covered,
        a.loans_outstanding,
        a.outstanding_balance,
        a.loans_default,
        a.default_balance,
        a.exposure_uncapped_yuan,
        a.exposure_yuan,
        a.loans_capped,
        {{ monitoring_ratio('a.exposure_yuan', 'p.pool_size_yuan') }} as exposure_share_of_pool,
        a.as_of_date
    from aggregated as a
    inner join pools as p
        on p.pool_code = a.pool_code
    inner join rules as r
        on r.pool_code = a.pool_code
        and r.loan_type = a.loan_type
    left join loan_types as lt
        on lt.loan_type = a.loan_type

)

select * from final
