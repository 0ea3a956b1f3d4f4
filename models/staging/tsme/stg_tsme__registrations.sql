{{ latest_delivery(
    source('tsme', 'tsme'),
    key_columns=['uscc', 'year'],
    columns=source_columns('tsme', 'tsme'),
) }}
