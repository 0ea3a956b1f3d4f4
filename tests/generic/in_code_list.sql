{#-
    in_code_list: every non-null value of the column is a code of (feed, field) in the ref_feed_codes
    seed, the one home of the feeds' code lists.
-#}
{% test in_code_list(model, column_name, feed, field) %}
with code_list as (

    select code from {{ ref('ref_feed_codes') }}
    where feed = '{{ feed }}' and field = '{{ field }}'

)

select {{ column_name }} as unknown_code
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (select code from code_list)
{% endtest %}
