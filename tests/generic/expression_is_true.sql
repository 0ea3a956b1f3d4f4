{#-
    expression_is_true: a boolean SQL expression over the model's columns holds on every row
    (optionally only the rows where `where` holds). A null result counts as a failure.
-#}
{% test expression_is_true(model, expression, where=none, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
  {%- if where %} and ({{ where }}){% endif %}
{% endtest %}
