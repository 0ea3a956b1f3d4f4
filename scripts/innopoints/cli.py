"""The `innopoints` command. Each area registers its own subcommands; this file only wires them."""

from __future__ import annotations

import argparse
import difflib
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
    "innopoints.documents.cli",
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


def command_names(parser: argparse.ArgumentParser) -> list[str]:
    """The registered subcommands' names."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def unknown_command(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """A message naming the nearest command when the first positional argument is not a command."""
    word = next((a for a in argv if not a.startswith("-")), None)
    names = command_names(parser)
    if word is None or word in names:
        return None
    nearest = difflib.get_close_matches(word, names, n=3, cutoff=0.5)
    if nearest:
        hint = "、".join(f"`innopoints {n}`" for n in nearest)
        return (f"没有命令 {word!r} (unknown command)。您是否要用 (did you mean): {hint}？\n"
                "全部命令 (all commands): innopoints --help")
    return f"没有命令 {word!r} (unknown command)。全部命令 (all commands): {', '.join(names)}"


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    message = unknown_command(parser, argv)
    if message:
        parser.print_usage(sys.stderr)
        print(f"innopoints: error: {message}", file=sys.stderr)
        return 2
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
