-- Import (innopoints import): the loader reserves a batch id before streaming a file's rows, and
-- records which operating-system user ran the import (loaded_by is the database role).
alter table audit.import_batches add column if not exists os_user text;
comment on column audit.import_batches.os_user is 'operating-system user who ran innopoints import (导入人)';
do $$
begin
    execute format('grant usage on sequence %s to innopoints_loader',
                   pg_get_serial_sequence('audit.import_batches', 'batch_id'));
end
$$;
