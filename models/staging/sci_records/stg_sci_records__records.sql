{{ latest_delivery(
    source('sci_records', 'sci_records'),
    key_columns=['record_id'],
    columns=source_columns('sci_records', 'sci_records'),
) }}
