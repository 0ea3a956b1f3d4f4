{#-
    Incremental scoring models by evaluation year (按评价年度增量构建).

    A model built this way (int_scoring__enterprise_points) computes each row within one evaluation
    year: cohorts, ranks and percentiles are per (scheme, Y); growth reads Y-1, but that is settled in
    int_scoring__source_values. So a year whose inputs are unchanged keeps its rows, and only the
    others are deleted and computed again.

    "Unchanged" is decided by int_scoring__year_inputs (a fingerprint, per year, of everything the
    scoring reads up to fct_indicator_scores) against int_scoring__built_years (the fingerprints the
    incremental models were last built from, written after all of them in the same build). Not a
    ref(): it is built after them.

      - first build, --full-refresh, or no ledger: every year is built;
      - a year with a new or different fingerprint, or gone from the inputs: deleted, built again;
      - a year with the same fingerprint: kept as it is, not rewritten.
    A change of the models' code is not in the fingerprint: innopoints.rebuild builds with
    --full-refresh whenever code or seeds changed (dbt never full-refreshes an incremental model
    on its own).

    Only where rewriting a year in place is cheaper than a rebuild: the indexed tables
    (int_scoring__percentile_ratios, fct_indicator_scores) measured slower nationally (435 s against
    about 200 s, 942 s against about 370 s): their unique indexes take a year's tens of millions of
    keys one by one, where a rebuild sorts them once.
-#}

{% macro scoring_years_kept() %}
    {#- the evaluation years whose rows stay as they are in this build; none when all are built -#}
    {#- a unit test builds the model whole, from its given rows -#}
    {%- if not execute or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set inputs = ref('int_scoring__year_inputs') -%}
    {%- set ledger = adapter.get_relation(database=inputs.database, schema=inputs.schema,
                                          identifier='int_scoring__built_years') -%}
    {%- if ledger is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept = run_query(
        "select inputs.eval_year from " ~ inputs ~ " as inputs inner join " ~ ledger ~ " as built"
        ~ " on built.eval_year = inputs.eval_year and built.input_fingerprint = inputs.input_fingerprint"
        ~ " order by 1") -%}
    {%- set years = kept.columns[0].values() | map('int') | list -%}
    {{ return(years if years else none) }}
{% endmacro %}

{% macro scoring_years_to_build(column='eval_year') %}
    {#- predicate on a model's rows: the years this build computes (all but the kept ones) -#}
    {%- set kept = scoring_years_kept() -%}
    {%- if kept is none -%}
        true
    {%- else -%}
        {{ column }} not in ({{ kept | join(', ') }})
    {%- endif -%}
{% endmacro %}

{% macro scoring_years_delete() %}
    {#- pre-hook of an incremental scoring model: delete the years it computes again, in the same
        transaction as their insert (a failed build leaves the table as it was) -#}
    {%- if execute and model.resource_type != 'unit_test' and is_incremental() -%}
        {%- set kept = scoring_years_kept() -%}
        {{ log(this.identifier ~ ": 沿用未变年度 (years kept as built) "
               ~ (kept | join(', ') if kept else 'none') ~ "; 其余年度重新计算 (the other years are computed again)",
               info=True) }}
        delete from {{ this }} where {{ scoring_years_to_build() }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
