{{ latest_delivery(
    source('credit', 'credit'),
    key_columns=['uscc', 'year'],
    columns=[
        'uscc',
        'year',
        'dishonest_listed',
        'admin_penalties',
    ],
    adjust_feed='credit',
) }}
