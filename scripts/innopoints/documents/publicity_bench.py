"""`innopoints bench publicity [--enterprises 898607]`: the publicity documents (公示名单 XLSX + PDF) of a
national-scale list.

The rows are *synthetic* and fed straight to the writers (``publicity.write_documents``, as
``innopoints run`` calls it, the province's documents and the cities' in two processes): N enterprises of
the seeds' cities, ranked by a descending total, 8 % vetoed at the end, names of 12–40 characters (some
longer than the PDF's name column), a generator with a fixed seed, so nothing of the list is held in
memory by the bench either.
PostgreSQL is left out (the rows are read from it through a server-side cursor, ``read.iter_listed``).

Printed: seconds, rows per second (the province's rows; the cities' documents hold as many again), the
files' sizes, the peak resident memory of this process and of the writer processes. Target: a few
minutes for a national list (898,607 enterprises) on 2 cores.
"""

from __future__ import annotations

import argparse
import functools
import random
import resource
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from innopoints.console import result

NATIONAL = 898_607
TARGET_SECONDS = 300.0
VETO_SHARE = 0.08
_WORDS = "金华盛科东润新泰恒瑞达信博远宏智联鼎"
_TRADES = ("自动化", "软件", "新材料", "精密机械", "生物医药", "电子", "智能装备", "化工", "环保", "信息技术",
           "高端装备制造与工业互联网解决方案")
_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "科技有限公司")
_STAGES = ("初创期", "成长期", "成熟期")
_GRADES = (("A", "优秀"), ("B", "良好"), ("C", "中等"), ("D", "一般"))
_BANDS = ("领跑榜", "竞跑榜", "进取榜")


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--enterprises", type=int, default=NATIONAL, help=f"enterprises in the list ({NATIONAL:,})")
    p.add_argument("-j", "--jobs", type=int, default=2, help="processes (2: province's and cities' documents)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--out", type=Path, default=None, help="where the documents go (default artifacts/bench/publicity)")
    p.add_argument("--keep-files", action="store_true", help="keep the documents written")


def cities() -> list[tuple[str, str]]:
    from innopoints import seeds

    return [(str(r["region_code"]), r["region_name_zh"]) for r in seeds.load("regions") if r["level"] == "city"]


def synthetic_rows(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` rows of a province's publicity list in list order (ranked by total, then the vetoed)."""
    rng = random.Random(seed)
    towns = cities()
    ranked = n - int(n * VETO_SHARE)
    per_stage = {s: 0 for s in _STAGES}
    for i in range(n):
        code, city = towns[rng.randrange(len(towns))]
        vetoed = i >= ranked
        stage = _STAGES[rng.randrange(len(_STAGES))]
        name = (f"{city[:-1]}{rng.choice(_WORDS)}{rng.choice(_WORDS)}{rng.choice(_TRADES)}"
                f"{_FORMS[i % len(_FORMS)]}")
        if not vetoed:
            per_stage[stage] += 1
        grade, label = ("V", "一票否决") if vetoed else _GRADES[min(3, 4 * i // max(1, ranked))]
        yield {
            "uscc": f"91{code}{i:09d}X", "enterprise_name": name, "city_code": code, "city_name_zh": city,
            "stage_name_zh": stage, "is_vetoed": vetoed,
            "total_points": Decimal(0) if vetoed else Decimal(15000 - 15000 * i // max(1, ranked)) / 100,
            "grade": grade, "grade_label_zh": label, "rank_in_region": None if vetoed else i + 1,
            "evaluated_in_region": n, "rank_in_stage": None if vetoed else per_stage[stage],
            "ranked_in_stage": None if vetoed else ranked // 3,
            "band_name_zh": None if vetoed or i > ranked // 5 else _BANDS[min(2, 20 * i // max(1, ranked) // 2)],
        }


def documents(n: int, seed: int) -> list[Any]:
    """The province's and each city's document of a synthetic LN-2025 publicity list of ``n`` rows."""
    from innopoints.documents import publicity, read

    pub = read.Publication(
        publication_id=1, scheme_code="LN-2025", scheme_name_zh="辽宁省企业创新积分评价方案（2025版）",
        eval_year=2024, max_points=Decimal(150), published_at=datetime(2025, 6, 3, tzinfo=UTC),
        content_sha256="0" * 64, kind="publicity", opens_on=date(2025, 6, 3), closes_on=date(2025, 6, 9),
        n_enterprises=n, grades=(), cohort_region_code="210000", cohort_region_name_zh="辽宁省")
    ref = read.Reference({}, {}, {}, {}, (("领跑榜", 0.0, 0.05), ("竞跑榜", 0.05, 0.1), ("进取榜", 0.1, 0.2)))
    counts: dict[str | None, int] = {None: n}
    for r in synthetic_rows(n, seed):
        counts[r["city_code"]] = counts.get(r["city_code"], 0) + 1
    regions = [publicity.Region("210000", "辽宁省", None)] + [publicity.Region(c, z, c) for c, z in cities()]
    return [publicity.Document(r, publicity.notice(pub, ref, r, counts.get(r.city_code, 0)),
                               counts.get(r.city_code, 0), f"公示名单_{r.code}_{r.name_zh}")
            for r in regions if counts.get(r.city_code)]


def _peak_kib() -> tuple[int, int]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def bench_publicity(args: argparse.Namespace) -> int:
    from innopoints.config import get_settings
    from innopoints.documents.publicity import write_documents

    out = args.out or get_settings().project_root / "artifacts" / "bench" / "publicity"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    docs = documents(args.enterprises, args.seed)
    t0 = time.perf_counter()
    paths = write_documents(docs, functools.partial(synthetic_rows, args.enterprises, args.seed), out,
                            jobs=args.jobs)
    seconds = time.perf_counter() - t0
    own, children = _peak_kib()
    try:
        size = {s: sum(p.stat().st_size for p in paths if p.suffix == s) for s in (".xlsx", ".pdf")}
        province = {p.suffix: p.stat().st_size for p in paths if "_210000_" in p.name}
        lines = [
            f"innopoints bench publicity — {args.enterprises:,} enterprises (province list + {len(docs) - 1} city "
            f"lists = {2 * args.enterprises:,} rows per kind), {args.jobs} processes",
            f"  total                 {seconds:8.1f} s   [{'within' if seconds <= TARGET_SECONDS else 'OVER'} the "
            f"{TARGET_SECONDS:.0f} s target]",
            f"  province rows / s     {args.enterprises / seconds:8.0f}",
            f"  XLSX                  {size['.xlsx'] / 2**20:8.1f} MiB (province {province['.xlsx'] / 2**20:.1f} MiB)",
            f"  PDF                   {size['.pdf'] / 2**20:8.1f} MiB (province {province['.pdf'] / 2**20:.1f} MiB)",
            f"  peak RSS this process {own / 1024:8.1f} MiB",
            f"  peak RSS writers      {children / 1024:8.1f} MiB (the largest writer process)",
        ]
        result("\n".join(lines))
    finally:
        if not args.keep_files:
            shutil.rmtree(out)
    return 0 if args.enterprises != NATIONAL or seconds <= TARGET_SECONDS else 1
