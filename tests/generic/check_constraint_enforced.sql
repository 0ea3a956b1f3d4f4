{#-
    check_constraint_enforced: the model's row rules are held by PostgreSQL (macro enforce_row_rules):
    a validated CHECK constraint of this name and NOT NULL on the given columns. Read from the catalog
    alone: the constraint was checked on every row when it was added and is checked on every write
    since, so the table is not scanned again.
-#}
{% test check_constraint_enforced(model, constraint_name, not_null=[]) %}
with relation as (
    select t.oid
    from pg_class as t
    join pg_namespace as ns on ns.oid = t.relnamespace
    where ns.nspname = '{{ model.schema }}' and t.relname = '{{ model.identifier }}'
)

select 'relation {{ model.schema }}.{{ model.identifier }} not found' as problem
where not exists (select from relation)
union all
select 'no validated check constraint {{ constraint_name }}' as problem
from relation as r
where not exists (
    select from pg_constraint as k
    where k.conrelid = r.oid and k.conname = '{{ constraint_name }}' and k.contype = 'c' and k.convalidated
)
{%- for c in not_null %}
union all
select 'column {{ c }} may be null' as problem
from relation as r
where not exists (
    select from pg_attribute as a where a.attrelid = r.oid and a.attname = '{{ c }}' and a.attnotnull
)
{%- endfor %}
{% endtest %}
