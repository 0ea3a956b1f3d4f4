{{ apply_corrections('sci_records', 'stg_sci_records__records', key_columns=['record_id']) }}
