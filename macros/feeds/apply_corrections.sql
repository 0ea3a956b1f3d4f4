{#-
    apply_corrections: a scoring feed as the scores read it, its latest delivery (the staging model)
    with the recorded corrections of accepted objections (stg_cycle__score_adjustments: feed, key,
    field, new value) applied on top. The newest correction of a (key, field) replaces that field of
    the key's row, typed as the feed's column; adjustment_ids (text, e.g. '3,5') names the corrections
    a row carries, null when the row is as delivered. Raw is never edited; a correction made before a
    newer delivery of the key still applies (the officer decided on that field).
    Usage: {{ apply_corrections('tax', 'stg_tax__records', key_columns=['uscc', 'year']) }}
-#}
{% macro apply_corrections(feed, staging_model, key_columns) %}
{%- set columns = source_columns(feed, feed) -%}
with delivered as (

    select * from {{ ref(staging_model) }}

),

corrections as (

    select * from {{ ref('stg_cycle__score_adjustments') }}
    where feed = '{{ feed }}'

),

-- the newest correction of each (key, field): distinct on, not a window function. PostgreSQL plans
-- a window function as parallel restricted, and this view is joined to every row of the feed: with
-- row_number() here, no join over a scoring feed could run in parallel workers.
newest_corrections as (

    select distinct on (key_text, field)
        key_text,
        field,
        new_value,
        adjustment_id
    from corrections
    order by key_text, field, adjustment_id desc

),

corrections_by_key as (

    select
        key_text,
        jsonb_object_agg(field, new_value order by adjustment_id) as fields,
        string_agg(adjustment_id::text, ',' order by adjustment_id) as adjustment_ids
    from newest_corrections
    group by key_text

),

corrected as (

    select
        {%- for c in columns %}
        {% if c in key_columns -%}
        delivered.{{ c }}
        {%- else -%}
        case
            when corrections_by_key.fields ? '{{ c }}'
                then (jsonb_populate_record(null::{{ ref(staging_model) }}, corrections_by_key.fields)).{{ c }}
            else delivered.{{ c }}
        end as {{ c }}
        {%- endif %},
        {%- endfor %}
        delivered.source_batch_id,
        delivered.source_line,
        delivered.loaded_at,
        corrections_by_key.adjustment_ids
    from delivered
    left join corrections_by_key
        on corrections_by_key.key_text = concat_ws('|', {% for k in key_columns %}delivered.{{ k }}::text{% if not loop.last %}, {% endif %}{% endfor %})

)

select * from corrected
{% endmacro %}
