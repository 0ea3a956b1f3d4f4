{#-
    enforce_row_rules: a post-hook that makes PostgreSQL itself hold a table's row rules. One
    ALTER TABLE sets the key columns NOT NULL and adds the CHECK constraint `name` (the expression
    must hold on every row; a null result counts as a failure, as in the expression_is_true test),
    validated in a single scan of the new table. From then on every write is refused that would
    break them, so the rules are proven by the catalog (a validated constraint) and neither the
    build's tests (check_constraint_enforced) nor the gate (innopoints.quality.suites.scoring_marts)
    read the rows again. Use it on tables too large to scan twice (marts.fct_indicator_scores).
-#}
{% macro enforce_row_rules(name, expression, not_null=[]) %}
alter table {{ this }}
{%- for c in not_null %}
    alter column {{ c }} set not null,
{%- endfor %}
    add constraint {{ name }} check (coalesce(({{ expression }}), false))
{% endmacro %}
