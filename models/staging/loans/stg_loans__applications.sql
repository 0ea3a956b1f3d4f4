{{ latest_delivery(
    source('loans', 'loans'),
    key_columns=['loan_app_id'],
    columns=source_columns('loans', 'loans'),
) }}
