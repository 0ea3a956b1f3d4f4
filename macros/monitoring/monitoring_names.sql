{#-
    Names the monitoring marts show for their own summary rows, written once.
-#}

{#- bank_name_zh of the rows with bank_code monitoring_all_banks(), all banks together (全部银行). -#}
{% macro monitoring_all_banks_name_zh() -%}
    '全部银行'
{%- endmacro %}
