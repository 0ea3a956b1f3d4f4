"""Is the data that would be published the data the latest validation passed?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from innopoints.quality import state


@dataclass(frozen=True)
class GateVerdict:
    ok: bool
    reason: str
    run_id: str | None = None
    finished_at: datetime | None = None
    covered_batches: dict[str, int | None] = field(default_factory=dict)


def check(conn: Any) -> GateVerdict:
    """Read the latest audit.dq_runs row and compare what it validated with the data now."""
    row = conn.execute(
        "select run_id, finished_at, success, freshness_success, n_failed, covered_batches, marts_fingerprint, "
        "failed_checks from audit.dq_runs order by finished_at desc, run_id desc limit 1"
    ).fetchone()
    if row is None:
        return GateVerdict(False, "no data-quality validation has run yet: run `innopoints validate`")
    run_id, finished, success, fresh_ok, n_failed, covered, fingerprint, failed = row
    covered = covered if isinstance(covered, dict) else json.loads(covered)
    when = f"{run_id} at {finished:%Y-%m-%d %H:%M:%S %Z}"
    if not success:
        names = ", ".join(f["check"] for f in (failed or [])[:5])
        more = f" and {n_failed - 5} more" if n_failed > 5 else ""
        return GateVerdict(False, f"the latest validation ({when}) failed {n_failed} check(s): {names}{more}. "
                           "Fix the data (re-deliver the feed), `innopoints build`, then `innopoints validate`",
                           run_id, finished, covered)
    if fresh_ok is not True:
        return GateVerdict(False, f"the latest validation ({when}) did not run dbt source freshness: "
                           "run `innopoints validate` (without --no-freshness)", run_id, finished, covered)
    now = state.feed_batches(conn)
    changed = [f"{feed}: validated up to batch {covered.get(feed)}, now {now[feed]}"
               for feed in now if covered.get(feed) != now[feed]]
    if changed:
        return GateVerdict(False, "data were imported after the latest validation "
                           f"({when}; {'; '.join(changed)}): run `innopoints build` and `innopoints validate`",
                           run_id, finished, covered)
    current = state.marts_fingerprint(conn)
    if current is None:
        return GateVerdict(False, "the scoring marts do not exist: run `innopoints build` and `innopoints validate`",
                           run_id, finished, covered)
    if current != fingerprint:
        return GateVerdict(False, f"the scoring marts were rebuilt with different content after the latest "
                           f"validation ({when}): run `innopoints validate`", run_id, finished, covered)
    return GateVerdict(True, f"validation {when} passed on this data", run_id, finished, covered)
