"""积分报告单 for one enterprise or every enterprise of a publication, written to
``DIR/<city_name_zh>/<uscc>.pdf`` (each file atomically, readable by its owner only), the bulk run
across processes (one per core) with a manifest ``DIR/manifest.csv`` (uscc, name, file, sha256).

The parent reads the publication, the reference seeds and the list of enterprises, then closes its
connection and hands chunks of enterprises to the workers; each worker keeps one connection (as the
publisher), reads a chunk's scores and indicator points in two queries, renders and writes each PDF.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from innopoints import db, statefile
from innopoints.documents import read, report
from innopoints.errors import NotFound
from innopoints.spreadsheet import safe_text

log = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
CHUNK = 100
DEFAULT_JOBS = min(2, os.cpu_count() or 1)
Progress = Callable[[int, int], None]  # (documents done, documents in all)


@dataclass(frozen=True)
class ReportFile:
    uscc: str
    name: str
    file: str  # relative to the output folder
    sha256: str


@dataclass
class BulkResult:
    publication_id: int
    out_dir: Path
    files: list[ReportFile]
    manifest: Path | None
    seconds: float
    peak_rss_parent_kib: int
    peak_rss_workers_kib: dict[int, int] = field(default_factory=dict)  # worker pid -> peak RSS

    @property
    def per_second(self) -> float:
        return len(self.files) / self.seconds if self.seconds > 0 else float("inf")


def folder_name(city: str) -> str:
    """A city's name as a folder name (no path separators, never empty or a dot name)."""
    name = city.replace(os.sep, "_").replace("\0", "").strip()
    return name if name and name not in {".", ".."} else "未知地市"


def relative_path(city: str, uscc: str) -> str:
    return f"{folder_name(city)}/{uscc}.pdf"


def _peak_rss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


# --- the worker side: one connection and the shared reference data per process ---------------------

_WORKER: dict[str, Any] = {}


def _init_worker(pub: read.Publication, ref: read.Reference, out_dir: Path) -> None:
    _WORKER.update(pub=pub, ref=ref, out_dir=out_dir, conn=None)


def _connection() -> Any:
    if _WORKER.get("conn") is None or _WORKER["conn"].closed:
        _WORKER["conn"] = db.connect(db.PUBLISHER, autocommit=True)
    return _WORKER["conn"]


def _render_chunk(items: Sequence[tuple[str, str]]) -> tuple[int, int, list[ReportFile]]:
    """Render and write the reports of ``items`` ((uscc, city) pairs); returns (pid, peak RSS, files)."""
    pub: read.Publication = _WORKER["pub"]
    ref: read.Reference = _WORKER["ref"]
    out_dir: Path = _WORKER["out_dir"]
    city = dict(items)
    written = []
    for e in read.enterprise_data(_connection(), pub.publication_id, [u for u, _ in items]):
        pdf = report.render(pub, e, ref)
        rel = relative_path(city[e.score["uscc"]], e.score["uscc"])
        statefile.write_bytes(out_dir / rel, pdf)  # atomic, mode 0600
        written.append(ReportFile(e.score["uscc"], e.score["enterprise_name"] or "", rel,
                                  hashlib.sha256(pdf).hexdigest()))
    return os.getpid(), _peak_rss_kib(), written


# --- the parent side ------------------------------------------------------------------------------------

def _chunks(items: list[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def manifest_bytes(files: Sequence[ReportFile]) -> bytes:
    """The manifest as CSV (UTF-8 with BOM for Excel, names formula-safe), in file order."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["uscc", "name", "file", "sha256"])
    for f in sorted(files, key=lambda f: f.file):
        w.writerow([f.uscc, safe_text(f.name), f.file, f.sha256])
    return buf.getvalue().encode("utf-8-sig")


def _prepare(publication_id: int, uscc: str | None) -> tuple[read.Publication, read.Reference, list[tuple[str, str]]]:
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        pub = read.publication(conn, publication_id)
        ref = read.reference(conn)
        items = read.enterprises(conn, publication_id, uscc)
    if uscc is not None and not items:
        raise NotFound(f"发布 {publication_id} 中没有统一社会信用代码为 {uscc} 的企业 "
                         f"(no enterprise {uscc} in publication {publication_id})")
    return pub, ref, items


def write_reports(publication_id: int, out_dir: Path, *, uscc: str | None = None, jobs: int = DEFAULT_JOBS,
                  chunk: int = CHUNK, progress: Progress | None = None) -> BulkResult:
    """Write the 积分报告单 of ``uscc`` (or of every enterprise of the publication, with a manifest)."""
    t0 = time.perf_counter()
    out_dir = statefile.ensure_private_dir(Path(out_dir))
    pub, ref, items = _prepare(publication_id, uscc)
    for city in sorted({c for _, c in items}):
        statefile.ensure_private_dir(out_dir / folder_name(city))
    files: list[ReportFile] = []
    workers: dict[int, int] = {}
    if progress:
        progress(0, len(items))
    if jobs <= 1 or len(items) <= chunk:
        _init_worker(pub, ref, out_dir)
        try:
            for part in _chunks(items, chunk):
                files.extend(_render_chunk(part)[2])
                if progress:
                    progress(len(files), len(items))
        finally:
            conn = _WORKER.pop("conn", None)
            if conn is not None:
                conn.close()
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(pub, ref, out_dir)) as pool:
            pending: set[Future[Any]] = set()
            parts = _chunks(items, chunk)
            for part in parts:  # keep a few chunks per worker in flight, not the whole list
                pending.add(pool.submit(_render_chunk, part))
                if len(pending) >= 3 * jobs:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    pid, rss, written = fut.result()
                    workers[pid] = max(workers.get(pid, 0), rss)
                    files.extend(written)
                    nxt = next(parts, None)
                    if nxt is not None:
                        pending.add(pool.submit(_render_chunk, nxt))
                if progress:
                    progress(len(files), len(items))
    manifest = None
    if uscc is None:
        manifest = out_dir / MANIFEST
        statefile.write_bytes(manifest, manifest_bytes(files))
    seconds = time.perf_counter() - t0
    log.info("publication %s: %d reports in %.1f s", publication_id, len(files), seconds)
    return BulkResult(publication_id, out_dir, files, manifest, seconds, _peak_rss_kib(), workers)
