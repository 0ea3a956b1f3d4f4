-- Loans changed since the loan models were last built (变化的贷款): each loan whose row in the loans
-- feed (stg_loans__applications) differs from the one int_monitoring__built_loans recorded for it,
-- is new, or is gone from the feed. With no record (a first build) every loan is listed. The loan
-- models compute only these loans when the var loans_delta says nothing else changed
-- (macros/monitoring/loans_delta.sql).
{%- set ledger = adapter.get_relation(database=this.database, schema=this.schema,
                                      identifier='int_monitoring__built_loans') if execute else none %}

with loans as (

    select
        loan_app_id,
        {{ loan_row_hash('applications') }} as loan_row_hash
    from {{ ref('stg_loans__applications') }} as applications

),

{% if ledger is not none %}
built as (

    select
        loan_app_id,
        loan_row_hash
    from {{ ledger }}

),

{% else %}
built as (

    select
        null::text as loan_app_id,
        null::bigint as loan_row_hash
    where false

),

{% endif %}
final as (

    select
        coalesce(loans.loan_app_id, built.loan_app_id) as loan_app_id,
        case
            when built.loan_app_id is null then 'new'
            when loans.loan_app_id is null then 'removed'
            else 'changed'
        end as change
    from loans
    full outer join built
        on built.loan_app_id = loans.loan_app_id
    where loans.loan_row_hash is distinct from built.loan_row_hash

)

select * from final
