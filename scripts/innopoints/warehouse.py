"""The warehouse as every command needs it: the server started and bootstrapped (``ensure_ready``),
and dbt run in the project directory as the transformer role (``dbt``, ``build`` with progress)."""

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


def _event(line: str) -> dict[str, Any] | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def dbt_with_progress(args: list[str]) -> None:
    """Run dbt reading its JSON log: a progress step per finished node, its other lines logged at their
    level; BuildFailed with dbt's error lines when it fails."""
    errors: list[str] = []
    cmd, env, cwd = _command([*args, "--log-format", "json", "--no-use-colors"])
    with subprocess.Popen(cmd, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          bufsize=1) as proc, Progress(f"dbt {args[0]}", unit="node") as progress:
        assert proc.stdout is not None
        for line in proc.stdout:
            event = _event(line)
            if event is None:
                if line.strip():
                    log.info(line.rstrip())
                continue
            info, data = event.get("info") or {}, event.get("data") or {}
            msg = str(info.get("msg") or "")
            level = _LEVELS.get(str(info.get("level")), logging.INFO)
            if info.get("name") in _NODE_RESULTS and "index" in data:
                progress.update(int(data["index"]), total=int(data.get("total") or 0) or None, note=msg)
                if level >= logging.ERROR:
                    log.error(msg)
            elif info.get("name") == "LogStartLine":
                log.debug(msg)
            elif msg:
                log.log(level, msg)
            if level >= logging.ERROR and msg:
                errors.append(msg)
    if proc.returncode != 0:
        detail = "\n".join(errors)[-4000:]
        raise BuildFailed(f"dbt {' '.join(args)} failed (exit {proc.returncode}){': ' + detail if detail else ''}")


def build(select: list[str] | None = None, full_refresh: bool = False, state: Path | None = None) -> None:
    """``dbt build --fail-fast`` (seeds, snapshots, models and their tests), of ``select`` or everything;
    ``state``: the recorded artifacts that state selectors (``state:modified``, ``source_status``) compare with."""
    ensure_ready()
    args = ["build", "--fail-fast"]
    if select:
        args += ["--select", *select]
    if state is not None:
        args += ["--state", str(state)]
    if full_refresh:
        args.append("--full-refresh")
    dbt_with_progress(args)
