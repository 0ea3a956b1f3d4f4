{#-
    The loan models rebuilt by loan (按贷款增量构建): int_monitoring__loans, int_monitoring__loan_grades
    and fct_loan_applications compute each loan's rows from that loan's row of the loans feed and from
    inputs that are not loans (the registry, the final lists and scores, the LPR, the seeds). A monthly
    delivery changes a few thousand loans of several hundred thousand, and nothing else they read.

    Which loans changed is int_monitoring__loan_changes: the loans feed now against
    int_monitoring__built_loans (each loan's row as the three models were last built from it, written
    after all of them in the same build; not a ref(): it is built after them).

    Whether only loans changed is the caller's knowledge, passed as the var `loans_delta`:
    innopoints.rebuild sets it when, since the last complete build, no code or seed changed and the loans
    feed is the only source of these models with new rows. Then each of them deletes the changed loans'
    rows (a pre-hook, in the same transaction as their insert: a failed build leaves the table as it was;
    by loan_app_id, so a loan that moved out of a scheme loses its row) and computes those loans again.
    Otherwise (the default: a `dbt build` by hand, another input changed) each is emptied and computed
    whole in the same transaction; with --full-refresh, or on a first build, it is built as a table.
    A failed build records nothing: the next build finds the same loans changed against the same ledger.
    The ledger is downstream of the three models, so a selection that builds it builds them first; built
    alone by hand (`dbt build -s int_monitoring__built_loans`) it would record loans they were not built
    from, and a `dbt build` of the three (or innopoints build) puts that right.
-#}

{% macro loans_delta() %}
    {#- true when this model computes only the changed loans -#}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental()
          or not var('loans_delta', false) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set changes = ref('int_monitoring__loan_changes') -%}
    {%- set ledger = adapter.get_relation(database=changes.database, schema=changes.schema,
                                          identifier='int_monitoring__built_loans') -%}
    {{ return(ledger is not none) }}
{% endmacro %}

{% macro loans_to_build(column='loan_app_id') %}
    {#- predicate on a model's loans: those this build computes (every loan, or the changed ones) -#}
    {%- if loans_delta() -%}
        {{ column }} in (select loan_app_id from {{ ref('int_monitoring__loan_changes') }})
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{% macro loans_delete() %}
    {#- pre-hook of a loan model: remove the rows this build computes again, in its transaction -#}
    {%- if execute and model.resource_type != 'unit_test' and is_incremental() -%}
        {%- if loans_delta() -%}
            {{ log(this.identifier ~ ": 只重算变化的贷款 (only the loans changed since the last build are computed again)",
                   info=True) }}
            delete from {{ this }} where {{ loans_to_build() }}
        {%- else -%}
            {{ log(this.identifier ~ ": 全部贷款重新计算 (every loan is computed again)", info=True) }}
            truncate {{ this }}
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{% macro loan_row_hash(relation_alias) %}
    {#- the version of a loan's row in the loans feed as delivered: a hash of the whole staged row -#}
    hash_record_extended({{ relation_alias }}, 0)
{% endmacro %}
