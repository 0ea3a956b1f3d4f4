{{ latest_delivery(
    source('tax', 'tax'),
    key_columns=['uscc', 'year'],
    columns=source_columns('tax', 'tax'),
) }}
