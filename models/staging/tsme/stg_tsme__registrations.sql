{{ latest_delivery(
    source('tsme', 'tsme'),
    key_columns=['uscc', 'year'],
    columns=[
        'uscc',
        'year',
        'registration_no',
    ],
    adjust_feed='tsme',
) }}
