{{ apply_corrections('tsme', 'stg_tsme__registrations', key_columns=['uscc', 'year']) }}
