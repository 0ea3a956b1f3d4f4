"""Files that hold secrets or personal data are readable by their owner only: the state folder and its
secrets, Superset's home (metadata database, logs, admin and user passwords, pid), generated demo data,
and what the shared helpers write (push files use ``statefile.write_bytes``; a real push is checked in
test_push). Every test runs with umask 000, so a private mode comes from the code, not the shell."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from innopoints import statefile
from innopoints.config import get_settings, reset_settings
from innopoints.generator import generate
from innopoints.secrets import get_or_create
from innopoints.superset.env import ensure_home, get_env, make_home_private, write_private_json


@pytest.fixture(autouse=True)
def _open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _open_bits(root: Path) -> list[str]:
    """Every path at or below ``root`` that its group or others may read, write or enter."""
    paths = [root, *root.rglob("*")]
    return [f"{p} {stat.S_IMODE(p.lstat().st_mode):o}" for p in paths if p.lstat().st_mode & 0o077]


def test_state_folder_and_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "checkout" / ".state"
    monkeypatch.setenv("INNOPOINTS_STATE_DIR", str(state))
    reset_settings()
    try:
        s = get_settings()
        assert get_or_create(s, "roles", "someone")
        statefile.write_text(s.pg_dir / "port", "55432\n")
        with statefile.locked(s.pg_dir / ".start.lock"):
            pass
    finally:
        monkeypatch.undo()
        reset_settings()
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert (state / "secrets.json").exists() and (state / "pg" / "port").exists()
    assert _open_bits(state) == []
    assert stat.S_IMODE((tmp_path / "checkout").stat().st_mode) == 0o700  # a missing parent, made private too


def test_write_bytes_is_atomic_and_private(tmp_path: Path) -> None:
    target = tmp_path / "out" / "push00001_BANK.xlsx"
    statefile.write_bytes(target, b"one")
    statefile.write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left
    assert _open_bits(tmp_path / "out") == []


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    statefile.ensure_private_dir(shared / "mine")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # e.g. a server's data below it
    assert stat.S_IMODE((shared / "mine").stat().st_mode) == 0o700


def test_generated_data(tmp_path: Path) -> None:
    out = tmp_path / "demo" / "province"
    generate(out_dir=out, enterprises=30, years=(2023, 2024), seed=3, bad_rows=0.05)
    names = {p.name for p in out.iterdir()}
    assert {"manifest.json", "bad_rows.jsonl", "BAD_ROWS.md"} <= names
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".csv") for n in names)
    assert _open_bits(tmp_path / "demo") == []
    # generated again into the same folder: files an older version left readable are made private
    for p in out.iterdir():
        p.chmod(0o644)
    generate(out_dir=out, enterprises=30, years=(2023, 2024), seed=3, bad_rows=0.05)
    assert _open_bits(out) == []


def test_superset_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "state" / "superset"
    monkeypatch.setenv("INNOPOINTS_SUPERSET_HOME", str(home))
    env = get_env()
    assert env.home == home.resolve()
    ensure_home(env)  # what `superset setup`, the CLI and the server do first
    write_private_json(env.admin_file, {"username": "admin", "password": "x"})
    write_private_json(env.users_file, {"innopoints_viewer": "y"})
    statefile.write_text(env.pid_file, "12345\n")
    with statefile.open_private(env.log_file, "ab") as log:  # the server's log, as serve.start opens it
        log.write(b"started\n")
    # a child started like the superset CLI and gunicorn (umask 077) creates its files private
    child = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text('metadata')"
    subprocess.run([sys.executable, "-c", child, str(env.home / "superset.db")], check=True,
                   preexec_fn=statefile.private_umask)
    assert _open_bits(tmp_path / "state") == [], _open_bits(tmp_path / "state")
    for p in (env.admin_file, env.users_file, env.pid_file, env.log_file, env.home / "superset.db"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert json.loads(env.admin_file.read_text())["username"] == "admin"


def test_superset_home_left_open_by_an_older_version_is_made_private(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "superset"
    (home / "logs").mkdir(parents=True, mode=0o755)
    (home / "cache" / "meta").mkdir(parents=True, mode=0o755)
    for name in ("superset.db", "logs/superset.log", "admin.json", "users.json", "superset.pid", "cache/meta/k"):
        (home / name).write_text("x")
        (home / name).chmod(0o644)
    home.chmod(0o755)
    monkeypatch.setenv("INNOPOINTS_SUPERSET_HOME", str(home))
    make_home_private(get_env())  # what `superset setup` and `superset serve` do first
    assert _open_bits(home) == []
