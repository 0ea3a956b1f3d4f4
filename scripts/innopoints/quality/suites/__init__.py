"""Expectation suites as code (the source of truth; gx/expectations/*.json is generated from here).

A suite is bound to one table (a GX table asset over the warehouse) and holds GX Core 1.x
expectations. Checks that need more than one column or table are ``UnexpectedRowsExpectation``s:
a SQL query over ``{batch}`` (the asset's table) that returns the offending rows, none when the
check holds. GX aliases ``{batch}`` itself unless the query has a join; a query with a join must
alias it (``{batch} as s``). Every expectation carries ``meta.check`` (a short stable name, used in reports and in
audit.dq_results) and, when it is about one column, ``meta.column``.

Areas: ``raw`` (one suite per source feed: suites/raw_feeds.py) and ``marts`` (scoring marts:
suites/scoring_marts.py; metrics of the monitoring marts: suites/monitoring_marts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
from great_expectations.expectations import Expectation


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


def check(e: Expectation, name: str, column: str | None = None) -> Expectation:
    """Tag an expectation with its stable check name (and column) for reports and the audit."""
    e.meta = {**(e.meta or {}), "check": name, **({"column": column} if column else {})}
    return e


def all_suites() -> list[SuiteSpec]:
    from innopoints.quality.suites import monitoring_marts, raw_feeds, scoring_marts

    return [*raw_feeds.suites(), *scoring_marts.suites(), *monitoring_marts.suites()]
