"""`innopoints run` (import → build → validate → publish → push) and `innopoints demo` (everything,
from nothing to dashboards)."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import timedelta
from pathlib import Path

from innopoints.config import get_settings
from innopoints.console import result
from innopoints.errors import InputRefused
from innopoints.warehouse import ensure_ready

log = logging.getLogger(__name__)

DEMO_ENTERPRISES = 3000
DEMO_YEARS = (2022, 2024)
DEMO_SEED = 2024
# a few deliberately broken rows (one in a thousand), so the demo's import quarantines some and the
# data-quality dashboard shows what that looks like
DEMO_BAD_ROWS = 0.001
# the demo's publicity period: five days, opened three weeks ago, so the final list follows at once
DEMO_PUBLICITY_DAYS = 5
DEMO_PUBLICITY_AGO_DAYS = 21
DEMO_REPORTS_SCHEME = "FX-2025"  # the demo writes the 积分报告单 of this scheme's final list


def _run(args: argparse.Namespace) -> int:
    from innopoints.publication.pipeline import run_pipeline

    ensure_ready()
    return run_pipeline(
        import_dir=args.import_dir,
        schemes=args.scheme,
        year=args.year,
        push=args.push,
        out_dir=args.out,
        publicity_days=args.publicity_days,
        full=args.full,
    )


def demo_data_dir() -> Path:
    return get_settings().project_root / "demo-data"


def ensure_demo_data(enterprises: int = DEMO_ENTERPRISES) -> Path:
    """Generate the demo province once; the same seed always gives the same files."""
    from innopoints.generator import generate

    out = demo_data_dir()
    manifest = out / "manifest.json"
    if manifest.exists():
        made = json.loads(manifest.read_text())
        if made.get("enterprises") == enterprises and made.get("bad_rows_share") == DEMO_BAD_ROWS:
            log.info(f"demo data already in {out}")
            return out
    log.info(f"generating demo data for {enterprises} enterprises, {DEMO_YEARS[0]}-{DEMO_YEARS[1]}, "
          f"{DEMO_BAD_ROWS:.1%} broken rows -> {out}")
    generate(out_dir=out, enterprises=enterprises, years=DEMO_YEARS, seed=DEMO_SEED, bad_rows=DEMO_BAD_ROWS)
    return out


def _demo_reports() -> None:
    """The 积分报告单 of every enterprise of the demo city's final list (阜新, 137 enterprises), as an
    officer hands them out; `innopoints report --publication ID` does it for any publication."""
    from innopoints import db
    from innopoints.documents import write_reports

    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        row = conn.execute("select max(publication_id) from audit.publications where kind = 'final' "
                           "and scheme_code = %s", (DEMO_REPORTS_SCHEME,)).fetchone()
    if row is None or row[0] is None:
        return
    out = get_settings().project_root / "reports" / f"publication{row[0]}"
    written = write_reports(row[0], out)
    result(f"\n积分报告单 (reports) of final list {row[0]} ({DEMO_REPORTS_SCHEME}): {len(written.files)} PDF in {out}")


def _demo(args: argparse.Namespace) -> int:
    from innopoints.importer import import_path
    from innopoints.publication.pipeline import run_pipeline, up_to_date

    ensure_ready()
    data = ensure_demo_data(args.enterprises)
    # not under demo-data/: that folder is what the next `make demo` imports
    pushes = get_settings().project_root / "pushes"
    log.info(f"\n== import {data} ==")
    report = import_path(data)
    result(report.summary(per_file=report.files_loaded > 0))
    if report.files_refused:
        return InputRefused.exit_code
    why = up_to_date() if report.files_loaded == 0 else None
    if why:
        result(f"\nnothing new since the last run ({why}): no build, check, publication or push needed")
    else:
        # the cycle as officers run it, its period dated in the past: publicity lists, the objections
        # and their review, then (rebuilt and validated on the corrections) the final lists and pushes
        from innopoints.publication import demo_cycle
        from innopoints.publication.publish import today_beijing

        opens = today_beijing() - timedelta(days=DEMO_PUBLICITY_AGO_DAYS)
        rc = run_pipeline(import_dir=None, schemes=None, year=None, push=False, out_dir=pushes,
                          publicity_days=DEMO_PUBLICITY_DAYS, publicity_opens=opens, finalize=False)
        if rc != 0:
            return rc
        demo_cycle.run(data, get_settings().project_root / "demo-corrections")
        rc = run_pipeline(import_dir=None, schemes=None, year=None, push=True, out_dir=pushes)
        if rc != 0:
            return rc
        _demo_reports()
    if args.no_serve:
        return 0
    from innopoints.superset import service

    return service.setup_and_serve()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="import (when given a folder) → dbt build → validate → the cycle's next step: "
                       "a publicity list, or after its period the final list [→ push]")
    p.add_argument("--import", dest="import_dir", type=Path, help="folder or file of source feeds to import first")
    p.add_argument("--scheme", action="append", help="scheme to publish (repeatable; default: every scheme)")
    p.add_argument("--year", type=int, help="evaluation year to publish (default: each scheme's latest)")
    p.add_argument("--push", action="store_true", help="also write one push file per partner bank")
    p.add_argument("--out", type=Path, default=Path("pushes"), help="folder for push files (default ./pushes)")
    p.add_argument("--publicity-days", type=int, default=5, help="length of a new publicity period (default 5 days)")
    p.add_argument("--full", action="store_true",
                   help="rebuild everything (default: only what the data loaded and the code changed since the "
                        "last build reach, by dbt state)")
    p.set_defaults(func=_run)
    d = sub.add_parser("demo", help="everything from nothing: demo data, warehouse, checks, publication, dashboards")
    d.add_argument("--enterprises", type=int, default=DEMO_ENTERPRISES)
    d.add_argument("--no-serve", action="store_true", help="stop before Superset")
    d.set_defaults(func=_demo)
