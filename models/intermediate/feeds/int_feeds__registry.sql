{{ apply_corrections('registry', 'stg_registry__enterprises', key_columns=['uscc']) }}
