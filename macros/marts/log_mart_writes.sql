{#-
    log_mart_writes: a post-hook of the published scoring marts. The table is created with a
    statement-level trigger that logs every later insert, update, delete or truncate in
    audit.mart_writes (audit.note_mart_write, security definer: whoever writes, it is logged). The
    build itself writes a new table before the hook runs, so a freshly built mart has no entry (an
    incremental mart, written in place, would log its build and be hashed again). The gate (innopoints.quality.state.mart_stamp) reads the log to know the mart did not change while
    it validated, without hashing it again.
-#}
{% macro log_mart_writes() %}
create or replace trigger log_mart_writes
after insert or update or delete or truncate on {{ this }}
for each statement execute function audit.note_mart_write()
{% endmacro %}
