"""`innopoints dbt ...` and `innopoints build`: dbt with the profile taken from our configuration."""

from __future__ import annotations

import argparse

from innopoints.console import result
from innopoints.warehouse import build, dbt, ensure_ready


def _passthrough(args: argparse.Namespace) -> int:
    ensure_ready()
    return dbt(args.dbt_args, check=False).returncode


def _build(args: argparse.Namespace) -> int:
    from innopoints import rebuild

    if args.select:
        build(args.select, args.full_refresh)
    elif args.changed:
        p = rebuild.rebuild(full=False)
        result(p.describe())
        if not p.nothing:
            result(_built(rebuild.built_models()))
    else:  # everything from scratch, recorded as the state the next selective build compares with
        rebuild.rebuild(full=True)
    return 0


def _built(models: list[str]) -> str:
    return f"已重建 (rebuilt) {len(models)} 个模型 (models): {', '.join(models)}"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dbt", help="run dbt with the warehouse profile (arguments pass through)")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_passthrough)
    b = sub.add_parser("build", help="dbt build: seeds, snapshots, models and their tests")
    b.add_argument("--select", "-s", nargs="+", help="dbt selection (default: everything)")
    b.add_argument("--full-refresh", action="store_true",
                   help="with --select: rebuild the selected incremental models from scratch "
                        "(a build of everything always does)")
    b.add_argument("--changed", action="store_true",
                   help="only what data loaded or code changed since the last build reaches (dbt state)")
    b.set_defaults(func=_build)
