{#-
    monitoring_optional_source(source_name, table_name, columns)

    The rows of a source table that another component creates (publications and bank pushes,
    written by innopoints publish and push), or no rows when that table does not exist yet in this warehouse: the monitoring marts
    then build with zero publications / zero pushes instead of failing.

    `columns` is a list of (name, sql type) pairs: the columns selected, cast to their type, so
    both branches have the same shape. The source() call keeps the lineage in the DAG either way.
-#}
{% macro monitoring_optional_source(source_name, table_name, columns) -%}
    {%- set src = source(source_name, table_name) -%}
    {%- set relation = none -%}
    {%- if execute -%}
        {%- set relation = adapter.get_relation(database=src.database, schema=src.schema, identifier=src.identifier) -%}
    {%- endif -%}
    {%- if relation is not none %}
    select
        {%- for name, type in columns %}
        {{ name }}::{{ type }} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ src }}
    {%- else %}
    -- {{ src }} does not exist yet: no rows, same columns.
    select
        {%- for name, type in columns %}
        null::{{ type }} as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- endif %}
{%- endmacro %}
