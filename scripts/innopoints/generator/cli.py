"""`innopoints generate`: write demo source files for a synthetic province."""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from innopoints.console import result


def _years(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-:]\s*(\d{4}))?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"years look like 2022-2024 or 2024, got {text!r}")
    first = int(m.group(1))
    last = int(m.group(2) or first)
    if first > last:
        raise argparse.ArgumentTypeError(f"years {text!r}: the first year must not be after the last")
    return first, last


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "generate",
        help="write demo source feeds (all of sources.md) for a synthetic province",
        description="Write every source feed for N synthetic Liaoning enterprises: Chinese or English "
        "headers, 千元/万元 units, GB18030/UTF-8/XLSX files, several date spellings. Same seed, same bytes.",
    )
    p.add_argument("--enterprises", type=int, default=3000, help="number of enterprises (default 3000)")
    p.add_argument("--years", type=_years, default=(2022, 2024), help="evaluation years, e.g. 2022-2024")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    p.add_argument(
        "--bad-rows",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of deliberately broken rows, e.g. 0.01 (listed in bad_rows.jsonl, BAD_ROWS.md)",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from innopoints.generator import generate

    t0 = time.perf_counter()
    manifest = generate(args.out, args.enterprises, args.years, args.seed, args.bad_rows)
    result(manifest.summary())
    result(f"done in {time.perf_counter() - t0:.1f} s; manifest: {Path(args.out) / 'manifest.json'}")
    return 0
