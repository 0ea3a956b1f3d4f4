-- Partner banks (合作银行) with the region they serve and how many points-based products they offer.
with banks as (

    select * from {{ ref('ref_banks') }}

),

regions as (

    select
        region_code,
        region_name_zh
    from {{ ref('regions') }}

),

products as (

    select
        bank_code,
        count(*) as products,
        count(*) filter (where points_based) as points_based_products
    from {{ ref('ref_loan_products') }}
    group by 1

),

final as (

    select
        b.bank_code,
        b.bank_name_zh,
        b.bank_name_en,
        b.bank_type,
        b.region_code,
        r.region_name_zh,
        coalesce(p.products, 0) as products,
        coalesce(p.points_based_products, 0) as points_based_products
    from banks as b
    left join regions as r
        on r.region_code = b.region_code
    left join products as p
        on p.bank_code = b.bank_code

)

select * from final
