"""`innopoints bench reports [--enterprises 20000]`: bulk 积分报告单 of a province-scale publication.

A scratch database (``innopoints_bench_reports``): bootstrapped, the seeds the documents read loaded with
``dbt seed``, a validation record standing for a passed gate, then a *synthetic* publication of N
enterprises (scheme LN-2025, 2024) written the way ``innopoints publish`` writes one (rows first, the
header with the content hash last, as the publisher): its indicators and weights are those of the seeds
(every indicator of each stage), the values, points, vetoes and names are drawn at random with a fixed
seed, totals, grades, ranks in region and stage and the ranked lists follow the published rules. Building
a real province (generate, import, dbt build, validate) would take minutes more and measure the rest of
the pipeline, not the documents.

Then the bulk run, exactly as ``innopoints report`` runs it, timed: documents per second, total time, the
peak resident memory of the parent and of each worker. Target: 20,000 in under 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from innopoints.console import Progress, callback, result

log = logging.getLogger(__name__)

TARGET_SECONDS = 300.0
DB_NAME = "innopoints_bench_reports"
SCHEME, YEAR = "LN-2025", 2024
SEEDS = ("indicators", "veto_rules", "regions", "ref_objection_offices", "ranking_bands", "schemes",
         "scheme_weights", "grade_bands", "stage_rules")
VETO_SHARE = 0.08
_WORDS = ("金", "华", "盛", "科", "东", "润", "新", "泰", "恒", "瑞", "达", "信", "博", "远", "宏", "智", "联", "鼎")
_TRADES = ("自动化", "软件", "新材料", "精密机械", "生物医药", "电子", "智能装备", "化工", "环保", "信息技术")
_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "科技有限公司")
RUN_ID = "bench-reports-synthetic"


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    from innopoints.documents.bulk import DEFAULT_JOBS

    p.add_argument("--enterprises", type=int, default=20_000, help="enterprises in the publication (20,000)")
    p.add_argument("-j", "--jobs", type=int, default=DEFAULT_JOBS, help=f"processes (default {DEFAULT_JOBS})")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", type=Path, default=None, help="where the reports go (default artifacts/bench/reports)")
    p.add_argument("--keep-files", action="store_true", help="keep the reports written (about 60 KB each)")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database")


def _uscc(rng: random.Random, city: str) -> str:
    from innopoints.uscc import USCC_CHARSET, uscc_check_digit

    body = "91" + city + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_digit(body)


def _name(rng: random.Random, city_name: str, i: int) -> str:
    return f"{city_name[:-1]}{rng.choice(_WORDS)}{rng.choice(_WORDS)}{rng.choice(_TRADES)}{_FORMS[i % len(_FORMS)]}"


def _value(rng: random.Random, unit: str) -> Decimal:
    if unit == "CNY":
        return Decimal(rng.randint(0, 50_000_000))
    if unit == "ratio":
        return Decimal(rng.randint(0, 10_000)) / 10_000
    if unit == "flag":
        return Decimal(rng.randint(0, 1))
    if unit == "code":
        return Decimal(rng.randint(0, 2))
    return Decimal(rng.randint(0, 40))


def _copy(conn: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"copy audit.{table} ({', '.join(columns)}) from stdin") as cp:
        for r in rows:
            cp.write_row(r)


def synthetic_publication(n: int, seed: int) -> int:
    """Write a publication of ``n`` synthetic enterprises into the current (scratch) database; its id."""
    from innopoints import db
    from innopoints.publication.publish import grade_bands

    rng = random.Random(seed)
    with db.connect("admin", autocommit=True) as conn:
        conn.execute("insert into audit.dq_runs (run_id, started_at, finished_at, success, gx_success, "
                     "freshness_success, scoring_success, n_checks, n_failed, covered_batches) "
                     "values (%s, now(), now(), true, true, true, true, 0, 0, '[]') on conflict do nothing",
                     (RUN_ID,))
    with db.connect(db.PUBLISHER) as conn:
        cities = conn.execute("select region_code, region_name_zh from seeds.regions where level = 'city' "
                              "order by region_code").fetchall()
        stages = conn.execute("select stage, stage_name_zh from seeds.stage_rules order by priority").fetchall()
        weights: dict[str, list[tuple[Any, ...]]] = {}
        for stage, code, w, cat, cat_name, name, order, unit in conn.execute(
                "select w.stage, w.indicator_code, w.weight, i.category_code, i.category_name_zh, "
                "i.indicator_name_zh, i.display_order, i.unit from seeds.scheme_weights as w "
                "join seeds.indicators as i using (indicator_code) where w.scheme_code = %s "
                "order by w.stage, i.display_order", (SCHEME,)):
            weights.setdefault(stage, []).append((code, Decimal(str(w)), cat, cat_name, name, order, unit))
        scheme_name, max_points = conn.execute(
            "select scheme_name_zh, max_points from seeds.schemes where scheme_code = %s", (SCHEME,)).fetchone()
        max_points = Decimal(str(max_points))
        bands = grade_bands(conn)
        ranked = conn.execute("select band_code, band_name_zh, min_top_share, max_top_share "
                              "from seeds.ranking_bands order by band_order").fetchall()
        stages = [(s, z) for s, z in stages if s in weights]
        people: list[dict[str, Any]] = []
        indicator_rows: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        for i in range(n):
            city, city_name = cities[i % len(cities)]
            uscc = _uscc(rng, city)
            while uscc in seen:
                uscc = _uscc(rng, city)
            seen.add(uscc)
            stage, stage_name = stages[rng.randrange(len(stages))]
            vetoed = rng.random() < VETO_SHARE
            total = Decimal(0)
            if not vetoed:
                for code, w, cat, cat_name, name, order, unit in weights[stage]:
                    pts = (w * Decimal(rng.random() ** 1.6)).quantize(Decimal("0.01"))
                    total += pts
                    indicator_rows.append((uscc, code, name, cat, cat_name, order, _value(rng, unit), w, pts))
            people.append({"uscc": uscc, "name": _name(rng, city_name, i), "city": city, "city_name": city_name,
                           "stage": stage, "stage_name": stage_name, "vetoed": vetoed, "total": total,
                           "veto": ["V01" if rng.random() < 0.8 else "V02"] if vetoed else None})
        _rank(people, bands, ranked, max_points)
        pid = conn.execute("select nextval(pg_get_serial_sequence('audit.publications', 'publication_id'))"
                           ).fetchone()[0]
        _copy(conn, "publication_scores",
              ["publication_id", "uscc", "enterprise_name", "city_code", "city_name_zh", "stage", "stage_name_zh",
               "is_vetoed", "veto_codes", "total_points", "max_points", "grade", "grade_label_zh", "rank_in_region",
               "evaluated_in_region", "top_share", "points_to_next_grade", "rank_in_stage", "ranked_in_stage",
               "band_code", "band_name_zh"],
              [(pid, p["uscc"], p["name"], p["city"], p["city_name"], p["stage"], p["stage_name"], p["vetoed"],
                p["veto"], p["total"], max_points, p["grade"], p["grade_label"], p["rank"], n, p["top_share"],
                p["to_next"], p["rank_in_stage"], p["ranked_in_stage"], p["band_code"], p["band_name"])
               for p in people])
        _copy(conn, "publication_indicator_points",
              ["publication_id", "uscc", "indicator_code", "indicator_name_zh", "category_code", "category_name_zh",
               "display_order", "indicator_value", "weight", "points"],
              [(pid, *r) for r in indicator_rows])
        digest = conn.execute("select audit.publication_content_sha256(%s)", (pid,)).fetchone()[0]
        # a publicity list (its period closed): a final list would have to rest on one, and a report
        # is drawn alike for both kinds
        conn.execute(
            "insert into audit.publications (publication_id, scheme_code, eval_year, scheme_name_zh, max_points, "
            "code_version, dq_run_id, source_batches, source_batch_ids, n_enterprises, n_indicator_rows, "
            "content_sha256, grade_bands, kind, opens_on, closes_on) values (%s, %s, %s, %s, %s, 'bench', %s, '[]', "
            "'{}', %s, %s, %s, %s, 'publicity', current_date - 10, current_date - 6)",
            (pid, SCHEME, YEAR, scheme_name, max_points, RUN_ID, n, len(indicator_rows), digest,
             json.dumps(bands, ensure_ascii=False)))
        conn.commit()
    return int(pid)


def _rank(people: list[dict[str, Any]], bands: list[dict[str, Any]], ranked: list[tuple[Any, ...]],
          max_points: Decimal) -> None:
    """Grades, ranks (ties share a rank, vetoed last) and ranked lists, as the scoring models define them."""
    graded = sorted((b for b in bands if b["min_share_of_max"] is not None), key=lambda b: -b["min_share_of_max"])
    veto_band = next((b for b in bands if b["min_share_of_max"] is None), {"grade": "V", "label_zh": "一票否决"})
    order = sorted(people, key=lambda p: (p["vetoed"], -p["total"]))
    n = len(people)
    for i, p in enumerate(order):
        p["rank"] = i + 1 if i == 0 or order[i - 1]["total"] != p["total"] or order[i - 1]["vetoed"] != p["vetoed"] \
            else order[i - 1]["rank"]
        p["top_share"] = Decimal(p["rank"]) / n
        if p["vetoed"]:
            p.update(grade=veto_band["grade"], grade_label=veto_band["label_zh"], to_next=None)
            continue
        share = float(p["total"] / max_points)
        k = next(j for j, b in enumerate(graded) if share >= b["min_share_of_max"])
        p.update(grade=graded[k]["grade"], grade_label=graded[k]["label_zh"])
        p["to_next"] = (None if k == 0 else
                        (Decimal(str(graded[k - 1]["min_share_of_max"])) * max_points - p["total"]).quantize(
                            Decimal("0.01")))
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for p in order:
        p.update(rank_in_stage=None, ranked_in_stage=None, band_code=None, band_name=None)
        if not p["vetoed"]:
            by_stage.setdefault(p["stage"], []).append(p)
    for group in by_stage.values():
        for i, p in enumerate(group):
            p["rank_in_stage"] = (i + 1 if i == 0 or group[i - 1]["total"] != p["total"]
                                  else group[i - 1]["rank_in_stage"])
            p["ranked_in_stage"] = len(group)
            share = p["rank_in_stage"] / len(group)
            for code, name, lo, hi in ranked:
                if float(lo) < share <= float(hi) or (float(lo) == 0 and share <= float(hi)):
                    p.update(band_code=code, band_name=name)
                    break


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (the workers, once the pool ends)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_reports(args: argparse.Namespace) -> int:
    from innopoints import cluster, db
    from innopoints.config import get_settings, use_database
    from innopoints.documents.bulk import write_reports
    from innopoints.warehouse import dbt

    out = args.out or get_settings().project_root / "artifacts" / "bench" / "reports"
    restore = use_database(DB_NAME)
    try:
        cluster.start()
        log.info(f"reports: scratch database {DB_NAME}")
        db.drop_database(DB_NAME)
        db.ensure_database()
        t0 = time.perf_counter()
        dbt(["seed", "--select", *SEEDS], capture=True)
        log.info(f"  seeds loaded in {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        pid = synthetic_publication(args.enterprises, args.seed)
        log.info(f"  synthetic publication {pid}: {args.enterprises:,} enterprises in {time.perf_counter() - t0:.0f} s")
        if out.exists():
            shutil.rmtree(out)
        load_before, cpu_before = os.getloadavg()[0], _cpu_seconds()
        with Progress("积分报告单", total=args.enterprises, unit="份", throttle=True) as progress:
            res = write_reports(pid, out, jobs=max(1, args.jobs), progress=callback(progress))
        cpu = _cpu_seconds() - cpu_before
        load_after = os.getloadavg()[0]
        size = sum(f.stat().st_size for f in out.rglob("*.pdf"))
        each = size / max(1, len(res.files)) / 1024
        lines = [
            f"innopoints bench reports — {len(res.files):,} 积分报告单, {args.jobs} processes, "
            f"{os.cpu_count()} cores",
            f"  total                 {res.seconds:8.1f} s   [{'within' if res.seconds <= TARGET_SECONDS else 'OVER'}"
            f" the {TARGET_SECONDS:.0f} s target]",
            f"  documents per second  {res.per_second:8.1f}",
            f"  CPU (parent+workers)  {cpu:8.1f} s   = {cpu / max(1, len(res.files)) * 1000:.1f} ms a report; "
            f"load average {load_before:.1f} before, {load_after:.1f} after (above {os.cpu_count()}: other "
            "processes share the cores)",
            f"  output                {size / 2**20:8.1f} MiB ({each:.0f} KiB a report)",
            f"  peak RSS parent       {res.peak_rss_parent_kib / 1024:8.1f} MiB",
        ]
        for wpid, kib in sorted(res.peak_rss_workers_kib.items()):
            lines.append(f"  peak RSS worker {wpid:<6}{kib / 1024:7.1f} MiB")
        result("\n".join(lines))
        ok = len(res.files) == args.enterprises
        return 0 if ok and (res.seconds <= TARGET_SECONDS or args.enterprises != 20_000) else 1
    finally:
        if not args.keep_files and out.exists():
            shutil.rmtree(out)
        if not args.keep_db:
            db.drop_database(DB_NAME)
        restore()

