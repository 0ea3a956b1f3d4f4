{{ latest_delivery(
    source('policy', 'policy'),
    key_columns=['policy_app_id'],
    columns=[
        'policy_app_id',
        'uscc',
        'policy_type',
        'applied_date',
        'approved_date',
        'amount_approved',
        'disbursed_date',
        'amount_disbursed',
    ],
) }}
