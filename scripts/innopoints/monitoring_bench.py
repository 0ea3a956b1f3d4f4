"""Headline queries of the monitoring dashboards, timed: each reads one mart table, as a chart would.

``headline_queries(conn)`` runs every query (one warm-up, then ``repeats`` timed runs) for the
latest evaluation year and the provincial scheme found in the headline table and returns
``(name, median milliseconds)`` pairs. ``innopoints bench build`` reports them
beside the build time; ``python -m innopoints.monitoring_bench`` prints them for the warehouse that
INNOPOINTS_DB_NAME points at.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import psycopg

from innopoints.console import result

# name -> SQL with %(eval_year)s / %(scheme_code)s parameters; one mart table per query.
HEADLINE_QUERIES: dict[str, str] = {
    "leadership_cockpit": """
        select * from marts.fct_leadership_headline
        where eval_year = %(eval_year)s and scheme_code = %(scheme_code)s
        order by region_code""",
    "financing_monthly_trend": """
        select month,
               sum(applications_decided) as decided,
               sum(applications_approved)::numeric / nullif(sum(applications_decided), 0) as success_rate,
               sum(amount_disbursed) as amount,
               sum(rate_pct_x_amount) / nullif(sum(amount_with_rate), 0) as weighted_rate_pct,
               sum(spread_bp_x_amount) / nullif(sum(amount_with_lpr), 0) as spread_bp
        from marts.fct_financing_monthly
        where eval_year = %(eval_year)s and scheme_code = %(scheme_code)s
        group by month order by month""",
    "financing_by_bank": """
        select bank_code, sum(amount_disbursed) as amount, sum(loans_disbursed) as loans,
               sum(default_balance) / nullif(sum(outstanding_balance), 0) as npl_by_balance
        from marts.fct_financing_monthly
        where eval_year = %(eval_year)s and scheme_code = %(scheme_code)s
        group by bank_code order by amount desc""",
    "grade_outcomes": """
        select grade, sum(applications_approved)::numeric / nullif(sum(applications_decided), 0) as approval,
               sum(loans_default)::numeric / nullif(sum(loans_disbursed), 0) as default_rate
        from marts.fct_grade_outcomes
        where eval_year = %(eval_year)s and scheme_code = %(scheme_code)s
        group by grade order by grade""",
    "score_auc": """
        select region_code, auc, loans_with_outcome from marts.fct_score_auc
        where eval_year = %(eval_year)s and scheme_code = %(scheme_code)s and bank_code = 'ALL'""",
    "grade_migration": """
        select grade_from, grade_to, sum(enterprises) as enterprises from marts.fct_grade_migration
        where eval_year = %(eval_year)s and scheme_code = %(scheme_code)s
        group by grade_from, grade_to""",
    "risk_pool": """
        select pool_code, max(pool_size_yuan) as pool_size, sum(exposure_yuan) as exposure
        from marts.fct_risk_pool group by pool_code""",
    "policy_delivery": """
        select policy_type, sum(applications_disbursed) as paid,
               sum(disbursed_on_time)::numeric / nullif(sum(applications_disbursed), 0) as on_time,
               sum(amount_disbursed) / nullif(sum(amount_approved_of_disbursed), 0) as delivery_ratio,
               sum(backlog_count) as backlog
        from marts.fct_policy_delivery
        where eval_year = %(eval_year)s
        group by policy_type""",
    "bank_pushes": """
        select bank_code, count(*) as pushed, count(*) filter (where applied_to_bank_after) as applied,
               count(*) filter (where financed_by_bank_after) as financed
        from marts.fct_bank_pushes group by bank_code""",
    "bank_consents": """
        select bank_code, sum(consents_in_force) as in_force, sum(consents_revoked) as revoked
        from marts.fct_bank_consents_summary group by bank_code""",
    "import_batches": """
        select feed, sum(rows_read) as rows_read, sum(rows_quarantined) as quarantined
        from marts.fct_import_batches group by feed""",
    "quarantine_summary": """
        select feed, reason, sum(rows_quarantined) as rows from marts.fct_quarantine_summary
        group by feed, reason order by rows desc limit 20""",
}


def _parameters(conn: psycopg.Connection) -> dict[str, Any]:
    row = conn.execute(
        """select eval_year, scheme_code from marts.fct_leadership_headline
           where enterprises_evaluated > 0
           order by eval_year desc, (region_level = 'province') desc, scheme_code limit 1"""
    ).fetchone()
    if row is None:
        raise RuntimeError(
            "marts.fct_leadership_headline has no evaluated year: import data and run "
            "`innopoints build` before timing the headline queries"
        )
    return {"eval_year": row[0], "scheme_code": row[1]}


def headline_queries(conn: psycopg.Connection, repeats: int = 5) -> list[tuple[str, float]]:
    """Run each dashboard headline query (one table each); return (name, median ms) per query."""
    params = _parameters(conn)
    timings: list[tuple[str, float]] = []
    for name, sql in HEADLINE_QUERIES.items():
        conn.execute(sql, params).fetchall()  # warm-up: plan and cache, as a dashboard refresh would
        runs: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            conn.execute(sql, params).fetchall()
            runs.append((time.perf_counter() - start) * 1000.0)
        timings.append((name, round(statistics.median(runs), 2)))
    return timings


def main() -> int:
    from innopoints import db

    with db.connect(db.REPORTER, autocommit=True) as conn:
        params = _parameters(conn)
        result(f"headline queries, eval_year={params['eval_year']} scheme={params['scheme_code']} (median ms)")
        worst = 0.0
        for name, ms in headline_queries(conn):
            worst = max(worst, ms)
            result(f"  {name:<26} {ms:8.2f} ms")
        result(f"  {'slowest':<26} {worst:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
