{{ latest_delivery(
    source('policy', 'policy'),
    key_columns=['policy_app_id'],
    columns=source_columns('policy', 'policy'),
) }}
