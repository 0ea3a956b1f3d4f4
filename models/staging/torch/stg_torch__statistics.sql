{{ latest_delivery(
    source('torch', 'torch'),
    key_columns=['uscc', 'year'],
    columns=source_columns('torch', 'torch'),
) }}
