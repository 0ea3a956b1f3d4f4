"""`innopoints bench build`: the time of a full `dbt build` of the scores, 3 schemes × 3 evaluation
years, at province scale (20,000 enterprises) and national scale (1,000,000), each next to the time
PostgreSQL takes for one plain `create table as select` pass over the same staged rows, in the same
run and the same database.

Per scale: a scratch database (INNOPOINTS_DB_NAME=innopoints_bench_<scale>), the generated set
(reused from artifacts/bench/<scale>-<N>-<years> when present), the one-click import, then
1. `dbt build` of the whole project (seeds, snapshot, every model and test);
2. `dbt build --select <the scoring part>` again, on its own (models and their tests);
3. the CTAS pass: `create table … as select * from staging.<t>` for every staged table the
   scoring reads, one after the other (the floor: reading and writing the input once).
Years 2022-2025 give evaluation years 2023, 2024, 2025 (2022 is only the base of growth rates).
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from innopoints.console import result
from innopoints.errors import InputRefused

log = logging.getLogger(__name__)

SCALES = {"province": 20_000, "national": 1_000_000}
TARGET_SECONDS = {"province": 60.0, "national": 20 * 60.0}
SCORING_SELECTION = [
    "path:models/intermediate/scoring", "path:models/marts/scoring", "path:snapshots",
    "path:seeds/scoring", "path:tests/scoring",
]
STAGED_INPUTS = (
    "stg_registry__enterprises", "stg_torch__statistics", "stg_credit__records", "stg_tax__records",
    "stg_ip__rights", "stg_sci_records__records", "stg_hte__certificates", "stg_tsme__registrations",
)


@dataclass
class ScaleResult:
    scale: str
    enterprises: int
    staged_rows: int
    scored_rows: int
    indicator_rows: int
    import_s: float
    full_build_s: float
    scoring_build_s: float
    ctas_s: float

    def lines(self) -> list[str]:
        target = TARGET_SECONDS.get(self.scale)
        verdict = ""
        if target is not None:
            verdict = "within" if self.full_build_s <= target else "OVER"
            verdict = f"  [{verdict} the {target:.0f} s target]"
        return [
            f"{self.scale}: {self.enterprises:,} enterprises, {self.staged_rows:,} staged input rows, "
            f"{self.scored_rows:,} enterprise scores, {self.indicator_rows:,} indicator scores",
            f"  import                         {self.import_s:9.1f} s",
            f"  dbt build (whole project)      {self.full_build_s:9.1f} s   = "
            f"{self.full_build_s / self.ctas_s:5.1f} × CTAS{verdict}",
            f"  dbt build (scoring selection)  {self.scoring_build_s:9.1f} s   = "
            f"{self.scoring_build_s / self.ctas_s:5.1f} × CTAS",
            f"  one plain CTAS pass            {self.ctas_s:9.1f} s",
        ]


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", choices=[*SCALES, "both"], default="both",
                   help="province (20,000), national (1,000,000) or both (default)")
    p.add_argument("--enterprises", type=int, default=None, help="override the size of the chosen scale")
    p.add_argument("--years", default="2022-2025",
                   help="years generated (default 2022-2025: evaluation years 2023-2025 + the growth base)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--data-root", type=Path, default=None,
                   help="where generated sets are kept (default artifacts/bench)")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch databases")
    p.add_argument("--reuse-db", action="store_true",
                   help="reuse a kept scratch database that already holds the import (skips generate and import)")


def generated_set(root: Path, scale: str, n: int, years: tuple[int, int], seed: int) -> Path:
    from innopoints.generator import generate

    out = root / f"{scale}-{n}-{years[0]}-{years[1]}-s{seed}"
    if (out / "manifest.json").exists():
        log.info(f"  reusing the generated set in {out}")
        return out
    log.info(f"  generating {n:,} enterprises, {years[0]}-{years[1]} -> {out}")
    t0 = time.perf_counter()
    generate(out_dir=out, enterprises=n, years=years, seed=seed)
    log.info(f"  generated in {time.perf_counter() - t0:.0f} s")
    return out


def _timed_dbt(args: list[str]) -> float:
    from innopoints.warehouse import dbt

    t0 = time.perf_counter()
    dbt(args, capture=True)
    return time.perf_counter() - t0


def ctas_pass() -> float:
    from innopoints import db

    total = 0.0
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        for t in STAGED_INPUTS:
            conn.execute(f"drop table if exists intermediate.bench_ctas_{t}")
            t0 = time.perf_counter()
            conn.execute(f"create table intermediate.bench_ctas_{t} as select * from staging.{t}")
            total += time.perf_counter() - t0
            conn.execute(f"drop table intermediate.bench_ctas_{t}")
    return total


def _count(sql: str) -> int:
    from innopoints import db

    with db.connect("admin") as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


def has_import(name: str) -> bool:
    import psycopg

    from innopoints import cluster, db

    info = cluster.server_info()
    with psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                         dbname=info.maintenance_db, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            return False
    with db.connect("admin") as conn:
        row = conn.execute("select count(*) from audit.import_batches").fetchone()
        return bool(row and row[0])


def run_scale(scale: str, n: int, years: tuple[int, int], seed: int, root: Path, keep_db: bool,
              reuse_db: bool = False) -> ScaleResult:
    from innopoints import cluster, db
    from innopoints.config import use_database
    from innopoints.importer import import_path

    name = f"innopoints_bench_{scale}"
    log.info(f"{scale}: database {name}")
    restore = use_database(name)
    try:
        cluster.start()
        if reuse_db and has_import(name):
            log.info("  reusing the imported database")
            import_s = float("nan")
        else:
            data = generated_set(root, scale, n, years, seed)
            db.drop_database(name)
            db.ensure_database()
            t0 = time.perf_counter()
            report = import_path(data)
            import_s = time.perf_counter() - t0
            if report.files_refused:
                raise InputRefused(f"the import refused {report.files_refused} file(s): {report.summary()}")
            log.info(f"  imported {report.rows_loaded:,} rows in {import_s:.0f} s")
        full = _timed_dbt(["build"])
        log.info(f"  dbt build (whole project): {full:.1f} s")
        scoring = _timed_dbt(["build", "--select", *SCORING_SELECTION, "--indirect-selection", "cautious"])
        log.info(f"  dbt build (scoring): {scoring:.1f} s")
        ctas = ctas_pass()
        log.info(f"  CTAS pass: {ctas:.1f} s")
        staged = sum(_count(f"select count(*) from staging.{t}") for t in STAGED_INPUTS)
        return ScaleResult(
            scale, n, staged,
            _count("select count(*) from marts.fct_enterprise_scores"),
            _count("select count(*) from marts.fct_indicator_scores"),
            import_s, full, scoring, ctas,
        )
    finally:
        if not keep_db:
            db.drop_database(name)
        restore()


def bench_build(args: argparse.Namespace) -> int:
    from innopoints.config import get_settings

    y0, y1 = (int(y) for y in args.years.split("-"))
    root = args.data_root or get_settings().project_root / "artifacts" / "bench"
    root.mkdir(parents=True, exist_ok=True)
    scales = list(SCALES) if args.scale == "both" else [args.scale]
    results = []
    for scale in scales:
        n = args.enterprises or SCALES[scale]
        results.append(run_scale(scale, n, (y0, y1), args.seed, root, args.keep_db or args.reuse_db,
                                 args.reuse_db))
    result("")
    result(f"innopoints bench build — 3 schemes, years {y0}-{y1} (evaluation years {y0 + 1}-{y1}), 2-core box")
    over = False
    for r in results:
        result("\n".join(r.lines()))
        over = over or (r.scale in TARGET_SECONDS and r.enterprises == SCALES[r.scale]
                        and r.full_build_s > TARGET_SECONDS[r.scale])
    return 1 if over else 0
