{{ latest_delivery(
    source('hte', 'hte'),
    key_columns=['uscc', 'certificate_no'],
    columns=[
        'uscc',
        'certificate_no',
        'certified_date',
        'expiry_date',
        'report_year',
    ],
    adjust_feed='hte',
) }}
