"""Expectation suites as code (the source of truth; gx/expectations/*.json is generated from here).

A suite is bound to one table (a GX table asset over the warehouse) and holds GX Core 1.x
expectations. Checks that need more than one column or table are ``UnexpectedRows`` (GX's
``UnexpectedRowsExpectation``, its query run once):
a SQL query over ``{batch}`` (the asset's table) that returns the offending rows, none when the
check holds. GX aliases ``{batch}`` itself unless the query has a join; a query with a join must
alias it (``{batch} as s``). Every expectation carries ``meta.check`` (a short stable name, used in reports and in
audit.dq_results) and, when it is about one column, ``meta.column``.

Rules that hold for each row on its own (presence, format, range, code lists, …) are checked in one
pass per table: ``row_rules_expectation`` makes one ``UnexpectedRows`` of them all (each
rule evaluated once per row), and the runner reports each rule as a result of its own, named as
before (``meta.rules``), so audit.dq_results, reports and carried results do not change shape.

Areas: ``raw`` (one suite per source feed: suites/raw_feeds.py) and ``marts`` (scoring marts:
suites/scoring_marts.py; metrics of the monitoring marts: suites/monitoring_marts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import great_expectations as gx
from great_expectations.expectations import Expectation, UnexpectedRowsExpectation


@dataclass(frozen=True)
class SuiteSpec:
    name: str  # suite name, also names the GX asset and validation definition
    area: str  # raw | marts
    schema: str
    table: str
    expectations: tuple[Expectation, ...]
    feed: str | None = None  # the source feed of a raw suite
    # "scoring": a failure blocks score publications; "monitoring": it marks the monitoring marts only
    purpose: str = "scoring"
    notes: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"

    def to_gx(self) -> gx.ExpectationSuite:
        # built in one go: ExpectationSuite.add_expectation would write straight into the store
        # whenever a suite of that name exists there already
        exps = []
        for e in self.expectations:
            c = e.copy(deep=True)
            c.id = None
            exps.append(c)
        return gx.ExpectationSuite(name=self.name, notes=self.notes or None, expectations=exps,
                                   meta={"area": self.area, "feed": self.feed, "relation": self.relation})


class UnexpectedRows(UnexpectedRowsExpectation):
    """GX's ``UnexpectedRowsExpectation`` with its query run once. GX's own runs it twice, once for the
    rows and once as ``SELECT COUNT(*) FROM (query)``, and the gate's queries aggregate whole tables (a
    national raw feed, 110 M indicator rows), so the second run doubled the gate's time. Here the rows
    GX fetches decide: none, the check holds. GX fetches at most ``MAX_RESULT_RECORDS`` (200) rows, so
    the count reported is capped there (the queries that can return many rows return one per problem
    kind, scheme or delivery, or per rule broken, with the number of rows in a column of its own)."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.table",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None,
                  execution_engine: Any = None) -> dict[str, Any]:
        rows = metrics["unexpected_rows_query.table"]
        return {"success": not rows,
                "result": {"observed_value": len(rows), "details": {"unexpected_rows": rows}}}


ROW_RULES = "row_rules"  # the check name of a one-pass expectation; the runner reports its rules instead


@dataclass(frozen=True)
class RowRule:
    """A rule every row of a table must keep: ``fails`` is SQL over the row (alias ``r``), true when the
    row breaks it (null when the value is absent: a rule on a value ignores missing ones, as GX's column
    expectations do; presence is a not_null rule's)."""

    check: str
    column: str | None
    fails: str
    description: str
    gx_type: str  # the GX expectation type of the same rule checked on its own, kept in the audit

    def as_meta(self) -> dict[str, Any]:
        return {"check": self.check, "column": self.column, "description": self.description, "type": self.gx_type}


def sql_list(values: list[str]) -> str:
    """SQL string literals for an ``in (...)`` list."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def braces(sql: str) -> str:
    """SQL text with its braces doubled: GX substitutes ``{batch}`` with str.format."""
    return sql.replace("{", "{{").replace("}", "}}")


def row_rules_sql(rules: list[RowRule], order_key: str, shown: str) -> str:
    """One pass over ``{batch}`` for all ``rules``: each evaluated once per row (the inner select, kept
    apart by ``offset 0``), then per rule the number of rows breaking it and the first of them by
    ``order_key`` (SQL over the row), shown by ``shown`` (SQL with ``{first}`` for that key). One output
    row per rule broken; none when every row keeps every rule."""
    flags = ",\n".join(f"  coalesce({r.fails}, false) as b{i}" for i, r in enumerate(rules))
    aggregates = ",\n".join(f"  count(*) filter (where f.b{i}) as n{i}, min(f.k) filter (where f.b{i}) as e{i}"
                            for i in range(len(rules)))
    values = ", ".join(f"('{r.check}', {repr(r.column) if r.column else 'null::text'}, n{i}, e{i})"
                       for i, r in enumerate(rules))
    return (f"with flagged as (\nselect\n{flags},\n  {order_key} as k\nfrom {{batch}} as r offset 0),\n"
            f"counted as (\nselect\n{aggregates}\nfrom flagged as f)\n"
            "select broken.check_name, broken.column_name, broken.n_rows, "
            f"{shown.format(first='broken.first_key')} as first_row\n"
            f"from counted cross join lateral (values {values}) as broken(check_name, column_name, n_rows, first_key)\n"
            "where broken.n_rows > 0")


def row_rules_expectation(rules: list[RowRule], order_key: str, shown: str, description: str) -> Expectation:
    """The one expectation that checks ``rules`` in one pass (``row_rules_sql``)."""
    e = UnexpectedRows(unexpected_rows_query=row_rules_sql(rules, order_key, shown), description=description)
    e.meta = {"check": ROW_RULES, "rules": [r.as_meta() for r in rules]}
    return e


def check(e: Expectation, name: str, column: str | None = None) -> Expectation:
    """Tag an expectation with its stable check name (and column) for reports and the audit."""
    e.meta = {**(e.meta or {}), "check": name, **({"column": column} if column else {})}
    return e


def all_suites() -> list[SuiteSpec]:
    from innopoints.quality.suites import monitoring_marts, raw_feeds, scoring_marts

    return [*raw_feeds.suites(), *scoring_marts.suites(), *monitoring_marts.suites()]
