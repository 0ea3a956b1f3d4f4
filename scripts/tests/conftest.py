"""Shared fixtures. Every test session works in databases of its own on the project's server:

- the *built* warehouse (``built_warehouse``): the generated demo province imported and built with
  dbt, shared read-only by the modules that ask for it (modules that change data clone it);
- a *sandbox* per module that asks for ``warehouse`` but not for the built warehouse, so tests that
  import odd files never leak into the demo province.

``INNOPOINTS_DB_NAME`` always names the database of the module that is running, so the library's
own functions (import, dbt, publish …) act on the right one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from innopoints import cluster, db
from innopoints.config import Settings, get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SESSION_DB = f"innopoints_test_{uuid.uuid4().hex[:10]}"


def _use(name: str | None) -> None:
    if name is None:
        os.environ.pop("INNOPOINTS_DB_NAME", None)
    else:
        os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()


def _drop(name: str) -> None:
    if os.environ.get("INNOPOINTS_KEEP_TEST_DB"):
        print(f"kept test database {name}")
    else:
        db.drop_database(name)


@pytest.fixture(scope="session")
def _server() -> Iterator[None]:
    """The project's PostgreSQL, started if needed; the caller's database selection restored after."""
    old = os.environ.get("INNOPOINTS_DB_NAME")
    cluster.start()
    yield
    _use(old)


@pytest.fixture(scope="module", autouse=True)
def _module_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """A fresh sandbox database for a module that uses ``warehouse`` without the built warehouse."""
    items = [i for i in request.session.items if getattr(i, "module", None) is request.module]
    wants = {name for i in items for name in getattr(i, "fixturenames", ())}
    if "warehouse" not in wants or "built_warehouse" in wants:
        yield
        return
    request.getfixturevalue("_server")
    old = os.environ.get("INNOPOINTS_DB_NAME")
    name = f"{SESSION_DB}_{request.module.__name__.rsplit('.', 1)[-1][:20]}"
    _use(name)
    db.ensure_database()
    try:
        yield
    finally:
        _use(old)
        _drop(name)


@pytest.fixture()
def warehouse(_server: None) -> Settings:
    """The bootstrapped database of the running module (its sandbox, or the built warehouse)."""
    if "INNOPOINTS_DB_NAME" not in os.environ:
        _use(SESSION_DB)
    db.ensure_database()
    return get_settings()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated province (same seed every run)."""
    from innopoints.generator import generate

    out = tmp_path_factory.mktemp("demo")
    generate(out_dir=out, enterprises=400, years=(2022, 2024), seed=7)
    return out


@pytest.fixture(scope="session")
def built_warehouse(_server: None, demo_dir: Path) -> Iterator[Settings]:
    """The generated province imported and built with dbt (seeds, snapshots, models and their tests)."""
    from innopoints.commands.dbt_cmd import build
    from innopoints.importer import import_path

    old = os.environ.get("INNOPOINTS_DB_NAME")
    _use(SESSION_DB)
    db.ensure_database()
    report = import_path(demo_dir)
    assert report.files_refused == 0, report.summary()
    build()
    settings = get_settings()
    try:
        yield settings
    finally:
        _use(old)
        _drop(SESSION_DB)


@pytest.fixture()
def admin_conn(warehouse: Settings):
    with db.connect("admin", warehouse, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def superset_site(built_warehouse: Settings) -> Iterator[Any]:
    """Superset provisioned once per session against the built demo warehouse (shared across modules)."""
    from innopoints.superset.testing import provision_site

    yield from provision_site(built_warehouse)


def publish_final(scheme: str, year: int) -> Any:
    """The cycle as the tests need it: a publicity list whose five-day period closed ten days ago (the
    same list again while the scores are unchanged), then the final list resting on it."""
    from datetime import timedelta

    from innopoints.publication.publish import publicize, publish, today_beijing

    publicize(scheme, year, 5, today_beijing() - timedelta(days=10))
    return publish(scheme, year)
