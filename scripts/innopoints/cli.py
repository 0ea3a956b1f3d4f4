"""The `innopoints` command. Each area registers its own subcommands; this file only wires them."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import difflib
import importlib
import logging
import os
import sys
import threading

from innopoints.console import setup_logging
from innopoints.errors import InnopointsError, Interrupted, UsageError

log = logging.getLogger("innopoints")

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
        epilog="Exit codes: see the README's \"Exit codes\" section (0 success, 2 usage, 3 service down, ...).",
    )
    level = parser.add_mutually_exclusive_group()
    level.add_argument("-v", "--verbose", dest="log_verbose", action="store_true",
                       help="debug logging, and a traceback with any error")
    level.add_argument("-q", "--quiet", dest="log_quiet", action="store_true",
                       help="warnings and errors only: no progress, results still on stdout")
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


def _verbosity(argv: list[str]) -> int:
    """-1 with -q/--quiet, 1 with -v/--verbose before the command, else 0 (read before parsing, so a
    usage error is reported at the level asked for)."""
    for arg in argv:
        if not arg.startswith("-"):
            break
        if arg in ("-q", "--quiet"):
            return -1
        if arg in ("-v", "--verbose"):
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    argv = sys.argv[1:] if argv is None else argv
    verbosity = _verbosity(argv)
    setup_logging(verbosity)
    parser = build_parser()
    message = unknown_command(parser, argv)
    if message:
        parser.print_usage(sys.stderr)
        log.error(f"innopoints: error: {message}")
        return UsageError.exit_code
    args = parser.parse_args(argv)
    debug = verbosity > 0 or bool(os.environ.get("INNOPOINTS_DEBUG"))
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        log.error("interrupted")
        return Interrupted.exit_code
    except InnopointsError as exc:
        if os.environ.get("INNOPOINTS_DEBUG"):
            raise
        log.error(f"innopoints {args.command}: error: {exc}", exc_info=debug)
        return exc.exit_code
    except Exception as exc:  # a clear message for the user; the traceback with -v
        if os.environ.get("INNOPOINTS_DEBUG"):
            raise
        log.error(f"innopoints {args.command}: error: {exc}", exc_info=debug)
        return InnopointsError.exit_code


def entry() -> None:
    """The console script: `main`, then the process ends as soon as its exit handlers have run.

    Once a run has loaded dbt and Great Expectations, the interpreter's own teardown (freeing every
    module and object one by one) adds 3-4 s to a monthly delivery and does nothing the operating
    system does not do when the process ends. So: threads still running are waited for, the exit
    handlers run (logging's flush among them), the standard streams are flushed, then os._exit."""
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help and its own usage errors
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        code = exc.code or 0
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # what the interpreter runs first when it ends; the teardown after it is skipped
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
