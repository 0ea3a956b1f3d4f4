"""`innopoints bench import`: import throughput and memory on the national-scale generated set,
against a bare COPY of the same rows, plus a 200 MB single file streamed in bounded memory.

Each measured import runs in a child process of its own so its peak RSS (getrusage ru_maxrss) is
the import's alone, not the generator's. Everything happens in a scratch database that is dropped
at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TARGET_ROWS_PER_S = 100_000
TARGET_RSS_BYTES = 1 << 30
TORCH_HEADER = ["统一社会信用代码", "年度", "营业收入(千元)", "净利润(千元)", "从业人员期末人数", "研发人员数",
                "研发费用(千元)", "高新技术产品（服务）收入(千元)", "技术合同成交额(千元)", "省内技术合同吸纳额(千元)",
                "股权融资额(千元)"]


def add_bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--enterprises", type=int, default=1_000_000, help="size of the generated set (1,000,000)")
    p.add_argument("--years", default="2022-2024", help="years of the generated set (2022-2024)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--dir", type=Path, default=None,
                   help="the generated set (made there if missing; default artifacts/bench/national-<N>)")
    p.add_argument("--big-file-mb", type=int, default=200, help="size of the single-file streaming check (200)")
    p.add_argument("--skip-big-file", action="store_true", help="skip the single-file streaming check")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database")


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _mib(b: float) -> str:
    return f"{b / (1 << 20):,.0f} MiB"


def _child_import(path: str) -> None:
    """Run in a child process: import, print a JSON line with the figures."""
    from innopoints.importer import import_path

    t0 = time.perf_counter()
    report = import_path(Path(path))
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "files": len(report.files), "refused": report.files_refused, "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded, "rows_quarantined": report.rows_quarantined,
        "seconds": seconds, "peak_rss": _peak_rss(),
        "bytes": sum(f.path.stat().st_size for f in report.files),
        "refusals": [f"{f.file}: {f.reason}" for f in report.files if f.status == "refused"],
    }))


def _run_child(path: Path, env: dict[str, str]) -> dict:
    r = subprocess.run([sys.executable, "-m", "innopoints.importer.bench", "--child-import", str(path)],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"import of {path} failed:\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _ensure_generated(args: argparse.Namespace) -> Path:
    from innopoints.config import get_settings

    out = args.dir or get_settings().project_root / "artifacts" / "bench" / f"national-{args.enterprises}"
    if (out / "manifest.json").exists():
        print(f"reusing the generated set in {out}")
        return out
    y0, y1 = (int(y) for y in args.years.split("-"))
    print(f"generating {args.enterprises:,} enterprises ({args.years}) into {out} ...", flush=True)
    t0 = time.perf_counter()
    code = ("from pathlib import Path; from innopoints.generator import generate; "
            f"generate(out_dir=Path({str(out)!r}), enterprises={args.enterprises}, years=({y0}, {y1}), "
            f"seed={args.seed})")
    subprocess.run([sys.executable, "-c", code], check=True)
    print(f"generated in {time.perf_counter() - t0:,.0f}s")
    return out


def write_big_torch_csv(path: Path, target_bytes: int, seed: int = 1) -> int:
    """A torch survey file of about ``target_bytes`` (UTF-8, 千元 headers, valid distinct keys)."""
    from innopoints.uscc import make_uscc

    rng = random.Random(seed)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(TORCH_HEADER) + "\n")
        size = 0
        n = 0
        buf: list[str] = []
        while size < target_bytes:
            n += 1
            code = make_uscc("210100", f"{n:08d}")
            for year in (2022, 2023, 2024):
                rev = rng.lognormvariate(9, 2)
                line = (f"{code},{year},{rev:.2f},{rev * rng.uniform(-0.1, 0.2):.2f},{rng.randint(5, 3000)},"
                        f"{rng.randint(0, 300)},{rev * rng.uniform(0, 0.1):.2f},{rev * rng.uniform(0, 0.8):.2f},"
                        f"{rng.uniform(0, 500):.2f},{rng.uniform(0, 100):.2f},0\n")
                buf.append(line)
                size += len(line.encode())
                rows += 1
            if len(buf) > 30000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
    return rows


def _bare_copy(env_db: str, tmp: Path) -> tuple[int, float]:
    """COPY the loaded (already canonical) raw rows, dumped to files, into unlogged copies: rows, seconds."""
    from psycopg import sql

    from innopoints import db
    from innopoints.feeds import FEEDS

    dumps: list[tuple[str, Path, list[str]]] = []
    with db.connect("admin", dbname=env_db, autocommit=True) as conn:
        conn.execute("create schema if not exists bench_copy")
        for name, feed in FEEDS.items():
            cols = [*feed.names, "_batch_id", "_line"]
            ident = sql.SQL(", ").join(map(sql.Identifier, cols))
            conn.execute(sql.SQL("drop table if exists bench_copy.{}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("create unlogged table bench_copy.{} (like raw.{})").format(
                sql.Identifier(name), sql.Identifier(name)))
            path = tmp / f"{name}.copy"
            with open(path, "wb") as fh, conn.cursor() as cur, cur.copy(
                sql.SQL("copy (select {} from raw.{}) to stdout").format(ident, sql.Identifier(name))
            ) as cp:
                for data in cp:
                    fh.write(data)
            dumps.append((name, path, cols))
        rows = 0
        t0 = time.perf_counter()
        for name, path, cols in dumps:
            ident = sql.SQL(", ").join(map(sql.Identifier, cols))
            with conn.cursor() as cur:
                with open(path, "rb") as fh, cur.copy(
                    sql.SQL("copy bench_copy.{} ({}) from stdin").format(sql.Identifier(name), ident)
                ) as cp:
                    while chunk := fh.read(1 << 20):
                        cp.write(chunk)
                rows += cur.rowcount
        seconds = time.perf_counter() - t0
        conn.execute("drop schema bench_copy cascade")
    for _, path, _ in dumps:
        path.unlink()
    return rows, seconds


def bench_import(args: argparse.Namespace) -> int:
    from innopoints import cluster, db
    from innopoints.config import reset_settings

    cluster.start()
    data = _ensure_generated(args)
    name = f"innopoints_bench_{uuid.uuid4().hex[:8]}"
    old = os.environ.get("INNOPOINTS_DB_NAME")
    os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()
    env = dict(os.environ)
    ok = True
    try:
        db.ensure_database()
        print(f"importing {data} into scratch database {name} ...", flush=True)
        imp = _run_child(data, env)
        rate = imp["rows_read"] / imp["seconds"]
        print(f"import: {imp['files']} files ({_mib(imp['bytes'])}), rows read {imp['rows_read']:,} = loaded "
              f"{imp['rows_loaded']:,} + quarantined {imp['rows_quarantined']:,}, refused files {imp['refused']}")
        for r in imp["refusals"]:
            print(f"  refused {r}")
        with tempfile.TemporaryDirectory(prefix="innopoints-bench-") as tmpd:
            copy_rows, copy_s = _bare_copy(name, Path(tmpd))
        copy_rate = copy_rows / copy_s if copy_s else float("inf")
        ok &= rate >= TARGET_ROWS_PER_S and imp["peak_rss"] < TARGET_RSS_BYTES and imp["refused"] == 0
        lines = [
            "",
            f"rows                 {imp['rows_read']:>14,}",
            f"import seconds       {imp['seconds']:>14,.1f}",
            f"import rows/s        {rate:>14,.0f}   (target >= {TARGET_ROWS_PER_S:,})",
            f"import peak RSS      {_mib(imp['peak_rss']):>14}   (target < 1 GiB)",
            f"bare COPY            {copy_rows:>14,} rows in {copy_s:,.1f}s = {copy_rate:,.0f} rows/s "
            "(canonical rows from a dump into unlogged tables)",
            f"import / bare COPY   {imp['seconds'] / copy_s if copy_s else 0:>14.2f}x the time "
            f"({rate / copy_rate:.0%} of COPY's rate)",
        ]
        if not args.skip_big_file:
            with tempfile.TemporaryDirectory(prefix="innopoints-bench-big-") as tmpd:
                big = Path(tmpd) / "torch_big.csv"
                t0 = time.perf_counter()
                nrows = write_big_torch_csv(big, args.big_file_mb << 20)
                print(f"wrote {big.name}: {_mib(big.stat().st_size)}, {nrows:,} rows in "
                      f"{time.perf_counter() - t0:,.0f}s; importing ...", flush=True)
                one = _run_child(big, env)
            ok &= one["peak_rss"] < TARGET_RSS_BYTES and one["rows_loaded"] == nrows
            lines += [
                f"single {_mib(one['bytes'])} file {one['rows_read']:,} rows in {one['seconds']:,.1f}s = "
                f"{one['rows_read'] / one['seconds']:,.0f} rows/s, peak RSS {_mib(one['peak_rss'])}",
            ]
        lines.append("targets met" if ok else "TARGETS NOT MET")
        print("\n".join(lines))
    finally:
        if old is None:
            os.environ.pop("INNOPOINTS_DB_NAME", None)
        else:
            os.environ["INNOPOINTS_DB_NAME"] = old
        reset_settings()
        if args.keep_db:
            print(f"kept scratch database {name}")
        else:
            db.drop_database(name)
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-import":
        _child_import(sys.argv[2])
    else:
        parser = argparse.ArgumentParser(prog="python -m innopoints.importer.bench")
        add_bench_arguments(parser)
        sys.exit(bench_import(parser.parse_args()))
