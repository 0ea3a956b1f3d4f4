{{ apply_corrections('tax', 'stg_tax__records', key_columns=['uscc', 'year']) }}
