"""Shared fixtures: every test session works in a database of its own on the project's server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from innopoints import cluster, db
from innopoints.config import Settings, get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def warehouse() -> Iterator[Settings]:
    """A fresh, bootstrapped warehouse database for this test session, dropped at the end."""
    name = f"innopoints_test_{uuid.uuid4().hex[:10]}"
    old = os.environ.get("INNOPOINTS_DB_NAME")
    os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()
    cluster.start()
    db.ensure_database()
    s = get_settings()
    try:
        yield s
    finally:
        if os.environ.get("INNOPOINTS_KEEP_TEST_DB"):
            print(f"kept test database {name}")
        else:
            db.drop_database(name)
        if old is None:
            os.environ.pop("INNOPOINTS_DB_NAME", None)
        else:
            os.environ["INNOPOINTS_DB_NAME"] = old
        reset_settings()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated province (same seed every run)."""
    from innopoints.generator import generate

    out = tmp_path_factory.mktemp("demo")
    generate(out_dir=out, enterprises=400, years=(2022, 2024), seed=7)
    return out


@pytest.fixture(scope="session")
def built_warehouse(warehouse: Settings, demo_dir: Path) -> Settings:
    """The generated province imported and built with dbt (seeds, snapshots, models, tests)."""
    from innopoints.commands.dbt_cmd import build
    from innopoints.importer import import_path

    report = import_path(demo_dir)
    assert report.files_refused == 0, report.summary()
    build()
    return warehouse


@pytest.fixture()
def admin_conn(warehouse: Settings):
    with db.connect("admin", warehouse, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
