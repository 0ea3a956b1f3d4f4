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


def _fingerprint_now(conn: Any, validated_stamp: Any, validated: str | None) -> str | None:
    """The scoring marts' fingerprint now: the validated one when their guarded write stamp is the one
    the validation recorded (the same tables, not written since: no need to read 110 M rows again),
    else hashed afresh (a rebuild with identical rows keeps the fingerprint)."""
    now = state.mart_stamp(conn)
    if validated_stamp is not None and state.stamp_guarded(now) and now == validated_stamp:
        return validated
    return state.marts_fingerprint(conn)


def check(conn: Any) -> GateVerdict:
    """Read the latest audit.dq_runs row and compare what it validated with the data now. A score
    publication rests on the scoring inputs and the scoring marts only: a monitoring feed (loans,
    policy, consents) that failed, arrived after the validation or was never delivered does not block it."""
    row = conn.execute(
        "select run_id, finished_at, coalesce(scoring_success, success), freshness_success, covered_batches, "
        "marts_fingerprint, failed_checks, data_summary -> 'stamp' "
        "from audit.dq_runs order by finished_at desc, run_id desc limit 1"
    ).fetchone()
    if row is None:
        return GateVerdict(False, "尚未做过数据质量校验 (no data-quality validation has run yet): "
                           "run `innopoints validate`")
    run_id, finished, scoring_ok, fresh_ok, covered, fingerprint, failed, stamp = row
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
    current = _fingerprint_now(conn, stamp, fingerprint)
    if current is None:
        return GateVerdict(False, "积分数据集不存在 (the scoring marts do not exist): run `innopoints build` and "
                           "`innopoints validate`", run_id, finished, covered)
    if current != fingerprint:
        return GateVerdict(False, f"最近一次校验之后积分数据集已重建且内容不同 (the scoring marts were rebuilt with "
                           f"different content after the latest validation, {when}): run `innopoints validate`",
                           run_id, finished, covered)
    return GateVerdict(True, f"校验 (validation) {when} 在当前数据上通过 (passed on this data)", run_id, finished,
                       covered)
