{{ latest_delivery(
    source('sci_records', 'sci_records'),
    key_columns=['record_id'],
    columns=[
        'record_id',
        'uscc',
        'record_type',
        'level',
        'name',
        'year',
        'end_year',
    ],
    adjust_feed='sci_records',
) }}
