"""Where Superset lives: its venv, config, state directory, URL, and how to run its CLI."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from innopoints import statefile
from innopoints.config import get_settings
from innopoints.errors import ServiceError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8088
DATABASE_NAME = "innopoints"  # the Superset database (connection) name
DATABASE_UUID = "6f1c5b0e-2d6a-4c59-9a55-1f0a7d6b2a01"  # stable, matches assets/databases/innopoints.yaml


class SupersetError(ServiceError):
    """A Superset step failed; the message says what to do next."""


@dataclass(frozen=True)
class SupersetEnv:
    project_root: Path
    home: Path  # .state/superset: secret key, metadata DB, caches, pid, logs, admin.json
    venv: Path
    host: str
    port: int

    @property
    def config_path(self) -> Path:
        return self.project_root / "superset" / "superset_config.py"

    @property
    def assets_dir(self) -> Path:
        return self.project_root / "superset" / "assets"

    @property
    def superset_bin(self) -> Path:
        return self.venv / "bin" / "superset"

    @property
    def gunicorn_bin(self) -> Path:
        return self.venv / "bin" / "gunicorn"

    @property
    def pid_file(self) -> Path:
        return self.home / "superset.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "superset.log"

    @property
    def admin_file(self) -> Path:
        return self.home / "admin.json"

    @property
    def users_file(self) -> Path:
        return self.home / "users.json"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def process_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "SUPERSET_CONFIG_PATH": str(self.config_path),
                "FLASK_APP": "superset",
                "INNOPOINTS_SUPERSET_HOME": str(self.home),
                "INNOPOINTS_SUPERSET_PORT": str(self.port),
                "PYTHONUNBUFFERED": "1",
            }
        )
        # Superset must never see the project's venv on PATH first.
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.pop("VIRTUAL_ENV", None)
        env.pop("PYTHONPATH", None)
        return env


def get_env() -> SupersetEnv:
    s = get_settings()
    home = Path(os.environ.get("INNOPOINTS_SUPERSET_HOME", s.state_dir / "superset")).resolve()
    venv = Path(os.environ.get("INNOPOINTS_SUPERSET_VENV", s.project_root / ".venv-superset"))
    return SupersetEnv(
        project_root=s.project_root,
        home=home,
        venv=venv,
        host=os.environ.get("INNOPOINTS_SUPERSET_HOST", DEFAULT_HOST),
        port=int(os.environ.get("INNOPOINTS_SUPERSET_PORT", str(DEFAULT_PORT))),
    )


def require_venv(env: SupersetEnv) -> None:
    if not env.superset_bin.exists():
        raise SupersetError(
            f"Superset is not installed in {env.venv}: run `make superset-env` "
            "(creates it from requirements/superset.lock)"
        )


def ensure_home(env: SupersetEnv) -> Path:
    """The Superset home and its log folder, readable by the owner only (0700): they hold the metadata
    database (users, password hashes, the warehouse connection), the secret key, logs and passwords."""
    statefile.ensure_private_dir(env.home)
    statefile.ensure_private_dir(env.log_file.parent)
    return env.home


def make_home_private(env: SupersetEnv) -> None:
    """``ensure_home``, and take group/other bits off everything already in the home (folders 0700,
    files 0600): what an older version, or Superset itself, created with the default mode."""
    ensure_home(env)
    statefile.make_private(env.home)


def run_cli(env: SupersetEnv, *args: str, check: bool = True, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `superset <args>` in its own venv with the project's config; what it creates (the metadata
    database, caches) is for the owner only (umask 077)."""
    require_venv(env)
    ensure_home(env)
    proc = subprocess.run(
        [str(env.superset_bin), *args],
        env=env.process_env(),
        cwd=env.project_root,
        capture_output=quiet,
        text=True,
        check=False,
        preexec_fn=statefile.private_umask,
    )
    if check and proc.returncode != 0:
        tail = "\n".join(((proc.stdout or "") + (proc.stderr or "")).splitlines()[-25:])
        raise SupersetError(f"`superset {' '.join(args)}` failed (exit {proc.returncode}):\n{tail}")
    return proc


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write a JSON file readable by the owner only (mode 600), atomically, only when it changes."""
    statefile.write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict):
        raise SupersetError(f"{path} is not a JSON object: delete it and rerun `innopoints superset setup`")
    return data
