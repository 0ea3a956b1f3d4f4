{{ apply_corrections('ip', 'stg_ip__rights', key_columns=['ip_no']) }}
