"""The gate's takeover of the freshness the build read in the same run (runner.FreshnessRead): each
source's age is judged again at the time of the gate, by dbt's rule, and nothing is taken over once a
feed was imported since the read. Pure: no database, no dbt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from innopoints.quality.runner import FreshnessRead, aged, reuse_freshness

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LOANS_RULE = {"warn_after": {"count": 7, "period": "day"}, "error_after": {"count": 35, "period": "day"},
              "filter": None}


def item(loaded: datetime, status: str = "pass", criteria: dict[str, Any] | None = None) -> dict[str, Any]:
    read_at = NOW - timedelta(minutes=2)
    return {"unique_id": "source.innopoints.loans.loans", "status": status, "criteria": criteria or LOANS_RULE,
            "max_loaded_at": loaded.isoformat(), "snapshotted_at": read_at.isoformat(),
            "max_loaded_at_time_ago_in_s": (read_at - loaded).total_seconds()}


def test_the_age_is_taken_at_the_gate_and_the_status_follows_dbts_rule() -> None:
    assert aged(item(NOW - timedelta(days=1)), NOW)["status"] == "pass"
    # read as fresh two minutes before the gate, older than 7 days at the gate: a warning now
    crossed = aged(item(NOW - timedelta(days=7, minutes=1)), NOW)
    assert crossed["status"] == "warn" and crossed["max_loaded_at_time_ago_in_s"] == (7 * 1440 + 1) * 60
    assert aged(item(NOW - timedelta(days=36)), NOW)["status"] == "error"
    # no error_after (the bookkeeping sources): at most a warning, as dbt says
    warn_only = {"warn_after": {"count": 400, "period": "day"}, "error_after": {"count": None, "period": None}}
    assert aged(item(datetime(1, 1, 1, tzinfo=UTC), "warn", warn_only), NOW)["status"] == "warn"


def test_a_result_dbt_could_not_read_is_kept_as_it_is() -> None:
    broken = {"unique_id": "source.innopoints.loans.loans", "status": "runtime error", "message": "boom"}
    assert aged(broken, NOW) == broken


def test_nothing_is_taken_over_after_an_import_since_the_read() -> None:
    read = FreshnessRead({"results": [item(NOW - timedelta(days=1))]}, {"loans": 7, "policy": None})
    assert reuse_freshness(read, {"loans": 8, "policy": None}) is None
    assert reuse_freshness(read, {"loans": 7, "policy": 3}) is None
