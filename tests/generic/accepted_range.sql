{#-
    accepted_range: every non-null value of the column lies within [min_value, max_value]
    (bounds optional; `inclusive: false` makes them strict). Rows where `where` is false are skipped.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true, where=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  {%- if where %} and ({{ where }}){% endif %}
  and (
        false
        {%- if min_value is not none %}
        or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
  )
{% endtest %}
