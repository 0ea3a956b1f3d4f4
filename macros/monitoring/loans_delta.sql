{#-
    The loan models rebuilt by loan (按贷款增量构建): int_monitoring__loans, int_monitoring__loan_grades
    and fct_loan_applications compute each loan's rows from that loan's row of the loans feed and from
    inputs that are not loans (the registry, the final lists and scores, the LPR, the seeds). A monthly
    delivery changes a few thousand loans of several hundred thousand, and nothing else they read.

    Which loans changed is int_monitoring__loan_changes: the loans feed now against
    int_monitoring__built_loans (each loan's row as the three models were last built from it, written
    after all of them in the same build; not a ref(): it is built after them).

    Whether only loans changed is the caller's knowledge, passed as the var `loans_delta`:
    innopoints.rebuild sets it when, since the last complete build, no code or seed changed, the loans feed
    has new rows and every other source of these models is as recorded. Then each deletes the changed loans'
    rows (a pre-hook, in the same transaction as their insert: a failed build leaves the table as it was;
    by loan_app_id, so a loan that moved out of a scheme loses its row) and computes those loans again.
    Otherwise (the default: a `dbt build` by hand, another input changed) each deletes every row and
    computes every loan in the same transaction (readers see the old rows until it commits); with
    --full-refresh, or on a first build, it is built as a table. A changed column fails an incremental
    build (on_schema_change 'fail'): a build of changed code is a --full-refresh (innopoints.rebuild).

    The ledger records what the three were built from only in a build of all three (dbt's
    selected_resources); a selection that leaves one out (`-s path:models/intermediate/monitoring`,
    `stg_loans__applications+1`) keeps the ledger as it was, so the next build computes those loans again
    in all three. A table build of the ledger without them (a first build, --full-refresh) cannot know
    what they hold: it records every loan any of them or the feed has, with no row hash, so the next
    build computes every loan again. A failed build records nothing: the next build finds the same loans
    changed against the same ledger.
-#}

{% macro rebuilt_by_loan() %}
    {#- the configuration of a model rebuilt by loan: {{ config(**rebuilt_by_loan()) }} -#}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': ['{{ loans_delete() }}'],
        'meta': {'rebuilt_by': 'loan'},
    }) }}
{% endmacro %}

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
        {%- if not loans_ledger_complete() -%}
            {{ log(this.identifier ~ ": 未与三个贷款模型一同构建，保持不变 (not built with the three loan models: "
                   ~ "kept as it was)", info=True) }}
            select 1
        {%- elif loans_delta() -%}
            {{ log(this.identifier ~ ": 只重算变化的贷款 (only the loans changed since the last build are computed again)",
                   info=True) }}
            delete from {{ this }} where {{ loans_to_build() }}
        {%- else -%}
            {{ log(this.identifier ~ ": 全部贷款重新计算 (every loan is computed again)", info=True) }}
            delete from {{ this }}
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{% macro loan_models() %}
    {#- the models rebuilt by loan (config meta rebuilt_by: loan) but the ledger: what the ledger records -#}
    {%- set names = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
          and (node.config.meta or {}).get('rebuilt_by') == 'loan' and node.name != 'int_monitoring__built_loans' -%}
        {%- do names.append(node) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{% macro loans_ledger_complete() %}
    {#- true unless this is the ledger built in a selection without every model it records -#}
    {%- if not execute or this.identifier != 'int_monitoring__built_loans' -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for node in loan_models() if node.unique_id not in selected_resources -%}
        {{ return(false) }}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}

{% macro loan_row_hash(relation_alias) %}
    {#- the version of a loan's row in the loans feed as delivered: a hash of the whole staged row -#}
    hash_record_extended({{ relation_alias }}, 0)
{% endmacro %}
