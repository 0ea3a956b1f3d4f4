-- Ownership. The raw and audit schemas, their tables and functions belong to innopoints_owner, a role
-- that cannot log in and has no members: the owner of a table may disable its triggers, alter or drop
-- it, so no login role may be (or become) the owner. The administrator (a superuser) runs the bootstrap
-- and nothing else. An administrator that is not a superuser (an external server) must be a member of
-- innopoints_owner to hand objects to it, and becomes one here.
do $$
declare
    obj text;
begin
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant innopoints_owner to %I', current_user);
    end if;
    alter schema raw owner to innopoints_owner;
    alter schema audit owner to innopoints_owner;
    -- tables (their identity sequences follow them)
    for obj in
        select c.oid::regclass::text from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('raw', 'audit') and c.relkind in ('r', 'p')
    loop
        execute format('alter table %s owner to innopoints_owner', obj);
    end loop;
    -- sequences of their own (not a column's)
    for obj in
        select c.oid::regclass::text from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('raw', 'audit') and c.relkind = 'S'
          and not exists (select from pg_depend as d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                          and d.deptype in ('a', 'i'))
    loop
        execute format('alter sequence %s owner to innopoints_owner', obj);
    end loop;
    for obj in
        select p.oid::regprocedure::text from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
        where n.nspname in ('raw', 'audit')
    loop
        execute format('alter routine %s owner to innopoints_owner', obj);
    end loop;
end
$$;
