{#-
    source_columns: the columns a source table declares in its sources yml, in order, without the
    load columns (_batch_id, _line, _loaded_at). For a raw feed that list is generated from
    scripts/innopoints/feeds.py (python -m innopoints.raw_contract), so a staging model that selects
    source_columns(...) follows the raw contract without restating it. Empty while dbt parses.
-#}
{% macro source_columns(source_name, table_name) %}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == source_name and node.name == table_name -%}
                {%- for column in node.columns -%}
                    {%- if not column.startswith('_') -%}
                        {%- do columns.append(column) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not columns -%}
            {{ exceptions.raise_compiler_error("source " ~ source_name ~ "." ~ table_name ~ " declares no columns: run python -m innopoints.raw_contract") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(columns) }}
{% endmacro %}
