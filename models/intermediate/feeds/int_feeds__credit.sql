{{ apply_corrections('credit', 'stg_credit__records', key_columns=['uscc', 'year']) }}
