{{ latest_delivery(
    source('registry', 'registry'),
    key_columns=['uscc'],
    columns=[
        'uscc',
        'name',
        'legal_rep',
        'established_date',
        'deregistered_date',
        'city_code',
        'industry_code',
        'registered_capital',
    ],
    adjust_feed='registry',
) }}
