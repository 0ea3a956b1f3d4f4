{#-
    Helpers of the monitoring marts (监测指标). Each one is a definition the docs refer to, written once.
-#}

{#- Grade code for a loan without a grade at application (未评级): the enterprise had no published
    score and no current score for that scheme. -#}
{% macro monitoring_no_grade() -%}
    'N'
{%- endmacro %}

{#- bank_code of the rows that hold all banks together (全部银行) in tables computed per bank and
    for all banks (AUC). -#}
{% macro monitoring_all_banks() -%}
    'ALL'
{%- endmacro %}

{#- "Today" of the monitoring marts (统计日): the project variable as_of_date when set (tests freeze
    it), else the database's current_date. -#}
{% macro monitoring_as_of_date() -%}
    {%- if var('as_of_date', none) -%}
        date '{{ var("as_of_date") }}'
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

{#- A ratio as numeric rounded to `scale` places; null when the denominator is 0 or null (e.g. a
    success rate with zero decided applications is unknown, not 0). -#}
{% macro monitoring_ratio(numerator, denominator, scale=6) -%}
    round(({{ numerator }})::numeric / nullif(({{ denominator }})::numeric, 0), {{ scale }})
{%- endmacro %}

{#- Continuous percentile (PostgreSQL percentile_cont: linear interpolation between the two nearest
    ranks, so the median of an even count is the mean of the middle two), as numeric to 2 places. -#}
{% macro monitoring_percentile(fraction, expression) -%}
    round((percentile_cont({{ fraction }}) within group (order by {{ expression }}))::numeric, 2)
{%- endmacro %}

{#- city_code of rows about enterprises missing from the registry (地市未知), where a table's key
    needs a city. -#}
{% macro monitoring_unknown_city() -%}
    'unknown'
{%- endmacro %}
