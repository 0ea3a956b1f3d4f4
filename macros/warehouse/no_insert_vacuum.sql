{#-
    no_insert_vacuum: a post-hook of the table models that the build and the gate read whole (staging,
    intermediate) and of fct_indicator_scores (read whole, or one enterprise's rows through the heap).
    Such a table is written whole by one statement and replaced
    by the next build: it has no dead rows for autovacuum to remove. Autovacuum's insert-count trigger
    would still read every page in the background and dirty it to set the visibility map: nationally
    fct_indicator_scores' 14 GB took 742.9 s, from the end of the build into the publication, and the
    other large derived tables the same. Vacuums for dead rows (a written mart) and against wraparound
    still run. The other marts keep PostgreSQL's defaults: dashboards read them through their indexes,
    and the visibility map lets an index answer alone. A view or an incremental model (written in
    place, with deletes) is left as it is.
-#}
{% macro no_insert_vacuum() %}
{%- if config.get('materialized') == 'table' -%}
alter table {{ this }} set (autovacuum_vacuum_insert_threshold = -1)
{%- endif -%}
{% endmacro %}
