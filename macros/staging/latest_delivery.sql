{#-
    latest_delivery: one row per natural key from a raw feed table, the newest delivery winning
    (highest import batch, then the latest line of that file). Raw keeps every delivery; staging
    shows the current state. Adds source_batch_id, source_line and loaded_at for lineage.

    With adjust_feed (a scoring feed), the recorded corrections of an accepted objection
    (stg_cycle__score_adjustments: feed, key, field, new value) are applied on top: the newest
    correction of a (key, field) replaces that field of the key's current row, typed as the raw
    column, and adjustment_ids (text, e.g. '3,5') names the corrections a row carries. Raw is never edited; a correction
    made before a newer delivery of the key still applies (the officer decided on that field).
-#}
{% macro latest_delivery(source_relation, key_columns, columns, adjust_feed=none) %}
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

){% if adjust_feed %},

adjustments as (

    select
        key_text,
        jsonb_object_agg(field, new_value order by adjustment_id) as fields,
        string_agg(adjustment_id::text, ',' order by adjustment_id) as adjustment_ids
    from (
        select
            *,
            row_number() over (partition by key_text, field order by adjustment_id desc) as correction_rank
        from {{ ref('stg_cycle__score_adjustments') }}
        where feed = '{{ adjust_feed }}'
    ) as newest
    where correction_rank = 1
    group by key_text

),

adjusted as (

    select
        {%- for c in columns %}
        {% if c in key_columns -%}
        latest.{{ c }}
        {%- else -%}
        case
            when adjustments.fields ? '{{ c }}'
                then (jsonb_populate_record(null::{{ source_relation }}, adjustments.fields)).{{ c }}
            else latest.{{ c }}
        end as {{ c }}
        {%- endif %},
        {%- endfor %}
        latest.source_batch_id,
        latest.source_line,
        latest.loaded_at,
        adjustments.adjustment_ids
    from latest
    left join adjustments
        on adjustments.key_text = concat_ws('|', {% for k in key_columns %}latest.{{ k }}::text{% if not loop.last %}, {% endif %}{% endfor %})

)

select * from adjusted
{%- else %}

select * from latest
{%- endif %}
{% endmacro %}
