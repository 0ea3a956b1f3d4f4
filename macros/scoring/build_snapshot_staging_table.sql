{#-
    Snapshots stage their changes in a table before merging. dbt makes it a TEMPORARY table, but
    the warehouse grants the transformer no TEMP privilege on the database (least privilege,
    90_grants.sql), so the second run of any snapshot would fail with "permission denied to
    create temporary tables". This override stages into an unlogged table beside the snapshot
    (<snapshot>__dbt_staging in the same schema), replaced on every run.
-#}
{% macro build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% set staging_relation = api.Relation.create(
        database=target_relation.database,
        schema=target_relation.schema,
        identifier=target_relation.identifier ~ '__dbt_staging',
        type='table') %}
    {% set select = snapshot_staging_table(strategy, sql, target_relation) %}
    {% call statement('build_snapshot_staging_relation') %}
        drop table if exists {{ staging_relation }};
        create unlogged table {{ staging_relation }} as (
            {{ select }}
        );
    {% endcall %}
    {% do return(staging_relation) %}
{% endmacro %}
