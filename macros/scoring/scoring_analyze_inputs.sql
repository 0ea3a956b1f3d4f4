{#-
    ANALYZE the staged tables the scoring reads, so the planner knows their sizes: staging tables
    are rebuilt by every build and autovacuum may not have sampled them yet, and without
    statistics PostgreSQL guesses join sizes wildly (a merge join over billions of imagined rows
    at national scale). Sampling is cheap (30,000 rows per table). Used as a pre-hook.
-#}
{% macro scoring_analyze_inputs() -%}
analyze {{ ref('stg_registry__enterprises') }}, {{ ref('stg_torch__statistics') }},
    {{ ref('stg_credit__records') }}, {{ ref('stg_tax__records') }}, {{ ref('stg_ip__rights') }},
    {{ ref('stg_sci_records__records') }}, {{ ref('stg_hte__certificates') }},
    {{ ref('stg_tsme__registrations') }}
{%- endmacro %}
