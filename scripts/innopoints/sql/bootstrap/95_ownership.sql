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
    -- only what is not owned yet: ALTER ... OWNER locks the table even when nothing changes, and this
    -- runs at the start of every command, beside imports and builds
    for obj in
        select nspname from pg_namespace
        where nspname in ('raw', 'audit', 'access') and nspowner <> 'innopoints_owner'::regrole
    loop
        execute format('alter schema %I owner to innopoints_owner', obj);
    end loop;
    -- tables (their identity sequences follow them); access.audiences too (its functions stay with
    -- innopoints_access, which may read what they need and nothing else)
    for obj in
        select c.oid::regclass::text from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('raw', 'audit', 'access') and c.relkind in ('r', 'p')
          and c.relowner <> 'innopoints_owner'::regrole
    loop
        execute format('alter table %s owner to innopoints_owner', obj);
    end loop;
    -- sequences of their own (not a column's)
    for obj in
        select c.oid::regclass::text from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('raw', 'audit') and c.relkind = 'S' and c.relowner <> 'innopoints_owner'::regrole
          and not exists (select from pg_depend as d where d.classid = 'pg_class'::regclass and d.objid = c.oid
                          and d.deptype in ('a', 'i'))
    loop
        execute format('alter sequence %s owner to innopoints_owner', obj);
    end loop;
    for obj in
        select p.oid::regprocedure::text from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
        where n.nspname in ('raw', 'audit') and p.proowner <> 'innopoints_owner'::regrole
    loop
        execute format('alter routine %s owner to innopoints_owner', obj);
    end loop;
end
$$;
