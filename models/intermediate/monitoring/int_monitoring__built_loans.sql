{#- rebuilt by loan, as the models it records (macros/monitoring/loans_delta.sql) -#}
{{ config(**rebuilt_by_loan()) }}
-- depends_on: {{ ref('int_monitoring__loan_changes') }}
-- depends_on: {{ ref('int_monitoring__loans') }}
-- depends_on: {{ ref('int_monitoring__loan_grades') }}
-- depends_on: {{ ref('fct_loan_applications') }}
-- Loans as built (已构建贷款): each loan's row of the loans feed, as a hash, that the loan models
-- (int_monitoring__loans, int_monitoring__loan_grades, fct_loan_applications) were built from, written
-- after all of them (the depends_on list) in the same build. The next build computes again only the
-- loans whose row differs (int_monitoring__loan_changes, macros/monitoring/loans_delta.sql). Not built
-- when one of them failed, so the next build finds the same loans changed; kept as it was by a build
-- that leaves one of them out.
{%- set complete = loans_ledger_complete() %}

{% if complete %}
select
    loan_app_id,
    {{ loan_row_hash('applications') }} as loan_row_hash
from {{ ref('stg_loans__applications') }} as applications
where {{ loans_to_build() }}
{% elif is_incremental() %}
-- kept as it was: the loan models were not all built with it
select
    loan_app_id,
    loan_row_hash
from {{ this }}
where false
{% else %}
-- built without the loan models it records: every loan any of them or the feed holds, with no row
-- hash (unknown), so the next build computes each of them again
{%- set holders = [ref('stg_loans__applications')] -%}
{%- for node in loan_models() -%}
    {%- set held = adapter.get_relation(database=node.database, schema=node.schema,
                                        identifier=node.alias or node.name) -%}
    {%- if held is not none -%}{%- do holders.append(held) -%}{%- endif -%}
{%- endfor %}
select distinct
    loan_app_id,
    null::bigint as loan_row_hash
from (
    {%- for relation in holders %}
    select loan_app_id from {{ relation }}{% if not loop.last %} union all{% endif %}
    {%- endfor %}
) as held
{% endif %}
