"""The warehouse lifecycle and its least-privilege roles, against the real server."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from innopoints import cluster, db
from innopoints.config import Settings
from innopoints.feeds import FEEDS


def test_server_listens_on_loopback_tcp(warehouse: Settings) -> None:
    info = cluster.server_info(warehouse)
    assert info.host == "127.0.0.1"
    with db.connect("admin", warehouse) as conn:
        addr = conn.execute("select inet_server_addr()::text").fetchone()[0]
    assert addr.startswith("127.0.0.1")


def test_schemas_and_raw_tables_exist(admin_conn: psycopg.Connection) -> None:
    schemas = {r[0] for r in admin_conn.execute("select nspname from pg_namespace")}
    assert {"raw", "staging", "intermediate", "marts", "audit"} <= schemas
    tables = {r[0] for r in admin_conn.execute("select tablename from pg_tables where schemaname = 'raw'")}
    assert set(FEEDS) <= tables


def test_bootstrap_is_idempotent(warehouse: Settings) -> None:
    db.ensure_database(warehouse)
    db.ensure_database(warehouse)


def test_reporter_reads_marts_only(warehouse: Settings) -> None:
    with db.connect("admin", warehouse, autocommit=True) as admin:
        admin.execute("create table if not exists marts.t_probe (x int)")
        admin.execute("grant select on marts.t_probe to innopoints_reporter")
    with db.connect(db.REPORTER, warehouse, autocommit=True) as conn:
        conn.execute("select * from marts.t_probe")
        for table in ("raw.registry", "audit.import_batches"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select * from {table}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table marts.t_evil (x int)")


def test_loader_writes_raw_but_not_marts(warehouse: Settings) -> None:
    with db.connect(db.LOADER, warehouse, autocommit=True) as conn:
        conn.execute("select count(*) from raw.torch")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table marts.t_evil (x int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table public.t_evil (x int)")


def test_transformer_reads_raw_but_cannot_write_it(warehouse: Settings) -> None:
    with db.connect(db.TRANSFORMER, warehouse, autocommit=True) as conn:
        conn.execute("select count(*) from raw.torch")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into raw.tsme (uscc, year, registration_no, _batch_id, _line) values ('x', 2024, 'r', 1, 1)"
            )


def test_cli_status_and_url(warehouse: Settings) -> None:
    r = subprocess.run([sys.executable, "-m", "innopoints.cli", "db", "status"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "running" in r.stdout
    r = subprocess.run([sys.executable, "-m", "innopoints.cli", "db", "url", "--role", "innopoints_reporter"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("postgresql+psycopg://innopoints_reporter:")


def test_secrets_file_is_private(warehouse: Settings) -> None:
    mode = warehouse.secrets_file.stat().st_mode & 0o777
    assert mode == 0o600


def test_dbt_profile_connects_as_transformer(warehouse: Settings) -> None:
    from innopoints.warehouse import dbt

    r = dbt(["debug"], check=False, capture=True)
    assert r.returncode == 0, r.stdout[-2000:]
    assert "innopoints_transformer" in r.stdout


@pytest.mark.skipif(cluster.mode() != "system", reason="needs the system PostgreSQL binaries")
def test_local_cluster_survives_restart(tmp_path, monkeypatch) -> None:
    """A project-local cluster from nothing: initdb, start, write, stop, start again, data still there."""

    from innopoints.config import reset_settings

    state = tmp_path / "state"
    monkeypatch.setenv("INNOPOINTS_STATE_DIR", str(state))
    monkeypatch.delenv("INNOPOINTS_PG_PORT", raising=False)
    monkeypatch.setenv("INNOPOINTS_DB_NAME", "innopoints")
    reset_settings()
    try:
        cluster.start()
        db.ensure_database()
        with db.connect("admin", autocommit=True) as conn:
            conn.execute("create table audit.survives (x int); insert into audit.survives values (42)")
        cluster.stop()
        assert not cluster.status_ok()
        cluster.start()
        with db.connect("admin") as conn:
            assert conn.execute("select x from audit.survives").fetchone()[0] == 42
    finally:
        import shutil

        cluster.stop()
        home = cluster._server_dir(cluster.get_settings())
        if home.is_relative_to("/var/tmp"):
            shutil.rmtree(home, ignore_errors=True)
        reset_settings()
