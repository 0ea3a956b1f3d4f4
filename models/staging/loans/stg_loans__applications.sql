with source as (

    select * from {{ source('loans', 'loans') }}

),

ranked as (

    select
        loan_app_id,
        bank_code,
        product_code,
        uscc,
        applied_date,
        amount_requested,
        decision,
        decision_date,
        amount_approved,
        annual_rate_pct,
        term_months,
        disbursed_date,
        guarantee_org,
        guarantee_fee_pct,
        status,
        outstanding_balance,
        as_of_date,
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by loan_app_id
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        loan_app_id,
        bank_code,
        product_code,
        uscc,
        applied_date,
        amount_requested,
        decision,
        decision_date,
        amount_approved,
        annual_rate_pct,
        term_months,
        disbursed_date,
        guarantee_org,
        guarantee_fee_pct,
        status,
        outstanding_balance,
        as_of_date,
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
