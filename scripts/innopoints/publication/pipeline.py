"""The whole path in one call: import → dbt build → validate → the cycle's next step → (push), stopping
at the first failure with the reason. `innopoints run` and `innopoints demo` call ``run_pipeline``.

The cycle's next step for each (scheme, year): with no publicity list yet, freeze one (公示); while its
period runs, wait; once it has closed with every objection decided, publish the final list (正式发布)
and push it to the banks. Only final lists are pushed."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from innopoints import db
from innopoints.console import Progress, result
from innopoints.errors import BuildFailed, InnopointsError, InputRefused, PublicationRefused, PushError, UsageError

if TYPE_CHECKING:
    from innopoints.rebuild import Plan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushTarget:
    bank_code: str
    publication_id: int
    scheme_code: str


@dataclass
class StepClock:
    """The wall time of each step of a run, in order (what `innopoints bench run` prints)."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    built: dict[str, list[str]] = field(default_factory=dict)  # the models each dbt step rebuilt
    _current: str | None = None
    _t0: float = 0.0

    def start(self, step: str, label: str | None = None) -> None:
        self.stop()
        log.info(f"\n== {label or step} ==")
        self._current, self._t0 = step, time.perf_counter()

    def stop(self) -> None:
        if self._current is not None:
            self.steps.append((self._current, time.perf_counter() - self._t0))
            self._current = None


class PublicityDocuments:
    """The publicity documents of the lists a run freezes, written in a background thread (one list at a
    time) while the run goes on to the next list: a national list's documents (about 100 s) then overlap
    the next list's insert, which leaves one of the two cores idle. ``wait`` reports them in order and
    raises the first failure once every list's writer has finished (each failure is logged with its
    publication). Nothing reads the documents: with a period already closed, a list's final list may be
    published while its documents are still being written, and a failure of theirs stops the run after
    it, before the pushes."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publicity-documents")
        self._pending: list[tuple[int, Future[list[Path]]]] = []

    def write(self, publication_id: int) -> None:
        from innopoints.documents import publicity_dir, write_publicity_documents

        out = publicity_dir(publication_id)
        self._pending.append((publication_id, self._pool.submit(write_publicity_documents, publication_id, out)))

    def wait(self, raise_failure: bool = True) -> None:
        """Wait for every list's writer and report its documents; a writer's failure is raised (the first),
        or only logged with ``raise_failure`` False (when the run already stops on another error)."""
        failed: BaseException | None = None
        try:
            for pid, f in self._pending:
                try:
                    docs = f.result()
                except Exception as exc:  # raised below (the first), once every writer has finished
                    log.error("publicity documents of publication %s failed: %s", pid, exc, exc_info=exc)
                    exc.add_note(f"publicity documents of publication {pid}: once the cause is mended, "
                                 "innopoints publicize of its scheme and year writes them again (the list stays)")
                    failed = failed or exc
                    continue
                result(f"公示文件 (publicity documents) 发布编号 {pid}: {len(docs)} 个 in publicity/publication{pid}")
        finally:
            self._pending = []
            self._pool.shutdown(wait=True)
        if failed is not None and raise_failure:
            raise failed


def _stop(step: str, reason: str, kind: type[InnopointsError]) -> int:
    """Report where and why the run stopped; the exit code of that kind of failure."""
    result(f"\ninnopoints run: 在 {step} 停止 (stopped at {step}): {reason}")
    return kind.exit_code


def up_to_date() -> str | None:
    """Why the last run already covers everything, or None: the latest validation passed on the data
    as it is now with this version of the code, every scheme's latest year is published with exactly
    these scoring marts, and every partner bank got its push of those publications. `innopoints demo`
    then does nothing again."""
    from innopoints.publication import gate
    from innopoints.quality import state

    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        if conn.execute("select to_regclass('marts.dim_scheme') is null").fetchone()[0]:
            return None
        verdict = gate.check(conn)
        if not verdict.ok:
            return None
        code = conn.execute("select code_version from audit.dq_runs where run_id = %s", (verdict.run_id,)).fetchone()
        if code is None or code[0] != state.code_version():
            return None
    published: dict[str, int] = {}
    for scheme, year in latest_years(None, None):
        with db.connect(db.PUBLISHER, autocommit=True) as conn:
            row = final_resting_on(conn, scheme, year, verdict.run_id)
        if row is None:
            return None
        published[scheme] = row[0]
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        pushed = {tuple(r) for r in conn.execute("select bank_code, publication_id from audit.bank_pushes")}
    if any((t.bank_code, t.publication_id) not in pushed for t in push_targets(published)):
        return None
    ids = ", ".join(str(p) for p in published.values())
    return (f"校验 (validation) {verdict.run_id} passed on this data and code; 发布 (publications) {ids} "
            "and their pushes exist")


def latest_years(schemes: list[str] | None, year: int | None) -> list[tuple[str, int]]:
    """(scheme, year) to publish: the given schemes (default all) × the given year (default each one's latest)."""
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        known = [r[0] for r in conn.execute("select scheme_code from marts.dim_scheme order by scheme_code")]
        wanted = schemes or known
        unknown = [s for s in wanted if s not in known]
        if unknown:
            raise UsageError(f"unknown scheme(s) {', '.join(unknown)}; schemes: {', '.join(known)}")
        out = []
        for s in wanted:
            y = year or conn.execute("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = %s",
                                     (s,)).fetchone()[0]
            if y is not None:
                out.append((s, int(y)))
        return out


def push_targets(published: dict[str, int]) -> list[PushTarget]:
    """One publication per partner bank: among the schemes published, the one marts.dim_bank_schemes
    prefers for the bank (its own region's scheme first, then the most specific, then the larger)."""
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        ranked = conn.execute("select bank_code, scheme_code from marts.dim_bank_schemes "
                              "order by bank_code, preference").fetchall()
    out: list[PushTarget] = []
    served: set[str] = set()
    for bank, scheme in ranked:
        if bank not in served and scheme in published:
            served.add(bank)
            out.append(PushTarget(bank, published[scheme], scheme))
    return out


def run_pipeline(import_dir: Path | None, schemes: list[str] | None, year: int | None, push: bool,
                 out_dir: Path, publicity_days: int = 5, publicity_opens: date | None = None,
                 finalize: bool = True, full: bool = False, clock: StepClock | None = None) -> int:
    clock = clock if clock is not None else StepClock()
    try:
        return _run(import_dir, schemes, year, push, out_dir, publicity_days, publicity_opens, finalize, full, clock)
    finally:
        clock.stop()


def _run(import_dir: Path | None, schemes: list[str] | None, year: int | None, push: bool, out_dir: Path,
         publicity_days: int, publicity_opens: date | None, finalize: bool, full: bool, clock: StepClock) -> int:
    from innopoints.publication.push import push as push_one
    from innopoints.quality.runner import validate

    if import_dir is not None:
        clock.start("import", f"import {import_dir}")
        from innopoints.importer import import_path

        report = import_path(import_dir)
        result(report.summary())
        if report.files_refused:
            return _stop("import", f"{report.files_refused} file(s) refused (see above and audit.import_refusals); "
                         "fix or remove them and run again", InputRefused)
    clock.start("build", "dbt build")
    from innopoints.quality import state
    from innopoints.quality.runner import FreshnessRead

    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        batches = state.feed_batches(conn)  # before the plan reads the sources' freshness
    try:
        clock.built["build"], plan = _rebuild(full)
    except BuildFailed as exc:
        return _stop("dbt build", str(exc), BuildFailed)
    clock.start("validate", "validate (data-quality gate)")
    # the gate takes over the freshness the build's plan read, while no feed was imported since
    outcome = validate(freshness_read=FreshnessRead(plan.sources, batches) if plan.sources is not None else None)
    result(outcome.report())
    if not outcome.scoring_success:
        n = sum(r.purpose == "scoring" for r in outcome.failed)
        return _stop("validate", f"{n} 项评分数据校验未通过 ({n} scoring check(s) failed); 未发布任何积分 "
                     "(nothing was published)", InputRefused)
    # a push decides which bank sees which enterprise: it waits for a consents feed that passed
    consents_failed = [r.label for r in outcome.failed if r.feed == "consents"]
    clock.start("publish", "publicity or final publication (公示 / 正式发布)")
    try:
        targets = latest_years(schemes, year)
    except UsageError as exc:
        return _stop("publish", str(exc), UsageError)
    if not targets:
        return _stop("publish", "no scores to publish (no scheme has an evaluated year)", PublicationRefused)
    published: dict[str, int] = {}
    documents = PublicityDocuments()
    with Progress("publish", total=len(targets), unit="list") as progress:
        try:
            try:
                for s, y in targets:
                    final = _next_step(s, y, publicity_days, publicity_opens, finalize, documents)
                    if final is not None:
                        published[s] = final
                    progress.update(note=f"publish: {s} {y}")
            except BaseException:
                documents.wait(raise_failure=False)  # the lists frozen so far get their documents
                raise
            documents.wait()
        except PublicationRefused as exc:
            return _stop("publish", str(exc), PublicationRefused)
    if push and consents_failed:
        return _stop("push", "企业授权 (consents) 校验未通过，未推送任何银行 (no bank was pushed): "
                     f"{', '.join(consents_failed[:5])}; re-deliver the consents feed and run again", InputRefused)
    if push:
        clock.start("push", f"push to partner banks -> {out_dir}")
        banks = push_targets(published)
        with Progress("push", total=len(banks), unit="bank") as progress:
            for t in banks:
                try:
                    r = push_one(t.bank_code, t.publication_id, out_dir)
                except Exception as exc:
                    return _stop("push", f"{t.bank_code}: {exc}", PushError)
                result(f"推送 (push) {r.push_id}: 银行 {t.bank_code} ← 发布 {t.publication_id} ({t.scheme_code})，"
                       f"{r.n_enterprises:,} 家企业授权在有效期内 (consent in force on {r.push_date})："
                       f"{r.xlsx.name}, {r.csv.name}")
                progress.update(note=f"push: {t.bank_code} ← {t.publication_id}")
    # What this run wrote to audit (validation results, publications, pushes, change reports) feeds
    # the monitoring, data-quality and cycle marts: rebuild those, and only those, so the dashboards
    # show this run.
    clock.start("refresh", "refresh marts that read audit (validation, publications, pushes, the cycle)")
    try:
        clock.built["refresh"], _ = _rebuild(False)
    except BuildFailed as exc:
        return _stop("refresh", str(exc), BuildFailed)
    result("\ninnopoints run: done")
    return 0


def _rebuild(full: bool) -> tuple[list[str], Plan]:
    """Build what changed since the last build (or everything), say what and why; the models built and
    the plan (with the sources' freshness it read)."""
    from innopoints import rebuild

    p = rebuild.rebuild(full)
    result(p.describe())
    if p.nothing:
        return [], p
    models = rebuild.built_models()
    shown = ", ".join(models[:12]) + (f" … (+{len(models) - 12})" if len(models) > 12 else "")
    result(f"  已重建 (rebuilt) {len(models)} 个模型 (models){': ' + shown if models else ''}")
    return models, p


def final_resting_on(conn: Any, scheme: str, year: int, run_id: str) -> tuple[int, int | None] | None:
    """(publication id, its publicity list) of the latest final list of (scheme, year) when the validation
    it rests on saw the scoring marts as validation ``run_id`` saw them (equal content fingerprints), else
    None: a new final list would then be that one again."""
    return conn.execute(
        "select p.publication_id, p.publicity_publication_id from audit.publications as p "
        "join audit.dq_runs as r on r.run_id = p.dq_run_id "
        "join audit.dq_runs as latest on latest.run_id = %s "
        "where p.scheme_code = %s and p.eval_year = %s and r.marts_fingerprint = latest.marts_fingerprint "
        "and p.kind = 'final' and p.publication_id = (select max(publication_id) from audit.publications "
        "where scheme_code = %s and eval_year = %s and kind = 'final')",
        (run_id, scheme, year, scheme, year)).fetchone()


def _final_on_these_scores(scheme: str, year: int, publicity_id: int) -> int | None:
    """The final list of (scheme, year) on its latest publicity list and on the scores the latest
    validation passed, or None; then the copy that would show it unchanged is not needed."""
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        latest = conn.execute("select run_id, coalesce(scoring_success, success) from audit.dq_runs "
                              "order by finished_at desc, run_id desc limit 1").fetchone()
        if latest is None or not latest[1]:
            return None
        row = final_resting_on(conn, scheme, year, latest[0])
    return int(row[0]) if row is not None and row[1] == publicity_id else None


def _next_step(s: str, y: int, publicity_days: int, publicity_opens: date | None, finalize: bool,
               documents: PublicityDocuments) -> int | None:
    """The cycle's next step for (scheme, year): freeze a publicity list (its documents handed to
    ``documents``), wait, or publish the final list; the final list's publication id, or None while none is
    due."""
    from innopoints.publication.publish import latest_publicity, publicize, publish, today_beijing

    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        lp = latest_publicity(conn, s, y)
    if lp is None:
        p = publicize(s, y, publicity_days, publicity_opens)
        documents.write(p.publication_id)
        result(f"已公示 (publicity list frozen): 发布编号 {p.publication_id} = {s} {y}，"
               f"{p.n_enterprises:,} 家企业，"
               f"公示期 {p.opens_on:%Y-%m-%d} 至 {p.closes_on:%Y-%m-%d}；期满且异议处理完毕后再运行以正式发布 "
               f"(run again after the period to publish the final list); 公示文件写入中 "
               f"(publicity documents being written) to publicity/publication{p.publication_id}")
        lp = (p.publication_id, p.opens_on, p.closes_on)
    if not finalize:
        return None
    if lp[2] >= today_beijing():
        result(f"公示中 (on publicity): 公示名单 {lp[0]} = {s} {y}，公示期至 {lp[2]:%Y-%m-%d}，期满后再运行 "
               "(run again after it closes)")
        return None
    same = _final_on_these_scores(s, y, lp[0])
    if same is not None:
        result(f"积分未变，已正式发布 (scores unchanged, final list already published): 发布编号 {same} = {s} {y}，"
               f"依据公示名单 {lp[0]}")
        return same
    p = publish(s, y)
    what = "已正式发布 final list published" if p.created else "无变化，已正式发布过 (unchanged, already final)"
    result(f"{what}: 发布编号 {p.publication_id} = {s} {y}，依据公示名单 {p.publicity_publication_id}，"
           f"{p.n_enterprises:,} 家企业 (enterprises)，变化 {p.n_changes} 家，sha256 {p.content_sha256[:16]}…，"
           f"校验 (validation) {p.dq_run_id}"
           + ("，指标得分与公示名单共用 (indicator rows shared with the publicity list)"
              if p.indicator_rows_from is not None else ""))
    return p.publication_id
