{{ latest_delivery(
    source('credit', 'credit'),
    key_columns=['uscc', 'year'],
    columns=source_columns('credit', 'credit'),
) }}
