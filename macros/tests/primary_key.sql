{#-
    primary_key: the listed columns are never null and identify a row uniquely.
    Usage on a model:
        data_tests:
          - primary_key:
              columns: [scheme_code, eval_year, uscc]
-#}
{% test primary_key(model, columns) %}
with keyed as (
    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
)

select *
from keyed
where n_rows > 1
   or {% for c in columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
