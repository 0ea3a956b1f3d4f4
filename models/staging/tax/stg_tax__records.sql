{{ latest_delivery(
    source('tax', 'tax'),
    key_columns=['uscc', 'year'],
    columns=[
        'uscc',
        'year',
        'taxes_paid',
        'rd_super_deduction',
    ],
    adjust_feed='tax',
) }}
