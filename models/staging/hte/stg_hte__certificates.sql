{{ latest_delivery(
    source('hte', 'hte'),
    key_columns=['uscc', 'certificate_no'],
    columns=source_columns('hte', 'hte'),
) }}
