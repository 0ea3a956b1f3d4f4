"""`innopoints bench run`: one `innopoints run` on a generated set, from the files to the banks' push
files, timed step by step next to each step's floor, then a monthly loans delivery run the same way.

1. a scratch database (innopoints_bench_<scale>, dropped first), the generated set (reused from
   artifacts/bench/<scale>-… when present, as `innopoints bench build` makes it);
2. `innopoints run --import <set> --push`, its publicity period dated in the past so the one run goes
   from the files through the build, the gate, the publicity list and the final list to the pushes;
3. the floors: bare COPY of the same rows into tables like raw (for the import), one plain CTAS pass
   over the staged scoring inputs (for the build);
4. a monthly loans delivery (each bank's latest month restated, `innopoints.generator.monthly`) run
   through `innopoints run --import <month>`: what the delivery reaches is rebuilt, and nothing else;
5. a tax restatement of the last year (1 % of its enterprises), imported and built selectively: the
   scoring chain is rebuilt, its incremental tables for that year alone (a new evaluation year is the
   same work), next to the full build of step 2. It first measures the disk: a build writes each table
   beside the one it replaces, so when the scoring tables could not be written twice over the step is
   not run and the table says why (nationally about 30 GB beyond the database's 45 GB).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from innopoints.console import result

log = logging.getLogger(__name__)
T = TypeVar("T")

SCALES = {"province": 20_000, "national": 1_000_000}
# the targets, on a 2-core machine
TARGETS = {"national": {"run": 20 * 60.0, "validate": 3 * 60.0, "monthly": 2 * 60.0, "build_ctas": 40.0}}


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", choices=list(SCALES), default="province",
                   help="province (20,000 enterprises, default) or national (1,000,000)")
    p.add_argument("--enterprises", type=int, default=None, help="override the size of the scale")
    p.add_argument("--years", default="2022-2025", help="years generated (default 2022-2025)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--data-root", type=Path, default=None,
                   help="where generated sets are kept (default artifacts/bench)")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database")
    p.add_argument("--reuse-db", action="store_true",
                   help="run on a kept scratch database that already holds the import (the import is not "
                        "repeated, and the run builds only what changed since that database's last build; "
                        "only the monthly delivery is judged against the targets)")


def _load() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _restatement_room() -> tuple[int, int] | None:
    """(bytes the restatement may need, bytes free beside the database) or None when the server's disk
    is not this machine's. A selective build writes each rebuilt table beside the one it replaces (dbt
    swaps them at the end), so the scoring chain's tables are at most written twice over: their size,
    plus a tenth and the WAL's maximum for what the build logs and sorts on the way."""
    import shutil

    from innopoints import db

    with db.connect("admin", autocommit=True) as conn:
        try:
            data_dir = Path(conn.execute("select current_setting('data_directory')").fetchone()[0])
            wal_max = int(conn.execute("select pg_size_bytes(current_setting('max_wal_size'))").fetchone()[0])
        except Exception:  # not a superuser of the server: its disk is not ours to measure
            return None
        tables = int(conn.execute(
            "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class as c "
            "join pg_namespace as n on n.oid = c.relnamespace "
            "where n.nspname in ('intermediate', 'marts') and c.relkind in ('r', 'm')").fetchone()[0])
    if not data_dir.exists():
        return None
    return int(tables * 1.1) + wal_max, shutil.disk_usage(data_dir).free


@dataclass
class Restatement:
    """The tax restatement step: its figures, or why it did not run or did not finish."""

    rows: int = 0
    import_s: float = 0.0
    build_s: float = 0.0
    from_scratch: bool = False
    built: list[str] = field(default_factory=list)
    deleted: int = 0
    inserted: int = 0
    points_rows: int = 0
    not_done: str | None = None


def _restate(data: Path, where: Path, year: int) -> Restatement:
    """Import a restated tax file of ``year`` and build what it reaches; with the disk it needs first."""
    from innopoints import db, rebuild
    from innopoints.errors import InnopointsError
    from innopoints.generator.monthly import restated_tax
    from innopoints.importer import import_path

    room = _restatement_room()
    if room is not None and room[0] > room[1]:
        return Restatement(not_done=f"not run: its build may write {_gib(room[0])} beside the current tables "
                                    f"and {_gib(room[1])} is free on the database's disk")
    out = Restatement()
    t0 = time.perf_counter()
    report = import_path(restated_tax(data, where, year))
    out.import_s, out.rows = time.perf_counter() - t0, report.rows_read
    if report.files_refused:
        out.not_done = f"restated tax file refused: {report.summary()}"
        return out
    written = ("select n_tup_ins, n_tup_del, reltuples::bigint from pg_stat_user_tables "
               "join pg_class on pg_class.oid = relid "
               "where relid = 'intermediate.int_scoring__enterprise_points'::regclass")
    with db.connect("admin", autocommit=True) as conn:
        ins0, del0, _ = conn.execute(written).fetchone()
    t0 = time.perf_counter()
    try:
        plan = rebuild.rebuild()
    except InnopointsError as exc:  # e.g. the disk filled: the warehouse stays as it was, the figures stand
        out.build_s = time.perf_counter() - t0
        out.not_done = f"build failed after {out.build_s:.0f} s: {str(exc).splitlines()[0][:200]}"
        return out
    out.build_s = time.perf_counter() - t0
    out.from_scratch, out.built = plan.from_scratch, rebuild.built_models()
    time.sleep(1)  # table statistics reach the shared counters at the end of each transaction
    with db.connect("admin", autocommit=True) as conn:
        ins1, del1, out.points_rows = conn.execute(written).fetchone()
    out.deleted, out.inserted = del1 - del0, ins1 - ins0
    return out


def _floor(measure: Callable[[], T]) -> tuple[T | None, str | None]:
    """A floor's measurement, or None and why it could not be taken."""
    import psycopg

    from innopoints.errors import InnopointsError

    try:
        return measure(), None
    except (InnopointsError, psycopg.Error, OSError) as exc:
        log.warning("floor not measured: %s", exc)
        return None, str(exc).splitlines()[0][:160]


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def _row(step: str, seconds: float, floor: str = "") -> str:
    return f"  {step:<34} {seconds:9.1f} s   {floor}"


def bench_run(args: argparse.Namespace) -> int:
    from innopoints import cluster, db, rebuild
    from innopoints.config import get_settings, use_database
    from innopoints.generator.monthly import monthly_loans
    from innopoints.importer.bench import bare_copy
    from innopoints.publication.pipeline import StepClock, run_pipeline
    from innopoints.publication.publish import today_beijing
    from innopoints.scoring.bench import ctas_pass, generated_set, has_import

    y0, y1 = (int(y) for y in args.years.split("-"))
    n = args.enterprises or SCALES[args.scale]
    root = args.data_root or get_settings().project_root / "artifacts" / "bench"
    root.mkdir(parents=True, exist_ok=True)
    data = generated_set(root, args.scale, n, (y0, y1), args.seed)
    name = f"innopoints_bench_{args.scale}"
    restore = use_database(name)
    year_run, month_run = StepClock(), StepClock()
    reuse = False
    try:
        cluster.start()
        reuse = args.reuse_db and has_import(name)
        if not reuse:
            db.drop_database(name)
            rebuild.clear()
        db.ensure_database()
        load0 = _load()
        with tempfile.TemporaryDirectory(prefix="innopoints-bench-run-") as tmp:
            opens = today_beijing() - timedelta(days=21)
            t0 = time.perf_counter()
            rc = run_pipeline(import_dir=None if reuse else data, schemes=None, year=None, push=True,
                              out_dir=Path(tmp) / "pushes", publicity_days=5, publicity_opens=opens, clock=year_run)
            year_s = time.perf_counter() - t0
            if rc != 0:
                result(f"innopoints run stopped (exit {rc}); steps so far: {year_run.steps}")
                return rc
            load1 = _load()
            with db.connect("admin", autocommit=True) as conn:
                raw_rows = conn.execute("select sum(rows_loaded) from audit.import_batches").fetchone()[0]
            log.info("floors: bare COPY of the imported rows, one CTAS pass over the staged inputs ...")
            # a floor that cannot be measured (the disk full after a national run) is said so in the table
            copies, copy_failed = _floor(lambda: bare_copy(name, Path(tmp)))
            ctas, ctas_failed = _floor(ctas_pass)
            # a repayment share of its own per run, so a kept database never has this delivery already
            share = Decimal(int(time.time()) % 997 + 1) / 10_000
            month = monthly_loans(data, Path(tmp) / "monthly", repaid_share=share)
            t0 = time.perf_counter()
            rc = run_pipeline(import_dir=Path(tmp) / "monthly", schemes=None, year=None, push=False,
                              out_dir=Path(tmp) / "pushes", clock=month_run)
            month_s = time.perf_counter() - t0
            if rc != 0:
                result(f"monthly run stopped (exit {rc}); steps so far: {month_run.steps}")
                return rc
            restatement = _restate(data, Path(tmp) / "restated", y1)
        with db.connect("admin", autocommit=True) as conn:
            scores = conn.execute("select count(*) from marts.fct_enterprise_scores").fetchone()[0]
            month_rows = conn.execute("select rows_loaded from audit.import_batches where feed = 'loans' "
                                      "order by batch_id desc limit %s", (len(month),)).fetchall()
    finally:
        if not (args.keep_db or args.reuse_db):
            db.drop_database(name)
        restore()

    steps = dict(year_run.steps)
    lines = [
        "",
        f"innopoints bench run — {args.scale}: {n:,} enterprises, years {y0}-{y1}, {raw_rows:,} rows imported, "
        f"{scores:,} enterprise scores; 2-core box, load {load0} before, {load1} after the run",
        "one `innopoints run --import <set> --push` (publicity period dated in the past: files → final lists → pushes)"
        if not reuse else "one `innopoints run --push` on the kept database (--reuse-db: no import; the build covers "
        "what changed since its last build)",
    ]
    floors = {"import": f"bare COPY not measured: {copy_failed}", "build": f"CTAS pass not measured: {ctas_failed}"}
    if copies is not None:
        c_rows, c_s, _ = copies["indexed"]
        _u_rows, u_s, _ = copies["unlogged"]
        floors["import"] = (f"= {steps.get('import', 0) / c_s:5.2f} × bare COPY ({c_s:.1f} s, {c_rows:,} rows into "
                            f"tables like raw; unlogged, no indexes {u_s:.1f} s)")
    if ctas is not None:
        floors["build"] = f"= {steps.get('build', 0) / ctas:5.1f} × one CTAS pass ({ctas:.1f} s)"
    for step, seconds in year_run.steps:
        lines.append(_row(step, seconds, floors.get(step, "")))
    lines.append(_row("end to end", year_s))
    month_steps = " + ".join(f"{s} {t:.1f}" for s, t in month_run.steps)
    lines += [
        f"monthly loans delivery: {len(month)} files, {sum(r[0] for r in month_rows):,} rows; "
        f"`innopoints run --import <month>` rebuilt {len(month_run.built.get('build', []))} models "
        f"({', '.join(month_run.built.get('build', [])[:6])} …) and left the rest as they were",
        _row("import → refreshed marts", month_s, f"({month_steps} s)"),
    ]
    r = restatement
    if r.not_done is None:
        lines += [
            f"a tax restatement of {y1} ({r.rows:,} rows), built "
            f"{'from scratch' if r.from_scratch else 'selectively, incremental by year'}: "
            f"{len(r.built)} models; int_scoring__enterprise_points (incremental) {r.deleted:,} rows "
            f"deleted and {r.inserted:,} inserted of {r.points_rows:,}: those of {y1}",
            _row("import", r.import_s),
            _row("build", r.build_s, f"= {r.build_s / max(steps.get('build', 0), 1e-9):.2f} × the full build"),
        ]
    else:
        lines.append(f"a tax restatement of {y1}: {r.not_done}")
    target = TARGETS.get(args.scale) if n == SCALES[args.scale] else None
    ok = True
    if target:
        verdicts, ok = target_lines(target, year_s, steps.get("validate", 0), month_s,
                                    steps.get("build", 0) / ctas if ctas else None, year_measured=not reuse)
        lines += verdicts
    complete = ok and r.not_done is None and copies is not None and ctas is not None
    if not complete:
        lines.append("exit status 1: a target not met or not measured, or a floor or the restatement not "
                     "measured (see above)")
    result("\n".join(lines))
    return 0 if complete else 1


def target_lines(target: dict[str, float], year_s: float, validate_s: float, month_s: float,
                 build_ratio: float | None, year_measured: bool) -> tuple[list[str], bool]:
    """The targets' lines, each figure beside its limit, and whether every one was measured and met.
    ``year_measured`` False (--reuse-db): the run imported nothing and built only what changed, so the
    year's end to end, gate and build ratio are not the targets' figures and are not judged."""
    checks = [
        ("end to end", year_s if year_measured else None, target["run"], "s"),
        ("validate", validate_s if year_measured else None, target["validate"], "s"),
        ("monthly loans delivery", month_s, target["monthly"], "s"),
        ("build / CTAS", build_ratio if year_measured else None, target["build_ctas"], "×"),
    ]
    lines, ok = ["targets:"], True
    for what, got, limit, unit in checks:
        if got is None:
            ok = False
            why = ("not measured" if year_measured else
                   "not measured: --reuse-db imports nothing and builds only what changed")
            lines.append(f"  {what:<26} {'—':>9} {unit}  (target ≤ {limit:.0f} {unit}: {why})")
            continue
        met = got <= limit
        ok &= met
        lines.append(f"  {what:<26} {got:9.1f} {unit}  (target ≤ {limit:.0f} {unit}: {'met' if met else 'NOT met'})")
    return lines, ok
