-- Least privilege. Loader: write raw and audit import tables. Transformer: read raw and audit,
-- own the modelled schemas. Reporter: read marts only.
grant usage on schema raw, audit to innopoints_loader, innopoints_transformer;
grant select, insert on all tables in schema raw to innopoints_loader;
grant select, insert on audit.import_batches, audit.quarantine, audit.import_refusals to innopoints_loader;
grant select on all tables in schema raw to innopoints_transformer;
grant select on all tables in schema audit to innopoints_transformer;
grant usage on schema marts to innopoints_reporter;
alter default privileges for role innopoints_transformer in schema marts
    grant select on tables to innopoints_reporter;
grant select on all tables in schema marts to innopoints_reporter;
revoke all on schema raw, audit, staging, intermediate, seeds, snapshots from innopoints_reporter;
grant usage on schema marts, audit to innopoints_publisher;
grant select on all tables in schema marts to innopoints_publisher;
alter default privileges for role innopoints_transformer in schema marts
    grant select on tables to innopoints_publisher;
-- the owner of audit.feed_value reads the scoring feeds as corrected (intermediate.int_feeds__*)
grant usage on schema intermediate to innopoints_owner;
alter default privileges for role innopoints_transformer in schema intermediate
    grant select on tables to innopoints_owner;
grant select on all tables in schema intermediate to innopoints_owner;
