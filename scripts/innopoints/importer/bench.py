"""`innopoints bench import`: import throughput and memory on the national-scale generated set,
against a bare COPY of the same rows, plus a 200 MB single file streamed in bounded memory.

Each measured import runs in a child process of its own so its peak RSS (getrusage ru_maxrss) is
the import's alone, not the generator's; with ``--jobs`` > 1 the import's worker processes are
counted too (the child's own peak plus jobs x the largest worker peak: an upper bound of the memory
in use at once). CPU seconds of the import's Python processes and of its PostgreSQL backends are
printed beside the wall-clock figures, because on a shared machine wall time depends on the
neighbours. The bare COPY sends the same rows, already converted and dumped by PostgreSQL, into
tables made like the raw ones (same columns, same indexes, logged), and once more into unlogged
tables without indexes (the floor). Everything happens in a scratch database dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from innopoints.console import result, setup_logging

log = logging.getLogger(__name__)

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
    p.add_argument("--jobs", type=int, default=2, help="feeds imported at once (2), as innopoints import --jobs")
    p.add_argument("--keep-db", action="store_true", help="keep the scratch database")


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _mib(b: float) -> str:
    return f"{b / (1 << 20):,.0f} MiB"


def _proc_cpu(pid: int) -> float | None:
    """utime + stime of a process on this host, or None (not Linux, another host, no permission)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class _BackendCpu:
    """Samples the CPU seconds of the import's PostgreSQL backends (application_name 'innopoints
    import') twice a second; the last sample of each backend is its total, less at most 0.5 s."""

    def __init__(self) -> None:
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from innopoints import db

        with db.connect("admin", autocommit=True) as conn:
            while not self._stop.wait(0.5):
                pids = conn.execute("select pid from pg_stat_activity where application_name = 'innopoints import'"
                                    " and datname = current_database()").fetchall()
                for (pid,) in pids:
                    c = _proc_cpu(pid)
                    if c is not None:
                        self.cpu[pid] = c

    def __enter__(self) -> _BackendCpu:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def _child_import(path: str, jobs: int) -> None:
    """Run in a child process: import, print a JSON line with the figures."""
    from innopoints.importer import import_path

    with _BackendCpu() as be:
        t0 = time.perf_counter()
        report = import_path(Path(path), jobs=jobs)
        seconds = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = min(jobs, len(report.files)) if jobs > 1 and kids.ru_maxrss else 0
    result(json.dumps({
        "files": len(report.files), "refused": report.files_refused, "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded, "rows_quarantined": report.rows_quarantined,
        "seconds": seconds, "peak_rss": (own.ru_maxrss + workers * kids.ru_maxrss) * 1024,
        "workers": workers,
        "py_cpu": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
        "be_cpu": sum(be.cpu.values()) if be.cpu else None,
        "bytes": sum(f.path.stat().st_size for f in report.files),
        "refusals": [f"{f.file}: {f.reason}" for f in report.files if f.status == "refused"],
    }))


def _run_child(path: Path, env: dict[str, str], jobs: int = 1) -> dict:
    r = subprocess.run([sys.executable, "-m", "innopoints.importer.bench", "--child-import", str(path), str(jobs)],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"import of {path} failed:\n{r.stdout}\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _ensure_generated(args: argparse.Namespace) -> Path:
    from innopoints.config import get_settings

    out = args.dir or get_settings().project_root / "artifacts" / "bench" / f"national-{args.enterprises}"
    if (out / "manifest.json").exists():
        log.info(f"reusing the generated set in {out}")
        return out
    y0, y1 = (int(y) for y in args.years.split("-"))
    log.info(f"generating {args.enterprises:,} enterprises ({args.years}) into {out} ...")
    t0 = time.perf_counter()
    code = ("from pathlib import Path; from innopoints.generator import generate; "
            f"generate(out_dir=Path({str(out)!r}), enterprises={args.enterprises}, years=({y0}, {y1}), "
            f"seed={args.seed})")
    subprocess.run([sys.executable, "-c", code], check=True)
    log.info(f"generated in {time.perf_counter() - t0:,.0f}s")
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


def bare_copy(env_db: str, tmp: Path) -> dict[str, tuple[int, float, float | None]]:
    """COPY the loaded (already canonical) raw rows, dumped to files, into copies of the raw tables.

    Two targets: ``like`` the raw tables with their indexes, logged (the same work as the import's
    COPY without the Python side), and unlogged without indexes (the floor). Returns per target
    (rows, seconds, backend CPU seconds or None).
    """
    from psycopg import sql

    from innopoints import db
    from innopoints.feeds import FEEDS

    out: dict[str, tuple[int, float, float | None]] = {}
    dumps: list[tuple[str, Path, list[str]]] = []
    with db.connect("admin", dbname=env_db, autocommit=True) as conn:
        try:
            for name, feed in FEEDS.items():
                cols = [*feed.names, "_batch_id", "_line"]
                ident = sql.SQL(", ").join(map(sql.Identifier, cols))
                path = tmp / f"{name}.copy"
                with open(path, "wb") as fh, conn.cursor() as cur, cur.copy(
                    sql.SQL("copy (select {} from raw.{}) to stdout").format(ident, sql.Identifier(name))
                ) as cp:
                    for data in cp:
                        fh.write(data)
                dumps.append((name, path, cols))
            for target, create in (
                ("indexed", "create table bench_copy.{t} (like raw.{t} including defaults including indexes)"),
                ("unlogged", "create unlogged table bench_copy.{t} (like raw.{t} including defaults)"),
            ):
                conn.execute("drop schema if exists bench_copy cascade")
                conn.execute("create schema bench_copy")
                for name, _, _ in dumps:
                    conn.execute(sql.SQL(create).format(t=sql.Identifier(name)))
                conn.execute("checkpoint")  # start like the import did (see bench_import)
                rows = 0
                cpu0 = _proc_cpu(conn.info.backend_pid)
                t0 = time.perf_counter()
                for name, path, cols in dumps:
                    ident = sql.SQL(", ").join(map(sql.Identifier, cols))
                    with conn.transaction(), conn.cursor() as cur:
                        with open(path, "rb") as fh, cur.copy(
                            sql.SQL("copy bench_copy.{} ({}) from stdin").format(sql.Identifier(name), ident)
                        ) as cp:
                            while chunk := fh.read(1 << 20):
                                cp.write(chunk)
                        rows += cur.rowcount
                seconds = time.perf_counter() - t0
                cpu1 = _proc_cpu(conn.info.backend_pid)
                out[target] = (rows, seconds, cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None)
        finally:  # the scratch copies and dumps go, also when a COPY fails (a full disk)
            conn.execute("drop schema if exists bench_copy cascade")
            for name in FEEDS:  # a dump cut short by the error too
                (tmp / f"{name}.copy").unlink(missing_ok=True)
    return out


def _load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _cpu(x: float | None) -> str:
    return f"{x:,.1f} CPU-s" if x is not None else "n/a"


def bench_import(args: argparse.Namespace) -> int:
    from innopoints import cluster, db
    from innopoints.config import use_database

    cluster.start()
    data = _ensure_generated(args)
    name = f"innopoints_bench_{uuid.uuid4().hex[:8]}"
    restore = use_database(name)
    env = dict(os.environ)
    ok = True
    load_start = _load()
    try:
        db.ensure_database()
        with db.connect("admin", autocommit=True) as conn:
            conn.execute("checkpoint")  # the import and the bare COPYs all start after a checkpoint
        log.info(f"load average at start {load_start} ({os.cpu_count()} CPUs)")
        log.info(f"importing {data} into scratch database {name} with --jobs {args.jobs} ...")
        imp = _run_child(data, env, args.jobs)
        load_after_import = _load()
        rate = imp["rows_read"] / imp["seconds"]
        result(f"import: {imp['files']} files ({_mib(imp['bytes'])}), rows read {imp['rows_read']:,} = loaded "
              f"{imp['rows_loaded']:,} + quarantined {imp['rows_quarantined']:,}, refused files {imp['refused']}")
        for r in imp["refusals"]:
            result(f"  refused {r}")
        log.info("bare COPY of the same rows ...")
        with tempfile.TemporaryDirectory(prefix="innopoints-bench-") as tmpd:
            copies = bare_copy(name, Path(tmpd))
        c_rows, c_s, c_cpu = copies["indexed"]
        u_rows, u_s, u_cpu = copies["unlogged"]
        c_rate = c_rows / c_s if c_s else float("inf")
        u_rate = u_rows / u_s if u_s else float("inf")
        ok &= rate >= TARGET_ROWS_PER_S and imp["peak_rss"] < TARGET_RSS_BYTES and imp["refused"] == 0
        ok &= c_rows == imp["rows_loaded"]
        workers = f" (import process + {imp['workers']} workers)" if imp["workers"] else ""
        lines = [
            "",
            f"rows                 {imp['rows_read']:>14,}   ({imp['files']} files, {_mib(imp['bytes'])})",
            f"import seconds       {imp['seconds']:>14,.1f}   (--jobs {args.jobs}; Python {_cpu(imp['py_cpu'])}, "
            f"PostgreSQL backends {_cpu(imp['be_cpu'])})",
            f"import rows/s        {rate:>14,.0f}   (target >= {TARGET_ROWS_PER_S:,})",
            f"import peak RSS      {_mib(imp['peak_rss']):>14}   (target < 1 GiB){workers}",
            f"bare COPY            {c_s:>14,.1f}s  {c_rows:,} rows = {c_rate:,.0f} rows/s, backend {_cpu(c_cpu)} "
            "(same rows, dumped, into tables like raw: same indexes, logged)",
            f"import / bare COPY   {imp['seconds'] / c_s if c_s else 0:>14.2f}x the time "
            f"({rate / c_rate:.0%} of COPY's rate)",
            f"COPY floor           {u_s:>14,.1f}s  {u_rows:,} rows = {u_rate:,.0f} rows/s, backend {_cpu(u_cpu)} "
            "(unlogged, no indexes)",
        ]
        if not args.skip_big_file:
            with tempfile.TemporaryDirectory(prefix="innopoints-bench-big-") as tmpd:
                big = Path(tmpd) / "torch_big.csv"
                t0 = time.perf_counter()
                nrows = write_big_torch_csv(big, args.big_file_mb << 20)
                log.info(f"wrote {big.name}: {_mib(big.stat().st_size)}, {nrows:,} rows in "
                      f"{time.perf_counter() - t0:,.0f}s; importing ...")
                one = _run_child(big, env)
            ok &= one["peak_rss"] < TARGET_RSS_BYTES and one["rows_loaded"] == nrows
            lines += [
                f"single {_mib(one['bytes'])} file {one['rows_read']:,} rows in {one['seconds']:,.1f}s = "
                f"{one['rows_read'] / one['seconds']:,.0f} rows/s, peak RSS {_mib(one['peak_rss'])} "
                f"(target < 1 GiB; Python {_cpu(one['py_cpu'])}, backend {_cpu(one['be_cpu'])})",
            ]
        lines.append(f"load average         start {load_start}, after the import {load_after_import}, "
                     f"end {_load()}")
        lines.append("targets met" if ok else "TARGETS NOT MET")
        result("\n".join(lines))
    finally:
        restore()
        if args.keep_db:
            log.info(f"kept scratch database {name}")
        else:
            db.drop_database(name)
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child-import":
        _child_import(sys.argv[2], int(sys.argv[3]))
    else:
        setup_logging()
        parser = argparse.ArgumentParser(prog="python -m innopoints.importer.bench")
        add_bench_arguments(parser)
        sys.exit(bench_import(parser.parse_args()))
