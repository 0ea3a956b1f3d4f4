-- Schemas of the warehouse. raw and audit belong to the administrator (written by the loader);
-- the modelled layers belong to the transformer, which dbt connects as.
create schema if not exists raw;
create schema if not exists audit;
create schema if not exists seeds authorization innopoints_transformer;
create schema if not exists snapshots authorization innopoints_transformer;
create schema if not exists staging authorization innopoints_transformer;
create schema if not exists intermediate authorization innopoints_transformer;
create schema if not exists marts authorization innopoints_transformer;
