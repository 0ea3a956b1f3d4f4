{{ latest_delivery(
    source('consents', 'consents'),
    key_columns=['uscc', 'bank_code'],
    columns=[
        'uscc',
        'bank_code',
        'granted_date',
        'revoked_date',
    ],
) }}
