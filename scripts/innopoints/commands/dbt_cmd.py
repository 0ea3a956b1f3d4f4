"""`innopoints dbt ...` and `innopoints build`: dbt with the profile taken from our configuration."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from innopoints import db
from innopoints.commands.db_cmd import ensure_ready
from innopoints.config import get_settings


def dbt(args: list[str], check: bool = True, capture: bool = False) -> subprocess.CompletedProcess[str]:
    """Run dbt as the transformer role in the project directory."""
    s = get_settings()
    env = {**os.environ, **db.dbt_env(s)}
    exe = s.venv_bin / "dbt"
    cmd = [str(exe) if exe.exists() else "dbt", *args]
    r = subprocess.run(cmd, cwd=s.project_root, env=env, text=True, capture_output=capture)
    if check and r.returncode != 0:
        out = (r.stdout or "")[-4000:] if capture else _failed_nodes(s.project_root / "target" / "run_results.json")
        raise RuntimeError(f"dbt {' '.join(args)} failed (exit {r.returncode}){': ' + out if out else ''}")
    return r


def _failed_nodes(run_results: os.PathLike[str]) -> str:
    """The nodes of dbt's last run that failed or erred, one line each with dbt's message, so that a
    failure names its cause even where dbt's own output scrolled away."""
    try:
        with open(run_results, encoding="utf-8") as f:
            results = json.load(f).get("results", [])
    except (OSError, ValueError):
        return ""
    bad = [f"{x.get('unique_id')}: {x.get('status')}: {(x.get('message') or '').strip()[:400]}"
           for x in results if x.get("status") in ("error", "fail", "runtime error")]
    return "\n".join(bad)


def build(select: list[str] | None = None, full_refresh: bool = False) -> None:
    ensure_ready()
    args = ["build", "--fail-fast"]
    if select:
        args += ["--select", *select]
    if full_refresh:
        args.append("--full-refresh")
    dbt(args)


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


if __name__ == "__main__":
    sys.exit(dbt(sys.argv[1:], check=False).returncode)
