"""`innopoints validate`: run the gate (GX checkpoints + dbt source freshness), keep every result in
audit.dq_results with one audit.dq_runs row, write Data Docs, say in a few lines what failed.

What it costs at scale: the scoring marts are named by their guarded write stamp (catalog only,
``state.mart_stamp``: the fingerprint a publication compares, ``state.marts_identity``), which also
tells whether they changed while the gate ran; their rows are hashed, at the start and the end, only
when a mart lacks its write-log trigger. The time of each part is logged and kept in
audit.dq_runs.data_summary -> 'timings_s'."""

from __future__ import annotations

import json
import logging
import multiprocessing
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from innopoints import db
from innopoints.console import Progress
from innopoints.errors import ConfigError
from innopoints.feeds import FEEDS
from innopoints.quality import context as gxc
from innopoints.quality import state
from innopoints.quality.suites import SuiteSpec, all_suites, scoring_marts
from innopoints.quality.suites.scoring_marts import DIAGNOSES

log = logging.getLogger(__name__)
UNEXPECTED_ROWS_TYPES = ("unexpected_rows_expectation", "unexpected_rows")


@dataclass
class CheckResult:
    suite_name: str
    area: str
    expectation_type: str
    success: bool
    check_name: str = ""
    asset_name: str | None = None
    feed: str | None = None
    column_name: str | None = None
    description: str | None = None
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    element_count: int | None = None
    exception_message: str | None = None
    covered_batch_id: int | None = None
    gx_batch_id: str | None = None
    run_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    details: Any = None  # a few offending rows, for the report only
    severity: str = "error"  # error | warn (a warning passes: it informs, it never blocks)
    purpose: str = "scoring"  # scoring: a failure blocks score publications | monitoring: it does not

    @property
    def label(self) -> str:
        col = f".{self.column_name}" if self.column_name else ""
        return f"{self.suite_name}: {self.check_name or self.expectation_type}{col}"


@dataclass
class ValidationOutcome:
    run_id: str
    started_at: datetime
    finished_at: datetime
    results: list[CheckResult]
    covered_batches: dict[str, int | None]
    marts_fingerprint: str | None
    data_summary: dict[str, Any]
    code_version: str
    data_docs: str | None = None

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.success and r.severity == "warn"]

    @property
    def gx_success(self) -> bool:
        return all(r.success for r in self.results if r.area != "freshness")

    @property
    def freshness_success(self) -> bool | None:
        fr = [r for r in self.results if r.area == "freshness"]
        return all(r.success for r in fr) if fr else None

    @property
    def success(self) -> bool:
        return not self.failed and bool(self.results)

    def purpose_success(self, purpose: str) -> bool:
        """Every check of that purpose passed: for "scoring", the scores may be published."""
        return bool(self.results) and not any(r.purpose == purpose for r in self.failed)

    @property
    def scoring_success(self) -> bool:
        return self.purpose_success("scoring")

    @property
    def monitoring_success(self) -> bool:
        return self.purpose_success("monitoring")

    def report(self, limit: int = 25) -> str:
        by_area: dict[str, list[CheckResult]] = {}
        for r in self.results:
            by_area.setdefault(r.area, []).append(r)
        verdict = "通过 PASSED" if self.success else "未通过 FAILED"
        lines = [f"数据质量校验 (validation) {self.run_id}: {verdict} "
                 f"({len(self.results) - len(self.failed)}/{len(self.results)} 项通过 checks passed"
                 f"{f', {len(self.warnings)} 项警告 warnings' if self.warnings else ''})"]
        for purpose, zh, consequence in (
                ("scoring", "评分数据 (scoring inputs and marts)", "积分可以发布 (scores may be published)"),
                ("monitoring", "监测数据 (monitoring feeds and marts)", "监测指标可用 (monitoring marts usable)")):
            ok = self.purpose_success(purpose)
            lines.append(f"  {zh}: {'通过' if ok else '未通过'} — "
                         + (consequence if ok else "见下方失败项 (see the failures below)"))
        for area, rs in by_area.items():
            bad = sum(not r.success for r in rs)
            lines.append(f"  {area:<10} {len(rs) - bad:>4} 通过 passed  {bad:>3} 失败 failed")
        for r in self.failed[:limit]:
            what = r.exception_message or _short(r.observed_value, r.unexpected_count)
            lines.append(f"  失败 FAIL [{_PURPOSE_ZH[r.purpose]}] {r.label} — {r.description or ''} [{what}]")
            if r.details:
                lines.append(f"       例 e.g. {_short(r.details, None)[:300]}")
        if len(self.failed) > limit:
            lines.append(f"  … 另有 {len(self.failed) - limit} 项 more (audit.dq_results, run_id = '{self.run_id}')")
        for r in self.warnings:
            lines.append(f"  警告 WARN {r.label} — {r.exception_message or r.description}")
        covered = ", ".join(f"{k}≤{v}" for k, v in self.covered_batches.items() if v is not None)
        lines.append(f"  数据 (data): 导入批次 import batches {covered or '无 none'}; 积分数据指纹 scoring marts "
                     f"{(self.marts_fingerprint or '无 absent')[:12]}")
        if self.data_docs:
            lines.append(f"  Data Docs: {self.data_docs}")
        if not self.scoring_success:
            lines.append("  积分不能发布 (no score can be published) until the scoring checks pass: "
                         "请数据提供方重新报送 (ask the feed's provider to re-deliver) or correct and re-import "
                         "the file, then `innopoints build` and `innopoints validate` again.")
        elif not self.success:
            lines.append("  积分可以发布 (scores may be published): only monitoring checks failed; the monitoring "
                         "marts and the bank push wait until those feeds are re-delivered and `innopoints validate` "
                         "passes.")
        return "\n".join(lines)


_PURPOSE_ZH = {"scoring": "评分 scoring", "monitoring": "监测 monitoring"}


def _short(observed: Any, unexpected: int | None) -> str:
    if unexpected is not None and observed is None:
        return f"{unexpected} unexpected"
    text = json.dumps(observed, ensure_ascii=False, default=str)
    extra = f", {unexpected} unexpected" if unexpected else ""
    return f"observed {text[:160]}{extra}"


def _jsonable(v: Any) -> Any:
    return json.loads(json.dumps(v, default=str)) if v is not None else None


def _exception_message(info: Any) -> str | None:
    """GX puts either one {raised_exception, exception_message} or one such dict per metric."""
    if not isinstance(info, dict):
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message"))[:2000] if info.get("raised_exception") else None
    msgs = [str(v.get("exception_message")) for v in info.values()
            if isinstance(v, dict) and v.get("raised_exception")]
    return " | ".join(dict.fromkeys(m.split("\n[SQL:")[0] for m in msgs))[:2000] or None


def _batch_id(meta: dict[str, Any]) -> str | None:
    bid = meta.get("active_batch_id") or meta.get("batch_id")
    if bid:
        return str(bid)
    bd = meta.get("active_batch_definition")
    return str(getattr(bd, "name", bd)) if bd else None


def _new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _parse_gx(result: Any, specs: dict[str, SuiteSpec], covered: dict[str, int | None]) -> list[CheckResult]:
    out: list[CheckResult] = []
    for vr in result.run_results.values():
        spec = specs.get(vr.suite_name)
        run_time = datetime.now(UTC)
        meta = vr.meta or {}
        rt = meta.get("run_id")
        if rt is not None and getattr(rt, "run_time", None) is not None:
            run_time = rt.run_time
        gx_batch = _batch_id(meta)
        for er in vr.results:
            cfg = er.expectation_config
            res = er.result or {}
            exc = er.exception_info or {}
            exc_msg = _exception_message(exc)
            emeta = cfg.meta or {}
            observed = res.get("observed_value")
            details = res.get("details", {}).get("unexpected_rows") if isinstance(res.get("details"), dict) else None
            if details is None:
                details = res.get("partial_unexpected_list")
            feed = spec.feed if spec else None
            if emeta.get("rules"):
                out.extend(_row_rule_results(emeta["rules"], vr.suite_name, er, spec, res, exc_msg, covered,
                                             gx_batch, run_time))
                continue
            out.append(CheckResult(
                suite_name=vr.suite_name,
                area=spec.area if spec else "unknown",
                expectation_type=cfg.type,
                success=bool(er.success),
                check_name=emeta.get("check", ""),
                asset_name=spec.relation if spec else None,
                feed=feed,
                column_name=emeta.get("column") or cfg.kwargs.get("column"),
                description=cfg.description,
                observed_value=_jsonable(observed),
                unexpected_count=res.get("unexpected_count") if res.get("unexpected_count") is not None
                else (observed if cfg.type in UNEXPECTED_ROWS_TYPES and isinstance(observed, int) else None),
                unexpected_percent=res.get("unexpected_percent"),
                element_count=res.get("element_count"),
                exception_message=exc_msg,
                covered_batch_id=covered.get(feed) if feed else None,
                gx_batch_id=gx_batch,
                run_time=run_time,
                details=_jsonable(details[:3]) if isinstance(details, list) and details else None,
                purpose=spec.purpose if spec else "scoring",
            ))
    return out


def _row_rule_results(rules: list[dict[str, Any]], suite_name: str, er: Any, spec: SuiteSpec | None,
                      res: dict[str, Any], exc_msg: str | None, covered: dict[str, int | None], gx_batch: str | None,
                      run_time: datetime) -> list[CheckResult]:
    """One result per row rule of a feed, from the one-pass expectation that checks them all
    (raw_feeds.row_rules_sql: a row per rule broken, with how many rows break it and the first)."""
    details = res.get("details") if isinstance(res.get("details"), dict) else {}
    rows = details.get("unexpected_rows") or []
    broken = {(row.get("check_name"), row.get("column_name")): row for row in rows}
    # success: observed 0 and no details; failure: the rows of the rules broken (a few dozen at most)
    observed = res.get("observed_value")
    ran = exc_msg is None and isinstance(observed, int) and observed == len(rows)
    feed = spec.feed if spec else None
    out = []
    for rule in rules:
        row = broken.get((rule["check"], rule["column"]))
        n = int(row["n_rows"]) if row is not None else 0
        out.append(CheckResult(
            suite_name=suite_name, area=spec.area if spec else "unknown",
            expectation_type=rule["type"], success=ran and row is None, check_name=rule["check"],
            asset_name=spec.relation if spec else None, feed=feed, column_name=rule["column"],
            description=rule["description"], observed_value=n if ran else None,
            unexpected_count=n if ran else None, exception_message=exc_msg, covered_batch_id=covered.get(feed)
            if feed else None, gx_batch_id=gx_batch, run_time=run_time,
            details=_jsonable([{"first_row": row["first_row"]}]) if row else None,
            purpose=spec.purpose if spec else "scoring"))
    return out


KEEP_GX_RUNS = 30  # validation results kept per suite in gx/uncommitted (audit.dq_results keeps all)


def prune_gx_history(root: Path, keep: int = KEEP_GX_RUNS) -> None:
    """Keep the newest ``keep`` runs per suite in GX's own result store and Data Docs, so building
    the docs does not slow down run after run. The full history is in audit.dq_results."""
    import shutil

    docs = root / "uncommitted" / "data_docs" / "local_site" / "validations"
    for base in (root / "uncommitted" / "validations", docs):
        if not base.is_dir():
            continue
        for suite in base.iterdir():
            if not suite.is_dir():
                continue
            runs = sorted(p for p in suite.iterdir() if p.is_dir())
            for old in runs[:-keep]:
                shutil.rmtree(old, ignore_errors=True)


def _downstream(manifest: dict[str, Any], uid: str) -> tuple[list[str], list[str]]:
    """(dashboards, marts) that read a dbt source, directly or not, by dbt's own lineage."""
    children = manifest.get("child_map", {})
    seen: set[str] = set()
    todo = [uid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    exposures = manifest.get("exposures", {})
    nodes = manifest.get("nodes", {})
    dashboards = sorted(exposures[c].get("label") or exposures[c]["name"] for c in seen if c in exposures)
    marts = sorted(nodes[c]["name"] for c in seen if c in nodes and nodes[c].get("resource_type") == "model"
                   and nodes[c].get("schema") == "marts")
    return dashboards, marts


def _freshness_result(item: dict[str, Any], manifest: dict[str, Any],
                      delivered: dict[str, int | None]) -> CheckResult:
    """One dbt freshness result as a check. A feed never delivered is a warning that names what it
    feeds (dbt alone calls its empty table stale); one that stopped arriving is an error."""
    uid = item.get("unique_id", "")  # source.innopoints.<source>.<table>
    parts = uid.split(".")
    source_table = ".".join(parts[-2:])
    feed = FEEDS.get(parts[-1])
    status = item.get("status")
    age = item.get("max_loaded_at_time_ago_in_s")
    crit = item.get("criteria") or {}
    age_days = round(age / 86400, 1) if isinstance(age, int | float) else None
    observed = {"status": status, "max_loaded_at": item.get("max_loaded_at"),
                "age_hours": round(age / 3600, 2) if isinstance(age, int | float) else None,
                "warn_after": crit.get("warn_after"), "error_after": crit.get("error_after")}
    result = CheckResult(
        suite_name="dbt_source_freshness", area="freshness", expectation_type="dbt_source_freshness",
        check_name="freshness", success=status in ("pass", "warn"), asset_name=source_table,
        feed=feed.name if feed else None, purpose=feed.purpose if feed else "monitoring",
        severity="warn" if status == "warn" else "error",
        description=f"source {source_table} loaded recently enough (dbt source freshness: {status})",
        observed_value=observed)
    empty = str(item.get("max_loaded_at") or "").startswith("0001-")  # dbt's answer for a table with no rows
    if feed is None and empty:
        # bookkeeping with nothing to record yet (no file quarantined, none refused) is not stale
        result.success, result.severity = True, "error"
        result.description = f"source {source_table} has no rows yet: nothing to be stale"
        return result
    if feed is None or status in ("pass", "warn"):
        if status not in ("pass", "warn"):
            result.exception_message = item.get("message") or f"dbt source freshness: {status}"
        return result
    dashboards, marts = _downstream(manifest, uid)
    feeds_what = "、".join(dashboards) or "、".join(marts) or "no dashboard yet"
    if delivered.get(feed.name) is None:
        result.success, result.severity, result.check_name = True, "warn", "never_delivered"
        result.description = f"the {feed.name} feed ({feed.system_zh}) has never been delivered"
        result.exception_message = (
            f"{feed.system_zh} ({feed.name}) 尚未交付 (never delivered): 它用于 (it feeds) {feeds_what}"
            f" [{', '.join(marts)}]; 这些指标在首次交付前为空 (they stay empty until the first delivery). "
            + ("Scores do not depend on it." if feed.purpose == "monitoring" else
               "Scores are computed without it: check that this is intended."))
    else:
        after = crit.get("error_after") or {}
        result.exception_message = (
            f"{feed.system_zh} ({feed.name}) 已停止交付 (stopped arriving): 最近一次交付在 {age_days} 天前 "
            f"(last delivered {age_days} days ago; allowed {after.get('count')} {after.get('period')}s). "
            f"它用于 (it feeds) {feeds_what}. 请联系数据提供方报送 (ask the provider to deliver), then "
            "`innopoints import` and `innopoints validate`.")
    return result


@dataclass(frozen=True)
class FreshnessRead:
    """`dbt source freshness` results read earlier in the same run (by the build's plan), and the newest
    import batch per feed taken just before that read. The gate reuses them only while no feed was
    imported since (``batches`` equal to the batches it covers), judging each source's age again at
    the time of the gate: a source written since the read can only look older than it is, never
    fresher, so a reused result never hides a stale source."""

    sources: dict[str, Any]
    batches: dict[str, int | None]


_PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _exceeded(rule: dict[str, Any] | None, age: float) -> bool:
    """dbt's rule: an age beyond ``count`` ``period``s (no rule: never)."""
    rule = rule or {}
    count, period = rule.get("count"), rule.get("period")
    return count is not None and period in _PERIOD_SECONDS and age > count * _PERIOD_SECONDS[period]


def aged(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A dbt freshness result as dbt would give it at ``now``, the source unchanged: its age from
    max_loaded_at to now, and the status by its criteria (error_after, then warn_after, as dbt)."""
    if item.get("status") not in ("pass", "warn", "error") or not item.get("max_loaded_at"):
        return item
    loaded = datetime.fromisoformat(str(item["max_loaded_at"]))
    if loaded.tzinfo is None:
        loaded = loaded.replace(tzinfo=UTC)
    age = (now - loaded).total_seconds()
    crit = item.get("criteria") or {}
    status = ("error" if _exceeded(crit.get("error_after"), age) else
              "warn" if _exceeded(crit.get("warn_after"), age) else "pass")
    return item | {"max_loaded_at_time_ago_in_s": age, "snapshotted_at": now.isoformat(), "status": status}


def reuse_freshness(read: FreshnessRead, delivered: dict[str, int | None]) -> list[CheckResult] | None:
    """The checks of a freshness read earlier in this run, aged to now; None when a feed was imported
    since the read (then it no longer describes the data: read again)."""
    from innopoints.config import get_settings

    if read.batches != delivered or not read.sources.get("results"):
        return None
    manifest_path = get_settings().project_root / "target" / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    now = datetime.now(UTC)
    return [_freshness_result(aged(item, now), manifest, delivered) for item in read.sources["results"]]


def run_freshness(delivered: dict[str, int | None] | None = None) -> list[CheckResult]:
    """`dbt source freshness` in a private target dir; one result per source table with a freshness rule.
    ``delivered``: the newest import batch per feed (None: never delivered)."""
    from innopoints.warehouse import dbt

    if delivered is None:
        with db.connect(db.TRANSFORMER, autocommit=True) as conn:
            delivered = state.feed_batches(conn)
    with tempfile.TemporaryDirectory(prefix="innopoints-freshness-") as tmp:
        out = Path(tmp) / "sources.json"
        r = dbt(["source", "freshness", "--target-path", tmp, "--output", str(out)], check=False, capture=True)
        if not out.exists():
            tail = ((r.stdout or "") + (r.stderr or ""))[-1500:]
            return [CheckResult(suite_name="dbt_source_freshness", area="freshness",
                                expectation_type="dbt_source_freshness", check_name="freshness", success=False,
                                exception_message=f"dbt source freshness did not run (exit {r.returncode}): {tail}")]
        data = json.loads(out.read_text())
        manifest_path = Path(tmp) / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    return [_freshness_result(item, manifest, delivered) for item in data.get("results", [])]


def _diagnose(results: list[CheckResult]) -> None:
    """A failed check whose query tells only where (a scheme and year) gets the offending rows named by
    its diagnosis query (scoring_marts.DIAGNOSES), run now that it failed: the cost falls on failures."""
    todo = [r for r in results if not r.success and r.exception_message is None
            and (r.suite_name, r.check_name) in DIAGNOSES]
    if not todo:
        return
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        for r in todo:
            cur = conn.execute(f"select * from ({DIAGNOSES[(r.suite_name, r.check_name)]}) as d limit 3")
            names = [c.name for c in cur.description]
            # the rows that name the enterprises, in place of the check's own (a scheme and year)
            r.details = _jsonable([dict(zip(names, row, strict=True)) for row in cur.fetchall()]) or r.details


def _record(outcome: ValidationOutcome) -> None:
    failed = [{"check": r.label, "purpose": r.purpose, "feed": r.feed, "observed": r.observed_value,
               "unexpected_count": r.unexpected_count, "error": r.exception_message} for r in outcome.failed]
    # the verdict is written by the gate's own role: the role that builds the marts cannot write it
    with db.connect(db.GATE) as conn, conn.transaction():
        max_batch = max((v for v in outcome.covered_batches.values() if v is not None), default=None)
        conn.execute(
            "insert into audit.dq_runs (run_id, started_at, finished_at, success, gx_success, freshness_success, "
            "scoring_success, monitoring_success, n_warnings, "
            "n_checks, n_failed, covered_batches, max_batch_id, marts_fingerprint, data_summary, failed_checks, "
            "code_version) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (outcome.run_id, outcome.started_at, outcome.finished_at, outcome.success, outcome.gx_success,
             outcome.freshness_success, outcome.scoring_success, outcome.monitoring_success, len(outcome.warnings),
             len(outcome.results), len(outcome.failed),
             json.dumps(outcome.covered_batches), max_batch, outcome.marts_fingerprint,
             json.dumps(outcome.data_summary, default=str), json.dumps(failed, ensure_ascii=False, default=str),
             outcome.code_version))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.dq_results (run_id, suite_name, area, asset_name, feed, expectation_type, "
                "check_name, column_name, description, success, observed_value, unexpected_count, unexpected_percent, "
                "element_count, exception_message, covered_batch_id, gx_batch_id, run_time, severity, purpose) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(outcome.run_id, r.suite_name, r.area, r.asset_name, r.feed,
                  r.expectation_type, r.check_name or None, r.column_name, r.description,
                  r.success, json.dumps(r.observed_value, ensure_ascii=False, default=str)
                  if r.observed_value is not None else None,
                  r.unexpected_count, r.unexpected_percent, r.element_count, r.exception_message,
                  r.covered_batch_id, r.gx_batch_id, r.run_time, r.severity, r.purpose) for r in outcome.results])


def suite_digest(spec: SuiteSpec) -> str:
    """What a suite checks (its expectations' types, arguments and queries): equal digests, same checks."""
    import hashlib

    body = [e.configuration.to_json_dict() for e in spec.expectations]
    return hashlib.sha256(json.dumps([spec.relation, body], sort_keys=True, default=str).encode()).hexdigest()


CARRY_LOOKBACK = 20  # recorded validations searched for one that proved a suite on the same data


def mart_inputs(conn: Any, covered: dict[str, int | None]) -> dict[str, Any]:
    """What the scoring mart suites compare the marts with, besides the marts: the scoring feeds as
    delivered (their newest batches) and as corrected (the newest recorded correction, read live by the
    int_feeds views)."""
    corrections = conn.execute("select coalesce(max(adjustment_id), 0) from audit.score_adjustments").fetchone()[0]
    return {"batches": {f: covered.get(f) for f, spec in FEEDS.items() if spec.purpose == "scoring"},
            "corrections": int(corrections)}


def _carried(conn: Any, specs: dict[str, SuiteSpec], digests: dict[str, str], covered: dict[str, int | None],
             stamp: dict[str, Any]) -> dict[str, tuple[str, list[CheckResult]]]:
    """Suites a recorded validation passed, whole, with the same checks on the same data: a raw feed's
    suite when the feed's newest batch is the same (raw is append-only: equal batches, equal rows), a
    published scoring mart's suite when the marts' guarded write stamp is the same (same tables, no
    write since) and so is what the suite compares them with (``mart_inputs``). Suite name -> (that
    run, its results). The monitoring marts are always checked."""
    inputs = mart_inputs(conn, covered)
    guarded = state.stamp_guarded(stamp)
    runs = conn.execute(
        "select run_id, covered_batches, data_summary from audit.dq_runs "
        "where data_summary ? 'suite_digests' order by finished_at desc, run_id desc limit %s",
        (CARRY_LOOKBACK,)).fetchall()
    out: dict[str, tuple[str, list[CheckResult]]] = {}
    for name, spec in specs.items():
        mart = spec.relation in state.PUBLISHED_RELATIONS
        if not (spec.area == "raw" and spec.feed and covered.get(spec.feed) is not None) and not (mart and guarded):
            continue
        for run_id, run_covered, summary in runs:
            if (summary.get("suite_digests") or {}).get(name) != digests[name]:
                continue
            if mart and (summary.get("stamp") != stamp or summary.get("mart_inputs") != inputs):
                continue
            if not mart and (run_covered or {}).get(spec.feed) != covered[spec.feed]:
                continue
            rows = conn.execute(
                "select area, expectation_type, success, check_name, asset_name, feed, column_name, description, "
                "observed_value, unexpected_count, unexpected_percent, element_count, severity, purpose "
                "from audit.dq_results where run_id = %s and suite_name = %s order by result_id", (run_id, name))
            found = [CheckResult(
                suite_name=name, area=r[0], expectation_type=r[1], success=r[2], check_name=r[3] or "",
                asset_name=r[4], feed=r[5], column_name=r[6],
                description=f"{r[7] or ''} [沿用校验 {run_id} 的结果，数据未变 (proved by validation {run_id} on "
                            "the same data)]",
                observed_value=r[8], unexpected_count=r[9], unexpected_percent=r[10], element_count=r[11],
                covered_batch_id=covered.get(spec.feed) if spec.feed else None, severity=r[12], purpose=r[13])
                for r in rows]
            if found and all(r.success for r in found):
                out[name] = (run_id, found)
            break  # the newest run with the same checks and data decides: passed whole, or check again
    return out


# The size of fct_indicator_scores from which the two checkpoints run at the same time (_run_areas):
# a spawned process takes about 8 s of CPU to load GX and the suites. 200,000 enterprises (2.9 GB):
# the whole gate 39.2 s -> 26.2 s; the demo's (2,686 enterprises, a few MB): 4 s of checks took 20.3 s.
AT_ONCE_FROM_BYTES = 1 << 30


@dataclass(frozen=True)
class AreaRun:
    """The suites of one area (one GX checkpoint) that this validation runs; ``runnable``: the checkpoint
    runs whole, else its suites one by one (a table is missing, or some were proved already)."""

    area: str
    cp_name: str
    names: list[str]
    runnable: bool


def _run_area(run: AreaRun, context: Any, run_id: str, started: datetime,
              covered: dict[str, int | None]) -> tuple[list[CheckResult], float]:
    """Run one area's suites with ``context`` (a fresh one when None: in a process of its own); its
    results and the seconds they took."""
    from great_expectations.core.run_identifier import RunIdentifier

    t0 = time.monotonic()
    context = context if context is not None else gxc.get_context()
    specs = {s.name: s for s in all_suites()}
    rid = RunIdentifier(run_name=run_id, run_time=started)
    if run.runnable:
        cp = gxc._get(context.checkpoints, run.cp_name)
        if cp is None:
            raise ConfigError(f"GX checkpoint {run.cp_name} is missing from gx/: `innopoints gx-sync` writes it again")
        found = _parse_gx(cp.run(run_id=rid), specs, covered)
    else:
        found = []
        for name in run.names:
            vr = context.validation_definitions.get(name).run(run_id=rid, result_format=gxc.RESULT_FORMAT)
            found += _parse_gx(_Wrap(vr), specs, covered)
    return found, time.monotonic() - t0


def _run_areas(runs: list[AreaRun], context: Any, run_id: str, started: datetime, covered: dict[str, int | None],
               done: Callable[[AreaRun], None], at_once: bool = True
               ) -> list[tuple[AreaRun, tuple[list[CheckResult], float]]]:
    """Run the areas, ``at_once``: the first here, each other one at the same time in a spawned process
    with a GX context of its own (GX keeps one current project per process, so two checkpoints cannot
    share one); else one after the other, here. Nationally the raw feeds' suites are mostly serial
    scans and the marts' mostly waits on a parallel one: together they take about the longer one's time
    instead of the sum. A spawned process takes about 8 s of CPU to load GX and the suites, more than a
    small validation's checks (a monthly delivery's): the caller decides. The checkpoints write no Data
    Docs of their own (the docs are built once, after both): neither reads a file the other is writing.
    The first failure is raised once every area has finished."""
    out: list[tuple[AreaRun, tuple[list[CheckResult], float]]] = []
    if not at_once:
        for run in runs:
            out.append((run, _run_area(run, context, run_id, started, covered)))
            done(run)
        return out
    failed: BaseException | None = None
    with ProcessPoolExecutor(max_workers=max(len(runs) - 1, 1),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        others = [(run, pool.submit(_run_area, run, None, run_id, started, covered)) for run in runs[1:]]
        try:
            out.append((runs[0], _run_area(runs[0], context, run_id, started, covered)))
            done(runs[0])
        except BaseException as exc:  # raised below, once the other areas have finished
            failed = exc
        for run, f in others:
            try:
                out.append((run, f.result()))
                done(run)
            except BaseException as exc:
                failed = failed or exc
    if failed is not None:
        raise failed
    return out


def validate(freshness: bool = True, record: bool = True, freshness_read: FreshnessRead | None = None
             ) -> ValidationOutcome:
    """Run the gate. ``freshness_read``: the sources' freshness this run's build read (see FreshnessRead),
    taken over instead of running `dbt source freshness` again when no feed was imported since."""
    started = datetime.now(UTC)
    run_id = _new_run_id(started)
    specs = {s.name: s for s in all_suites()}
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(part: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[part] = round(timings.get(part, 0.0) + now - clock, 2)
        clock = now

    digests = {name: suite_digest(spec) for name, spec in specs.items()}
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        covered = state.feed_batches(conn)
        stamp = state.mart_stamp(conn)  # equal at the end: nothing wrote the marts while the gate ran
        summary: dict[str, Any] = {"raw_rows": state.raw_row_counts(conn), "timings_s": timings,
                                   "suite_digests": digests}
        if state.stamp_guarded(stamp):  # the stamp names the marts: no row is read to name them
            summary["stamp"] = stamp
            fingerprint = state.stamp_fingerprint(stamp)
        else:  # a mart without its write-log trigger: only a pass over every row names its content
            marts = state.marts_summaries(conn)
            fingerprint = state.fingerprint_of(marts)
            summary["marts"] = marts
        lap("marts_fingerprint")
        summary["mart_inputs"] = mart_inputs(conn, covered)
        existing = {s.relation for s in specs.values() if gxc.relation_exists(conn, s.relation)}
        carried = _carried(conn, {n: s for n, s in specs.items() if s.relation in existing}, digests, covered, stamp)
        summary["carried"] = {name: run for name, (run, _) in carried.items()}
        # the indicator rows' not-null and bound rules: held by PostgreSQL (the build's constraint) or
        # counted by the gate's pass (it decides for itself; this says which, for the report)
        summary["indicator_rules_held"] = scoring_marts.rules_held(conn)
        indicator_bytes = int(conn.execute(
            "select coalesce(pg_relation_size(to_regclass(%s)), 0)", (scoring_marts.INDICATORS,)).fetchone()[0])
        if summary["indicator_rules_held"]:
            log.info("validate: the indicator rows' not-null and bound rules are held by PostgreSQL "
                     "(constraint %s, NOT NULL keys): not counted again", scoring_marts.RULES_CONSTRAINT)
        lap("raw_row_counts")

    results: list[CheckResult] = []
    for s in specs.values():
        if s.relation not in existing:
            results.append(CheckResult(
                suite_name=s.name, area=s.area, expectation_type="relation_exists", check_name="relation_exists",
                success=False, asset_name=s.relation, feed=s.feed,
                description=f"{s.relation} exists", observed_value=False, purpose=s.purpose,
                exception_message=f"{s.relation} does not exist: run `innopoints build` first"))

    # `dbt source freshness` is a process of its own that mostly starts up and waits for small queries: it
    # runs beside the GX checkpoints rather than after them (its results are read where they were)
    reused = reuse_freshness(freshness_read, covered) if freshness and freshness_read is not None else None
    fresh_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="innopoints-freshness")
    fresh_job = fresh_pool.submit(run_freshness, covered) if freshness and reused is None else None
    try:
        context = gxc.get_context()
        gxc.sync(context, specs.values(), existing)
        lap("gx_sync")
        progress = Progress("validate", total=len(gxc.CHECKPOINTS) + int(freshness), unit="check")
        with progress:
            runs: list[AreaRun] = []
            by_area: dict[str, list[CheckResult]] = {}
            for area, cp_name in gxc.CHECKPOINTS.items():
                area_specs = [s for s in specs.values() if s.area == area and s.relation in existing]
                by_area[area] = [r for s in area_specs if s.name in carried for r in carried[s.name][1]]
                names = [s.name for s in area_specs if s.name not in carried]
                if not names:
                    timings[f"checkpoint {cp_name}"] = 0.0
                    progress.update(note=f"validate: {cp_name} (0 suites)")
                    continue
                cp = gxc._get(context.checkpoints, cp_name)
                runnable = cp is not None and not carried and all(
                    specs[v.name].relation in existing for v in cp.validation_definitions if v.name in specs)
                runs.append(AreaRun(area, cp_name, names, runnable))

            def area_done(run: AreaRun) -> None:
                progress.update(note=f"validate: {run.cp_name} ({len(run.names)} suites)")

            # at the same time when the scoring marts are checked (after a build of them) and are at least
            # AT_ONCE_FROM_BYTES (their suites scan the 110 M indicator rows nationally); else the checks
            # cost less than the process that would run them (a monthly delivery's, the demo's)
            at_once = len(runs) > 1 and indicator_bytes >= AT_ONCE_FROM_BYTES and any(
                specs[n].purpose == "scoring" and specs[n].area == "marts" for r in runs for n in r.names)
            summary["checkpoints_at_once"] = at_once
            for run, (found, seconds) in _run_areas(runs, context, run_id, started, covered, area_done, at_once):
                by_area[run.area] += found
                timings[f"checkpoint {run.cp_name}"] = round(seconds, 2)
            for area in gxc.CHECKPOINTS:
                results += by_area[area]
            _diagnose(results)
            lap("checkpoints")
            if freshness:
                results += reused if reused is not None else fresh_job.result()  # type: ignore[union-attr]
                summary["freshness_reused"] = reused is not None
                lap("dbt_source_freshness")
                progress.update(note="validate: dbt source freshness")
    finally:
        fresh_pool.shutdown(wait=True)
    docs = None
    try:
        prune_gx_history(gxc.gx_root())
        sites = context.build_data_docs()
        docs = next(iter(sites.values()), None)
    except Exception as exc:  # docs are a by-product; the verdict stands
        docs = f"(Data Docs not written: {exc})"
    lap("data_docs")

    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        covered_end = state.feed_batches(conn)
        stamp_end = state.mart_stamp(conn)
        if state.stamp_guarded(stamp) and state.stamp_guarded(stamp_end):
            marts_end: Any = stamp_end  # nothing was written, rebuilt or altered: the hash still holds
            marts_same = stamp_end == stamp
            marts_start: Any = stamp
        else:  # a mart without its write-log trigger (built before it existed): hash the rows again
            marts_end = fingerprint_end = state.marts_fingerprint(conn)
            marts_same = fingerprint_end == fingerprint
            marts_start = fingerprint
    lap("marts_unchanged")
    summary["marts_unchanged_by"] = "stamp" if isinstance(marts_end, dict) else "fingerprint"
    for purpose in ("scoring", "monitoring"):
        feeds = [f for f, spec in FEEDS.items() if spec.purpose == purpose]
        before = {f: covered[f] for f in feeds}
        after = {f: covered_end[f] for f in feeds}
        stable = before == after and (purpose != "scoring" or marts_same)
        results.append(CheckResult(
            suite_name="gate", area="gate", expectation_type="data_unchanged_during_run",
            check_name="data_unchanged", column_name=purpose, purpose=purpose, success=stable,
            description=f"no import of a {purpose} feed"
                        + (" or build of the scoring marts" if purpose == "scoring" else "")
                        + " happened while the validation ran",
            observed_value={"batches_before": before, "batches_after": after}
            | ({"marts_before": marts_start, "marts_after": marts_end} if purpose == "scoring" else {})
            if not stable else None,
            exception_message=None if stable else
            "校验期间数据有变化 (data changed during validation): run `innopoints validate` again"))

    log.info("validate %s: %s", run_id, ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    outcome = ValidationOutcome(
        run_id=run_id, started_at=started, finished_at=datetime.now(UTC), results=results,
        covered_batches=covered, marts_fingerprint=fingerprint, data_summary=summary,
        code_version=state.code_version(), data_docs=docs)
    if record:
        _record(outcome)
    return outcome


@dataclass
class _Wrap:
    """Make a single validation result look like a checkpoint result for _parse_gx."""

    vr: Any

    @property
    def run_results(self) -> dict[str, Any]:
        return {"one": self.vr}
