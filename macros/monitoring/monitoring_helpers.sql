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

{#- The financing rates of metrics.md (融资成功率、审批时长、加权利率、利差、节省、逾期率、不良率), each a
    ratio of additive columns that every financing fact table stores under the same names, so a
    monthly and a yearly row (or any sum of rows) compute them alike. -#}
{% macro monitoring_financing_rates() -%}
    {{ monitoring_ratio('enterprises_approved', 'enterprises_decided') }} as enterprise_success_rate,
    {{ monitoring_ratio('applications_approved', 'applications_decided') }} as application_success_rate,
    {{ monitoring_ratio('approval_days_sum', 'applications_decided', 2) }} as approval_days_mean,
    {{ monitoring_ratio('rate_pct_x_amount', 'amount_with_rate', 4) }} as weighted_rate_pct,
    {{ monitoring_ratio('all_in_rate_pct_x_amount', 'amount_with_rate', 4) }} as weighted_all_in_rate_pct,
    {{ monitoring_ratio('spread_bp_x_amount', 'amount_with_lpr', 2) }} as weighted_spread_bp,
    {{ monitoring_ratio('saving_pct_points_x_amount', 'ordinary_rate_pct_x_amount') }} as saving_share,
    {{ monitoring_ratio('loans_overdue', 'loans_disbursed') }} as overdue_rate_by_count,
    {{ monitoring_ratio('overdue_balance', 'outstanding_balance') }} as overdue_rate_by_balance,
    {{ monitoring_ratio('loans_default', 'loans_disbursed') }} as default_rate_by_count,
    {{ monitoring_ratio('default_balance', 'outstanding_balance') }} as default_rate_by_balance
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
