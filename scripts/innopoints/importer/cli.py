"""`innopoints import DIR|FILE`: the one-click import of source feed files."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_JOBS = min(2, os.cpu_count() or 1)
EXIT_REFUSED = 1
EXIT_STRICT_QUARANTINE = 3


def _run(args: argparse.Namespace) -> int:
    from innopoints.commands.db_cmd import ensure_ready
    from innopoints.importer import FileReport, import_path

    path = Path(args.path)
    if not path.exists():
        print(f"innopoints import: {path} 不存在 (does not exist)：请给出数据文件所在的文件夹或单个文件",
              file=sys.stderr)
        return EXIT_REFUSED
    ensure_ready()

    def progress(rep: FileReport) -> None:
        if args.verbose:
            print("\n".join(rep.lines()), flush=True)

    report = import_path(path, progress=progress, jobs=max(1, args.jobs))
    if not report.files:
        print(f"innopoints import: {path} 下没有找到数据文件 (no feed files found; manifest.json 和 *.md 不算)",
              file=sys.stderr)
        return EXIT_REFUSED
    print(report.summary(per_file=not args.verbose))
    if report.files_refused:
        return EXIT_REFUSED
    if args.strict and report.rows_quarantined:
        print(f"--strict: 有 {report.rows_quarantined:,} 行被隔离 (rows quarantined)", file=sys.stderr)
        return EXIT_STRICT_QUARANTINE
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import feed files (a folder, recursively, or one file) into the warehouse's raw layer",
        description=(
            "Recognise each file's feed from its headers (Chinese or English), convert units, numbers, "
            "dates and codes, quarantine bad rows (audit.quarantine) and load the rest, one transaction "
            "per file through COPY. A file already imported (same content) is skipped. Exit status: 0 "
            "when every file loaded or was skipped, 1 when a file was refused, 3 with --strict when rows "
            "were quarantined."
        ),
    )
    p.add_argument("path", help="a folder of feed files (CSV/XLSX, searched recursively) or one file")
    p.add_argument("--strict", action="store_true", help="exit 3 when any row was quarantined")
    p.add_argument("-j", "--jobs", type=int, default=DEFAULT_JOBS,
                   help=f"feeds imported at once, each in a process of its own ({DEFAULT_JOBS}); the files of "
                        "one feed always go one after another in sorted order")
    p.add_argument("-v", "--verbose", action="store_true", help="print each file's result as it finishes")
    p.set_defaults(func=_run)
