"""The `innopoints` command. Each area registers its own subcommands; this file only wires them."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from innopoints.errors import InnopointsError

# Modules that provide `register(subparsers)`. An area that is not installed is skipped.
COMMAND_MODULES = (
    "innopoints.commands.db_cmd",
    "innopoints.commands.dbt_cmd",
    "innopoints.generator.cli",
    "innopoints.importer.cli",
    "innopoints.scoring.cli",
    "innopoints.quality.cli",
    "innopoints.publication.cli",
    "innopoints.commands.run_cmd",
    "innopoints.superset.cli",
    "innopoints.commands.bench_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="innopoints",
        description="Innovation points warehouse (企业创新积分): import, build, check, publish, serve.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except InnopointsError as exc:
        if os.environ.get("INNOPOINTS_DEBUG"):
            raise
        print(f"innopoints {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # a clear message for the user; the traceback with INNOPOINTS_DEBUG=1
        if os.environ.get("INNOPOINTS_DEBUG"):
            raise
        print(f"innopoints {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
