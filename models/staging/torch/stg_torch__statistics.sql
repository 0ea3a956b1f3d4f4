{{ latest_delivery(
    source('torch', 'torch'),
    key_columns=['uscc', 'year'],
    columns=[
        'uscc',
        'year',
        'revenue',
        'net_profit',
        'employees',
        'rd_staff',
        'rd_expense',
        'hitech_product_revenue',
        'tech_contract_amount',
        'tech_contract_absorbed_local',
        'equity_financing',
    ],
    adjust_feed='torch',
) }}
