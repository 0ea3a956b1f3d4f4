{{ latest_delivery(
    source('registry', 'registry'),
    key_columns=['uscc'],
    columns=source_columns('registry', 'registry'),
) }}
