{#-
    latest_delivery: one row per natural key from a raw feed table, the newest delivery winning
    (highest import batch, then the latest line of that file). Raw keeps every delivery; staging
    shows the current state as delivered (corrections of accepted objections are applied downstream,
    by apply_corrections in models/intermediate/feeds). Adds source_batch_id, source_line and
    loaded_at for lineage.
-#}
{% macro latest_delivery(source_relation, key_columns, columns) %}
with source as (

    select * from {{ source_relation }}

),

ranked as (

    select
        {{ columns | join(',\n        ') }},
        _batch_id as source_batch_id,
        _line as source_line,
        _loaded_at as loaded_at,
        row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by _batch_id desc, _line desc
        ) as delivery_rank
    from source

),

latest as (

    select
        {{ columns | join(',\n        ') }},
        source_batch_id,
        source_line,
        loaded_at
    from ranked
    where delivery_rank = 1

)

select * from latest
{% endmacro %}
