{{ apply_corrections('torch', 'stg_torch__statistics', key_columns=['uscc', 'year']) }}
