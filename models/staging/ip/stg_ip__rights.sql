{{ latest_delivery(
    source('ip', 'ip'),
    key_columns=['ip_no'],
    columns=source_columns('ip', 'ip'),
) }}
