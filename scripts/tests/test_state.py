"""State under .state/ survives concurrency and crashes, and the database the user names is the one
used. Every test drives the real `innopoints` command in subprocesses against a real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from innopoints import cluster, db
from innopoints.config import Settings, get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "innopoints"
LOOPS = 8


def _env(**extra: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("INNOPOINTS_DB_NAME", "INNOPOINTS_DATABASE_URL")}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def _run(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _loop(env: dict[str, str]) -> list[str]:
    """LOOPS rounds of the commands every other command starts with; the failures, if any."""
    failures = []
    for _ in range(LOOPS):
        for args in (("db", "start"), ("db", "url"), ("db", "status")):
            r = _run(*args, env=env)
            if r.returncode != 0:
                failures.append(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[-300:]}")
    return failures


@pytest.fixture()
def scratch_db(_server: None) -> Iterator[str]:
    name = f"innopoints_state_{uuid.uuid4().hex[:8]}"
    yield name
    db.drop_database(name)


def test_two_processes_in_a_tight_loop_on_one_checkout(scratch_db: str) -> None:
    env = _env(INNOPOINTS_DB_NAME=scratch_db)
    port_file = get_settings().pg_dir / "port"
    before = port_file.read_text()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(_loop, [env, env]))
    assert results == [[], []], results
    assert port_file.read_text() == before
    assert oct(port_file.stat().st_mode & 0o777) == "0o600"


def _write_many(path: str, n: int) -> None:
    from innopoints import statefile

    for i in range(n):
        statefile.write_text(Path(path), f"{55432 + i % 2}\n")


def test_a_reader_never_sees_a_state_file_half_written(tmp_path: Path) -> None:
    """The writer every state file goes through, against a reader in another process, thousands of
    times: the reader sees the old content or the new, never an empty or partial file."""
    import multiprocessing

    from innopoints import statefile

    path = tmp_path / "port"
    statefile.write_text(path, "55432\n")
    writer = multiprocessing.get_context("spawn").Process(target=_write_many, args=(str(path), 3000))
    writer.start()
    seen: set[str | None] = set()
    while writer.is_alive():
        seen.add(statefile.read_text(path))
    writer.join()
    assert writer.exitcode == 0
    assert seen <= {"55432\n", "55433\n"}, seen
    assert not list(tmp_path.glob(".port.*"))  # no temporary file left behind


def test_an_empty_port_file_is_recovered_from_the_cluster_config(scratch_db: str) -> None:
    port_file = get_settings().pg_dir / "port"
    before = port_file.read_text()
    try:
        port_file.write_text("")  # what a reader saw when a writer truncated it under load
        r = _run("db", "status", env=_env(INNOPOINTS_DB_NAME=scratch_db))
        assert r.returncode == 0 and "running" in r.stdout, r.stdout + r.stderr
        assert port_file.read_text().strip() == before.strip()
        port_file.write_text("garbage\n")
        r = _run("db", "start", env=_env(INNOPOINTS_DB_NAME=scratch_db))
        assert r.returncode == 0, r.stderr
        assert port_file.read_text().strip() == before.strip()
    finally:
        if port_file.read_text() != before:
            port_file.write_text(before)


def test_a_damaged_secrets_file_is_reported_with_the_fix(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "secrets.json").write_text("")
    r = _run("db", "url", env=_env(INNOPOINTS_STATE_DIR=str(state)))
    assert r.returncode == 6, r.stdout + r.stderr
    assert "secrets.json is damaged" in r.stderr and "make clean" in r.stderr
    assert (state / "secrets.json").read_text() == ""  # the only copy of the passwords is not overwritten


def test_fresh_checkouts_started_together(tmp_path: Path) -> None:
    """Two commands start one fresh checkout at once (one initdb, one password), while a second fresh
    checkout starts beside it: each ends on a port of its own."""
    states = [tmp_path / "a", tmp_path / "b"]
    envs = [_env(INNOPOINTS_STATE_DIR=str(s), INNOPOINTS_PG_PORT=None) for s in states]
    try:
        with ThreadPoolExecutor(3) as pool:
            runs = list(pool.map(lambda e: _run("db", "start", env=e), [envs[0], envs[0], envs[1]]))
        failed = [f"exit {r.returncode}:\n{r.stderr}" for r in runs if r.returncode != 0]
        if failed:  # whole, with the server log's tail: an assertion's repr would cut it in the middle
            pytest.fail("\n---\n".join(failed), pytrace=False)
        ports = [int((s / "pg" / "port").read_text()) for s in states]
        assert ports[0] != ports[1]
        for s, port in zip(states, ports, strict=True):
            sec = (s / "secrets.json").read_text()
            assert oct((s / "secrets.json").stat().st_mode & 0o777) == "0o600"
            assert sec.count("admin_password") == 1
            r = _run("db", "status", env=_env(INNOPOINTS_STATE_DIR=str(s)))
            assert r.returncode == 0 and f":{port}:" in r.stdout, r.stdout + r.stderr
    finally:
        for e in envs:
            subprocess.run([str(EXE.parent / "python"), "-c", "from innopoints import cluster; cluster.destroy()"],
                           env=e, check=False, capture_output=True, timeout=120)


def test_a_new_checkout_where_a_removed_one_was(tmp_path: Path) -> None:
    """A checkout is deleted without `make clean` and a new one is cloned to the same path (as CI does):
    the new checkout has new secrets, so the cluster the old one left (outside the checkout when run
    as root) cannot be logged in to. The new checkout must start, whether the leftover server was
    stopped or is still running, and a cluster that is its own must survive a lost pointer."""
    import shutil

    state = tmp_path / "checkout" / ".state"
    env = _env(INNOPOINTS_STATE_DIR=str(state), INNOPOINTS_PG_PORT=None)
    try:
        r = _run("db", "start", env=env)
        assert r.returncode == 0, r.stderr
        assert _run("db", "stop", env=env).returncode == 0
        shutil.rmtree(state)  # the old checkout is gone; its server was stopped
        r = _run("db", "start", env=env)
        assert r.returncode == 0, r.stderr
        shutil.rmtree(state)  # gone again, this time with its server still running
        r = _run("db", "start", env=env)
        assert r.returncode == 0, r.stderr
        first_secret = (state / "secrets.json").read_text()
        (state / "pg" / "server_dir").unlink()  # only the pointer is lost: the cluster is kept
        r = _run("db", "status", env=env)
        assert r.returncode == 0, r.stderr
        assert "removing" not in r.stderr and (state / "secrets.json").read_text() == first_secret
    finally:
        subprocess.run([str(EXE.parent / "python"), "-c", "from innopoints import cluster; cluster.destroy()"],
                       env=env, check=False, capture_output=True, timeout=120)


# --- INNOPOINTS_DATABASE_URL names the warehouse database -------------------------------------------

def _external_url(name: str) -> str:
    info = cluster.server_info()
    return f"postgresql://{info.admin_user}:{info.admin_password}@{info.host}:{info.port}/{name}"


def _admin(query: str, *params: object) -> list[tuple]:
    info = cluster.server_info()
    with psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                         dbname="postgres", autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def test_the_database_the_url_names_is_created_and_used(scratch_db: str) -> None:
    env = _env(INNOPOINTS_DATABASE_URL=_external_url(scratch_db))
    r = _run("db", "start", env=env)
    assert r.returncode == 0, r.stderr
    assert f"database {scratch_db} ready" in r.stdout
    assert _admin("select datcollate, pg_encoding_to_char(encoding) from pg_database where datname = %s",
                  scratch_db) == [("C", "UTF8")]
    info = cluster.server_info()
    with psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                         dbname=scratch_db) as conn:
        assert conn.execute("select to_regclass('raw.registry') is not null").fetchone()[0]
    r = _run("db", "url", "--role", "innopoints_reporter", env=env)
    assert r.returncode == 0 and r.stdout.strip().endswith(f"/{scratch_db}"), r.stdout + r.stderr
    # in this process too (another module may have named a database with INNOPOINTS_DB_NAME, which wins)
    url = _external_url(scratch_db)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("INNOPOINTS_DB_NAME", raising=False)
        mp.setenv("INNOPOINTS_DATABASE_URL", url)
        reset_settings()
        s: Settings = get_settings()
        assert s.db_name == scratch_db and cluster.mode(s) == "external"
    reset_settings()


def test_a_database_the_warehouse_cannot_live_in_is_refused(scratch_db: str) -> None:
    _admin(f"create database {scratch_db} encoding 'SQL_ASCII' lc_collate 'C' lc_ctype 'C' template template0")
    r = _run("db", "start", env=_env(INNOPOINTS_DATABASE_URL=_external_url(scratch_db)))
    assert r.returncode == 4, r.stdout + r.stderr
    assert "encoding SQL_ASCII" in r.stderr and "UTF8" in r.stderr and "createdb" in r.stderr
    info = cluster.server_info()
    with psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                         dbname=scratch_db) as conn:
        assert conn.execute("select to_regnamespace('raw') is null").fetchone()[0]  # nothing was written
    r = _run("db", "start", env=_env(INNOPOINTS_DATABASE_URL=_external_url("postgres")))
    assert r.returncode == 4 and "a database of its own" in r.stderr, r.stdout + r.stderr
