-- Loan products (贷款产品) with their bank, loan type, ordinary reference rate and minimum grade.
with products as (

    select * from {{ ref('ref_loan_products') }}

),

banks as (

    select
        bank_code,
        bank_name_zh
    from {{ ref('ref_banks') }}

),

final as (

    select
        p.product_code,
        p.product_name_zh,
        p.bank_code,
        b.bank_name_zh,
        p.loan_type,
        p.points_based,
        p.ordinary_rate_pct,
        p.min_grade
    from products as p
    left join banks as b
        on b.bank_code = p.bank_code

)

select * from final
