{{ latest_delivery(
    source('consents', 'consents'),
    key_columns=['uscc', 'bank_code'],
    columns=source_columns('consents', 'consents'),
) }}
