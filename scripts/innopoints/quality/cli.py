"""`innopoints validate`: the data-quality gate."""

from __future__ import annotations

import argparse

from innopoints.console import result
from innopoints.errors import InputRefused


def _validate(args: argparse.Namespace) -> int:
    from innopoints.quality.runner import validate
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    outcome = validate(freshness=not args.no_freshness)
    result(outcome.report())
    return 0 if outcome.success else InputRefused.exit_code


def _sync(args: argparse.Namespace) -> int:
    from innopoints import db
    from innopoints.quality import context as gxc
    from innopoints.quality.suites import all_suites
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    specs = all_suites()
    with db.connect(db.TRANSFORMER, autocommit=True) as conn:
        existing = {s.relation for s in specs if gxc.relation_exists(conn, s.relation)}
    ready = gxc.sync(gxc.get_context(), specs, existing)
    result(f"gx/ in line with the suites in code: {len(specs)} suites, {len(ready)} with a table to validate")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="data-quality gate: GX suites on raw feeds and marts + dbt source freshness; non-zero on failure",
    )
    p.add_argument("--no-freshness", action="store_true",
                   help="skip dbt source freshness (the run then cannot be used to publish)")
    p.set_defaults(func=_validate)
    s = sub.add_parser("gx-sync", help="regenerate gx/ (suites, assets, checkpoints) from the suites in code")
    s.set_defaults(func=_sync)
