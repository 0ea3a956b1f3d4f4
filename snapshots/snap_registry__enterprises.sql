{#- SCD2 history of the enterprise registry (企业登记信息历史): a new version whenever any
    registered attribute of an enterprise changes between builds (check strategy). -#}
{% snapshot snap_registry__enterprises %}

{{
    config(
        unique_key='uscc',
        strategy='check',
        check_cols=['name', 'legal_rep', 'established_date', 'deregistered_date', 'city_code',
                    'industry_code', 'registered_capital'],
    )
}}

select
    uscc,
    name,
    legal_rep,
    established_date,
    deregistered_date,
    city_code,
    industry_code,
    registered_capital,
    source_batch_id,
    loaded_at
from {{ ref('int_feeds__registry') }}

{% endsnapshot %}
