"""Is the data that would be published the data the latest validation passed?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from innopoints.feeds import FEEDS
from innopoints.quality import state


@dataclass(frozen=True)
class GateVerdict:
    ok: bool
    reason: str
    run_id: str | None = None
    finished_at: datetime | None = None
    covered_batches: dict[str, int | None] = field(default_factory=dict)


def _names(failed: list[dict[str, Any]], limit: int = 5) -> str:
    names = ", ".join(f["check"] for f in failed[:limit])
    return names + (f" and {len(failed) - limit} more" if len(failed) > limit else "")


def check(conn: Any) -> GateVerdict:
    """Read the latest audit.dq_runs row and compare what it validated with the data now. A score
    publication rests on the scoring inputs and the scoring marts only: a monitoring feed (loans,
    policy, consents) that failed, arrived after the validation or was never delivered does not block it."""
    row = conn.execute(
        "select run_id, finished_at, coalesce(scoring_success, success), freshness_success, covered_batches, "
        "marts_fingerprint, failed_checks "
        "from audit.dq_runs order by finished_at desc, run_id desc limit 1"
    ).fetchone()
    if row is None:
        return GateVerdict(False, "尚未做过数据质量校验 (no data-quality validation has run yet): "
                           "run `innopoints validate`")
    run_id, finished, scoring_ok, fresh_ok, covered, fingerprint, failed = row
    covered = covered if isinstance(covered, dict) else json.loads(covered)
    when = f"{run_id} at {finished:%Y-%m-%d %H:%M:%S %Z}"
    if not scoring_ok:
        bad = [f for f in (failed or []) if f.get("purpose", "scoring") == "scoring"]
        reason = (f"最近一次校验 (the latest validation, {when}) 有 {len(bad)} 项评分数据校验未通过 "
                  f"({len(bad)} scoring check(s) failed): {_names(bad)}. 请修正数据 (fix the data: ask the "
                  "provider to re-deliver the feed), then `innopoints build` and `innopoints validate`")
        return GateVerdict(False, reason, run_id, finished, covered)
    if fresh_ok is None:
        reason = (f"最近一次校验 (the latest validation, {when}) 未检查数据新鲜度 (did not run dbt source "
                  "freshness): run `innopoints validate` (without --no-freshness)")
        return GateVerdict(False, reason, run_id, finished, covered)
    now = state.feed_batches(conn)
    changed = [f"{feed}: validated up to batch {covered.get(feed)}, now {now[feed]}"
               for feed in now if FEEDS[feed].purpose == "scoring" and covered.get(feed) != now[feed]]
    if changed:
        return GateVerdict(False, "最近一次校验之后又导入了评分数据 (scoring data were imported after the latest "
                           f"validation, {when}; {'; '.join(changed)}): run `innopoints build` and "
                           "`innopoints validate`", run_id, finished, covered)
    # the identity of the marts now, named as the validation named them: by their guarded write stamp
    # (catalog look-ups, no need to read 110 M rows in this transaction), else by a content hash
    current = state.marts_identity(conn)
    if current is None:
        return GateVerdict(False, "积分数据集不存在 (the scoring marts do not exist): run `innopoints build` and "
                           "`innopoints validate`", run_id, finished, covered)
    if current != fingerprint:
        return GateVerdict(False, f"最近一次校验之后积分数据集被写入或重建 (the scoring marts were written or rebuilt "
                           f"after the latest validation, {when}): run `innopoints validate`",
                           run_id, finished, covered)
    return GateVerdict(True, f"校验 (validation) {when} 在当前数据上通过 (passed on this data)", run_id, finished,
                       covered)
