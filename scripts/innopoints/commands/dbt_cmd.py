"""`innopoints dbt ...` and `innopoints build`: dbt with the profile taken from our configuration."""

from __future__ import annotations

import argparse

from innopoints.warehouse import build, dbt, ensure_ready


def _passthrough(args: argparse.Namespace) -> int:
    ensure_ready()
    return dbt(args.dbt_args, check=False).returncode


def _build(args: argparse.Namespace) -> int:
    build(args.select, args.full_refresh)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dbt", help="run dbt with the warehouse profile (arguments pass through)")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_passthrough)
    b = sub.add_parser("build", help="dbt build: seeds, snapshots, models and their tests")
    b.add_argument("--select", "-s", nargs="+", help="dbt selection (default: everything)")
    b.add_argument("--full-refresh", action="store_true")
    b.set_defaults(func=_build)
