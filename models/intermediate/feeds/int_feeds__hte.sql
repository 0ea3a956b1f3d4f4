{{ apply_corrections('hte', 'stg_hte__certificates', key_columns=['uscc', 'certificate_no']) }}
