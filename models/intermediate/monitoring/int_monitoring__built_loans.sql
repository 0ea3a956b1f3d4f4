{#- rebuilt by loan, as the models it records (macros/monitoring/loans_delta.sql) -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ loans_delete() }}"],
    meta={'rebuilt_by': 'loan'},
) }}
-- depends_on: {{ ref('int_monitoring__loan_changes') }}
-- depends_on: {{ ref('int_monitoring__loan_grades') }}
-- depends_on: {{ ref('fct_loan_applications') }}
-- Loans as built (已构建贷款): each loan's row of the loans feed, as a hash, that the loan models
-- (int_monitoring__loans, int_monitoring__loan_grades, fct_loan_applications) were built from, written
-- after all of them (the depends_on list) in the same build. The next build computes again only the
-- loans whose row differs (int_monitoring__loan_changes, macros/monitoring/loans_delta.sql). Not built
-- when one of them failed, so the next build finds the same loans changed.

select
    loan_app_id,
    {{ loan_row_hash('applications') }} as loan_row_hash
from {{ ref('stg_loans__applications') }} as applications
where {{ loans_to_build() }}
