with source as (

    select * from {{ source('torch', 'torch') }}

),

ranked as (

    select
        uscc,
        year,
        revenue,
        net_profit,
        employees,
        rd_staff,
        rd_expense,
        hitech_product_revenue,
        tech_contract_amount,
        tech_contract_absorbed_local,
        equity_financing,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by uscc, year
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        uscc,
        year,
        revenue,
        net_profit,
        employees,
        rd_staff,
        rd_expense,
        hitech_product_revenue,
        tech_contract_amount,
        tech_contract_absorbed_local,
        equity_financing,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
