"""Where the project lives and how it is configured: one place, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def _find_root() -> Path:
    env = os.environ.get("INNOPOINTS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "dbt_project.yml").exists():
            return parent
    return Path.cwd().resolve()


DEFAULT_DB_NAME = "innopoints"


def _url_database(url: str | None) -> str | None:
    """The database an INNOPOINTS_DATABASE_URL names (postgresql://user:pw@host:port/NAME), if any."""
    if not url:
        return None
    from urllib.parse import unquote, urlsplit

    name = unquote(urlsplit(url).path.lstrip("/"))
    return name or None


@dataclass(frozen=True)
class Settings:
    project_root: Path
    state_dir: Path
    database_url: str | None  # INNOPOINTS_DATABASE_URL: an external PostgreSQL (admin rights)
    db_name: str  # the warehouse database: INNOPOINTS_DB_NAME, else the URL's database, else innopoints
    pg_port: int

    @property
    def pg_dir(self) -> Path:
        return self.state_dir / "pg"

    @property
    def secrets_file(self) -> Path:
        return self.state_dir / "secrets.json"

    @property
    def venv_bin(self) -> Path:
        return self.project_root / ".venv" / "bin"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    root = _find_root()
    state = Path(os.environ.get("INNOPOINTS_STATE_DIR", root / ".state")).resolve()
    url = os.environ.get("INNOPOINTS_DATABASE_URL") or None
    return Settings(
        project_root=root,
        state_dir=state,
        database_url=url,
        db_name=os.environ.get("INNOPOINTS_DB_NAME") or _url_database(url) or DEFAULT_DB_NAME,
        pg_port=int(os.environ.get("INNOPOINTS_PG_PORT", "55432")),
    )


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()


def use_database(name: str) -> Callable[[], None]:
    """Point the settings at database ``name`` (INNOPOINTS_DB_NAME), as a benchmark's scratch database;
    returns the function that restores the previous choice."""
    old = os.environ.get("INNOPOINTS_DB_NAME")
    os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()

    def restore() -> None:
        if old is None:
            os.environ.pop("INNOPOINTS_DB_NAME", None)
        else:
            os.environ["INNOPOINTS_DB_NAME"] = old
        reset_settings()

    return restore
