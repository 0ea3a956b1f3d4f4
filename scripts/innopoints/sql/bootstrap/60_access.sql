-- Who reads which rows of the marts, enforced by PostgreSQL itself (row-level security), whatever SQL
-- arrives: Superset connects as the login role of each user's audience, analysts log in as theirs.
--
-- Group roles (NOLOGIN), one per audience; login roles are their members (created by innopoints.db):
--   innopoints_read_all   province officers, leadership, analysts (innopoints_reporter): every row;
--   innopoints_read_city  one login role per city (innopoints_city_<code>): that city's rows;
--   innopoints_read_bank  one login role per bank (innopoints_bank_<code>): enterprises whose consent
--                         to that bank is in force now (read from the raw consents, so a revocation
--                         counts at once, before any rebuild), and that bank's own loans.
-- The policies themselves are put on each mart by dbt when it builds it (macro apply_access).
create schema if not exists access;
comment on schema access is
    'Row-level security of the marts (数据访问控制): the audience of each login role and the functions '
    'the policies call. Written by the bootstrap only.';

-- innopoints_access owns the security-definer functions below: it may read the audiences and the raw
-- consents, nothing else
do $$
declare r text;
begin
    foreach r in array array['innopoints_read_all', 'innopoints_read_city', 'innopoints_read_bank',
                             'innopoints_access'] loop
        if not exists (select from pg_roles where rolname = r) then
            execute format('create role %I nologin', r);
        end if;
    end loop;
end
$$;

create table if not exists access.audiences (
    role_name name primary key,
    audience text not null check (audience in ('city', 'bank')),
    city_code text,
    bank_code text,
    check ((audience = 'city') = (city_code is not null) and (audience = 'bank') = (bank_code is not null))
);
comment on table access.audiences is
    'The city or bank of each login role of a city or bank audience (受众): what its policies let it read.';

grant usage on schema raw to innopoints_access;
grant select on raw.consents to innopoints_access;
grant usage on schema access to innopoints_access;
grant select on access.audiences to innopoints_access;

-- The consents in force for a bank on a day: the newest delivery of each (enterprise, bank) decides;
-- granted on or before the day and not revoked by then. The one home of this rule: the bank push and
-- the banks' row-level security both call it.
create or replace function access.consents_in_force(p_bank_code text, p_on date)
returns setof text
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    with latest as (
        select distinct on (uscc) uscc, granted_date, revoked_date
        from raw.consents
        where bank_code = p_bank_code
        order by uscc, _batch_id desc, _line desc
    )
    select uscc from latest
    where granted_date <= p_on and (revoked_date is null or revoked_date > p_on)
$$;
alter function access.consents_in_force(text, date) owner to innopoints_access;
revoke all on function access.consents_in_force(text, date) from public;

-- The caller's city and bank, from its login (session_user: SET ROLE cannot change it, and a member
-- that switches to a group role is no longer the login of any audience).
create or replace function access.my_city() returns text
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$ select city_code from access.audiences where role_name = session_user and audience = 'city' $$;
alter function access.my_city() owner to innopoints_access;

create or replace function access.my_bank() returns text
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$ select bank_code from access.audiences where role_name = session_user and audience = 'bank' $$;
alter function access.my_bank() owner to innopoints_access;

-- Enterprises whose consent to the caller's bank is in force today (Beijing time).
create or replace function access.my_consented_usccs() returns setof text
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select access.consents_in_force(access.my_bank(), (now() at time zone 'Asia/Shanghai')::date)
$$;
alter function access.my_consented_usccs() owner to innopoints_access;

revoke all on function access.my_city(), access.my_bank(), access.my_consented_usccs() from public;
grant usage on schema access to innopoints_read_city, innopoints_read_bank, innopoints_transformer,
    innopoints_publisher;
grant execute on function access.consents_in_force(text, date) to innopoints_publisher;
grant execute on function access.my_city() to innopoints_read_city;
grant execute on function access.my_bank(), access.my_consented_usccs() to innopoints_read_bank;

-- Reporting roles read the marts schema (rows as their policies allow), and nothing else.
grant usage on schema marts to innopoints_read_all, innopoints_read_city, innopoints_read_bank;
alter default privileges for role innopoints_transformer in schema marts
    grant select on tables to innopoints_read_all, innopoints_read_city, innopoints_read_bank;

-- No SQL hidden in strings for anyone but the administrator: functions that run query text given as
-- an argument, and anonymous code blocks. (Row-level security would still bind them; this closes the
-- door before it.)
revoke execute on function
    pg_catalog.query_to_xml(text, boolean, boolean, text),
    pg_catalog.query_to_xmlschema(text, boolean, boolean, text),
    pg_catalog.query_to_xml_and_xmlschema(text, boolean, boolean, text),
    pg_catalog.cursor_to_xml(refcursor, integer, boolean, boolean, text),
    pg_catalog.cursor_to_xmlschema(refcursor, boolean, boolean, text),
    pg_catalog.table_to_xml(regclass, boolean, boolean, text),
    pg_catalog.table_to_xmlschema(regclass, boolean, boolean, text),
    pg_catalog.table_to_xml_and_xmlschema(regclass, boolean, boolean, text),
    pg_catalog.schema_to_xml(name, boolean, boolean, text),
    pg_catalog.schema_to_xmlschema(name, boolean, boolean, text),
    pg_catalog.schema_to_xml_and_xmlschema(name, boolean, boolean, text),
    pg_catalog.database_to_xml(boolean, boolean, text),
    pg_catalog.database_to_xmlschema(boolean, boolean, text),
    pg_catalog.database_to_xml_and_xmlschema(boolean, boolean, text),
    pg_catalog.ts_rewrite(tsquery, text),
    pg_catalog.ts_stat(text),
    pg_catalog.ts_stat(text, text)
from public;
revoke usage on language plpgsql from public;
