{#-
    primary_key_indexed: the primary key of a very large table, checked without re-sorting it.
    Fails when the relation has no valid unique index on exactly these columns (the database
    then guarantees uniqueness on every write: a duplicate fails the build itself), or when any
    key column is null. Use it where the model keeps a unique index on its key anyway (for look-ups,
    as the score marts do) or where a GROUP BY over the whole table would cost more than the index
    (fct_indicator_scores, int_scoring__percentile_ratios); use primary_key elsewhere.
-#}
{% test primary_key_indexed(model, columns) %}
with unique_index as (
    select count(*) as n
    from pg_index as i
    join pg_class as t on t.oid = i.indrelid
    join pg_namespace as ns on ns.oid = t.relnamespace
    where ns.nspname = '{{ model.schema }}'
      and t.relname = '{{ model.identifier }}'
      and i.indisunique and i.indisvalid
      and (
          select array_agg(a.attname::text order by a.attname::text)
          from unnest(i.indkey) as k(attnum)
          join pg_attribute as a on a.attrelid = t.oid and a.attnum = k.attnum
      ) = (select array_agg(c order by c) from unnest(array[{% for c in columns %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %}]::text[]) as c)
),

-- key columns declared NOT NULL are proven by the catalog: then the table is not read at all
-- (a condition without columns of the table: PostgreSQL evaluates it once, before the scan)
null_keys as (
    select count(*) as n
    from {{ model }}
    where not (
        select count(*) = {{ columns | length }}
        from pg_attribute as a
        join pg_class as t on t.oid = a.attrelid
        join pg_namespace as ns on ns.oid = t.relnamespace
        where ns.nspname = '{{ model.schema }}' and t.relname = '{{ model.identifier }}'
          and a.attnotnull and a.attname in ({% for c in columns %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %})
    )
    and ({% for c in columns %}{{ c }} is null{% if not loop.last %} or {% endif %}{% endfor %})
)

select 'no valid unique index on ({{ columns | join(", ") }})' as problem
from unique_index where n = 0
union all
select n || ' rows with a null key column' as problem
from null_keys where n > 0
{% endtest %}
