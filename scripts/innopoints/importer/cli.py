"""`innopoints import DIR|FILE`: the one-click import of source feed files."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from innopoints.console import Progress, result
from innopoints.errors import InputRefused, NotFound

DEFAULT_JOBS = min(2, os.cpu_count() or 1)

log = logging.getLogger(__name__)


def _run(args: argparse.Namespace) -> int:
    from innopoints.importer import FileReport, import_path
    from innopoints.warehouse import ensure_ready

    path = Path(args.path)
    if not path.exists():
        raise NotFound(f"{path} 不存在 (does not exist)：请给出数据文件所在的文件夹或单个文件")
    ensure_ready()

    with Progress("import", unit="file") as progress:
        def each_file(rep: FileReport) -> None:
            if args.verbose:
                result("\n".join(rep.lines()))
            progress.update(note=f"{rep.file}: {rep.status}, {rep.rows_loaded:,} rows loaded")

        report = import_path(path, progress=each_file, jobs=max(1, args.jobs))
    if not report.files:
        raise NotFound(f"{path} 下没有找到数据文件 (no feed files found; manifest.json 和 *.md 不算)")
    result(report.summary(per_file=not args.verbose))
    if report.files_refused:
        return InputRefused.exit_code
    if args.strict and report.rows_quarantined:
        log.error(f"--strict: 有 {report.rows_quarantined:,} 行被隔离 (rows quarantined)")
        return InputRefused.exit_code
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import feed files (a folder, recursively, or one file) into the warehouse's raw layer",
        description=(
            "Recognise each file's feed from its headers (Chinese or English), convert units, numbers, "
            "dates and codes, quarantine bad rows (audit.quarantine) and load the rest, one transaction "
            "per file through COPY. A file already imported (same content) is skipped. Exit status: 0 "
            "when every file loaded or was skipped, 8 when a file was refused or, with --strict, rows were "
            "quarantined, 7 when the path does not exist."
        ),
    )
    p.add_argument("path", help="a folder of feed files (CSV/XLSX, searched recursively) or one file")
    p.add_argument("--strict", action="store_true", help="exit 8 when any row was quarantined")
    p.add_argument("-j", "--jobs", type=int, default=DEFAULT_JOBS,
                   help=f"feeds imported at once, each in a process of its own ({DEFAULT_JOBS}); the files of "
                        "one feed always go one after another in sorted order")
    p.add_argument("-v", "--verbose", action="store_true", help="print each file's result as it finishes")
    p.set_defaults(func=_run)
