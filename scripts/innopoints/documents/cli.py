"""`innopoints report --publication ID [--uscc USCC] [--out DIR]`: the 积分报告单 of a publication."""

from __future__ import annotations

import argparse
from pathlib import Path

from innopoints.console import Progress, callback, result
from innopoints.errors import UsageError


def _run(args: argparse.Namespace) -> int:
    from innopoints.documents.bulk import write_reports
    from innopoints.scoring.explain import uscc_problem
    from innopoints.warehouse import ensure_ready

    uscc = args.uscc.strip().upper() if args.uscc else None
    if uscc is not None and (problem := uscc_problem(uscc)):
        raise UsageError(problem)
    ensure_ready()
    out = args.out or Path("reports") / f"publication{args.publication}"
    if uscc is not None:
        r = write_reports(args.publication, out, uscc=uscc, jobs=max(1, args.jobs))
        result(f"积分报告单 (report): {r.out_dir / r.files[0].file}  sha256 {r.files[0].sha256}")
        return 0
    with Progress("积分报告单", unit="份", throttle=True) as progress:
        r = write_reports(args.publication, out, jobs=max(1, args.jobs), progress=callback(progress))
    result(f"积分报告单 {len(r.files):,} 份 (reports) → {r.out_dir}，清单 (manifest) {r.manifest}；"
           f"{r.seconds:.1f} s，{r.per_second:.1f} 份/秒 (documents/s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from innopoints.documents.bulk import DEFAULT_JOBS

    p = sub.add_parser(
        "report", help="积分报告单: one PDF per enterprise of a publication (or one enterprise's)",
        description=("Write each enterprise's 积分报告单 (PDF, Chinese, A4) of a publication into "
                     "DIR/<city>/<USCC>.pdf, with DIR/manifest.csv (uscc, name, file, sha256) for the bulk run; "
                     "with --uscc only that enterprise's."))
    p.add_argument("--publication", required=True, type=int, help="publication id (innopoints publish --list)")
    p.add_argument("--uscc", help="only this enterprise (统一社会信用代码)")
    p.add_argument("--out", type=Path, help="output folder (default reports/publication<ID>)")
    p.add_argument("-j", "--jobs", type=int, default=DEFAULT_JOBS,
                   help=f"processes rendering at once (default {DEFAULT_JOBS}, one per core)")
    p.set_defaults(func=_run)
