-- dbt stages snapshot changes and unit-test fixtures in TEMPORARY tables, so the transformer needs
-- the TEMP privilege on the warehouse database (90_grants.sql grants only CONNECT). Temporary
-- tables live in the session's own schema and vanish with it; nothing else is widened.
do $$
begin
    execute format('grant temporary on database %I to innopoints_transformer', current_database());
end
$$;
