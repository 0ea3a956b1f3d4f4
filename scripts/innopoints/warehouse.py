"""The warehouse as every command needs it: the server started and bootstrapped (``ensure_ready``),
and dbt run in the project directory as the transformer role: in a process of its own (``dbt``), or in this
one with the project parsed once (``build`` with progress, ``dbt_in_process``)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

from innopoints import cluster, db
from innopoints.config import get_settings
from innopoints.console import Progress
from innopoints.errors import BuildFailed

log = logging.getLogger(__name__)

# dbt's events for a finished node; their data carries the node's index and the run's total
_NODE_RESULTS = frozenset({"LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult",
                           "LogFreshnessResult", "LogNodeNoOpResult"})
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


def ensure_ready() -> None:
    """Start the server if needed and make sure the warehouse database is bootstrapped."""
    cluster.start()
    db.ensure_database()


def _command(args: list[str]) -> tuple[list[str], dict[str, str], Path]:
    s = get_settings()
    exe = s.venv_bin / "dbt"
    return [str(exe) if exe.exists() else "dbt", *args], {**os.environ, **db.dbt_env(s)}, s.project_root


def dbt(args: list[str], check: bool = True, capture: bool = False) -> subprocess.CompletedProcess[str]:
    """Run dbt as the transformer role in the project directory; BuildFailed when it fails and ``check``."""
    cmd, env, cwd = _command(args)
    r = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=capture)
    if check and r.returncode != 0:
        out = (r.stdout or "")[-4000:] if capture else _failed_nodes(cwd / "target" / "run_results.json")
        raise BuildFailed(f"dbt {' '.join(args)} failed (exit {r.returncode}){': ' + out if out else ''}")
    return r


def _failed_nodes(run_results: Path) -> str:
    """The nodes of dbt's last run that failed or erred, a line each with dbt's message, so a failure
    names its cause where dbt's own output went to the terminal."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    except (OSError, ValueError):
        return ""
    return "\n".join(f"{x.get('unique_id')}: {x.get('status')}: {(x.get('message') or '').strip()[:400]}"
                     for x in results if x.get("status") in ("error", "fail", "runtime error"))


class _EventLog:
    """dbt's events as the user sees them: a progress step per finished node, other lines logged at
    their level (debug events dropped, as dbt's own log at its default level drops them), error lines
    kept for the failure's message."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.errors: list[str] = []

    def __call__(self, name: str, level_name: str, msg: str, index: int | None, total: int | None) -> None:
        level = _LEVELS.get(level_name, logging.INFO)
        if name in _NODE_RESULTS and index:
            self.progress.update(index, total=total or None, note=msg)
            if level >= logging.ERROR:
                log.error(msg)
        elif level_name == "debug":
            return
        elif name == "LogStartLine":
            log.debug(msg)
        elif msg:
            log.log(level, msg)
        if level >= logging.ERROR and msg:
            self.errors.append(msg)


def _project_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file dbt parses (path, size, modification time): a change means the project must be parsed
    again."""
    out = []
    for top in ("models", "macros", "seeds", "snapshots", "tests", "analyses"):
        for d, _, files in os.walk(root / top):
            for f in files:
                st = os.stat(os.path.join(d, f))
                out.append((os.path.join(d, f), st.st_size, st.st_mtime_ns))
    for f in ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml"):
        if (root / f).exists():
            st = (root / f).stat()
            out.append((f, st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


class _InProcess:
    """dbt run in this process (dbtRunner), the project parsed once and its manifest reused by every
    later command with the same project files and connection. A dbt process of its own costs about ten
    seconds before any work (imports, reading and writing the manifest): a monthly delivery runs dbt
    four times, for a few seconds of work in two of them."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._manifest: Any = None

    def invoke(self, args: list[str], events: _EventLog | None = None) -> Any:
        """dbt ``args`` with the transformer's connection; dbt's result (success, result, exception)."""
        from dbt.cli.main import dbtRunner

        s = get_settings()
        env = db.dbt_env(s)
        common = ["--project-dir", str(s.project_root), "--profiles-dir", str(s.project_root),
                  "--log-level", "none", "--no-use-colors"]
        callbacks = [] if events is None else [lambda e: events(
            e.info.name, e.info.level, e.info.msg, getattr(e.data, "index", None), getattr(e.data, "total", None))]
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            key = (str(s.project_root), tuple(sorted(env.items())), _project_stamp(s.project_root))
            if key != self._key or self._manifest is None:
                self._key, self._manifest = None, None
                parsed = dbtRunner().invoke(["parse", *common])
                if not parsed.success:
                    raise BuildFailed(f"dbt parse failed: {parsed.exception or 'see logs/dbt.log'}")
                self._key, self._manifest = key, parsed.result
            r = dbtRunner(manifest=self._manifest, callbacks=callbacks).invoke([*args, *common])
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        if isinstance(r.exception, KeyboardInterrupt):
            raise r.exception
        return r


_dbt_here = _InProcess()


def dbt_in_process(args: list[str]) -> Any:
    """dbt ``args`` in this process, its output not shown (logs/dbt.log keeps it); dbt's result, never
    raising for a failed command."""
    return _dbt_here.invoke(args)


def dbt_with_progress(args: list[str]) -> None:
    """Run dbt in this process: a progress step per finished node, its other lines logged at their
    level; BuildFailed with dbt's error lines when it fails."""
    with Progress(f"dbt {args[0]}", unit="node") as progress:
        events = _EventLog(progress)
        r = _dbt_here.invoke(args, events)
    if not r.success:
        detail = "\n".join(events.errors)[-4000:] or (str(r.exception) if r.exception else "")
        raise BuildFailed(f"dbt {' '.join(args)} failed{': ' + detail if detail else ''}")


def build(select: list[str] | None = None, full_refresh: bool = False, state: Path | None = None,
          unit_tests: bool = True, variables: dict[str, Any] | None = None) -> None:
    """``dbt build --fail-fast`` (seeds, snapshots, models and their tests), of ``select`` or everything;
    ``state``: the recorded artifacts that state selectors (``state:modified``, ``source_status``) compare with;
    ``unit_tests`` False leaves out dbt's unit tests (fixed input rows, no warehouse data: their result
    changes with the code only), while every data test of the selection runs; ``variables``: dbt vars
    of this build (``--vars``)."""
    ensure_ready()
    args = ["build", "--fail-fast"]
    if select:
        args += ["--select", *select]
    if state is not None:
        args += ["--state", str(state)]
    if full_refresh:
        args.append("--full-refresh")
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if variables:
        args += ["--vars", json.dumps(variables)]
    dbt_with_progress(args)
