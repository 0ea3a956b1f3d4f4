{#-
    unique_combination: no two rows share the same values of the listed columns
    (nulls compare equal here, so a null in a key column cannot hide a duplicate).
-#}
{% test unique_combination(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
