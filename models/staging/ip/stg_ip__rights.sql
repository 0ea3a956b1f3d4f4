{{ latest_delivery(
    source('ip', 'ip'),
    key_columns=['ip_no'],
    columns=[
        'ip_no',
        'uscc',
        'ip_type',
        'application_date',
        'grant_date',
        'status',
        'is_pct',
    ],
    adjust_feed='ip',
) }}
