"""The command line an officer types: short role names and a libpq URL psql accepts, and an unknown
command that names the nearest one. Runs the real `innopoints` command against a sandbox database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from innopoints import db
from innopoints.commands.db_cmd import format_libpq
from innopoints.config import Settings
from psycopg import sql

PSQL = "/usr/bin/psql"


def _innopoints(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "innopoints.cli", *args], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)


def _psql(url: str, query: str) -> str:
    done = subprocess.run([PSQL, url, "-Atc", query], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("short", ["reporter", "loader", "transformer", "publisher", "admin"])
def test_db_url_short_role_names_work_with_psql(warehouse: Settings, short: str) -> None:
    full = db.conn_params("admin", warehouse)["user"] if short == "admin" else f"innopoints_{short}"
    done = _innopoints("db", "url", "--role", short, "--format", "libpq")
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith("postgresql://") and "+psycopg" not in url
    assert _psql(url, "select current_user || ' ' || current_database()") == f"{full} {warehouse.db_name}"


def test_db_url_full_role_name_and_sqlalchemy_default(warehouse: Settings) -> None:
    short = _innopoints("db", "url", "--role", "reporter")
    full = _innopoints("db", "url", "--role", "innopoints_reporter")
    assert short.returncode == 0 and full.returncode == 0, short.stderr + full.stderr
    assert short.stdout == full.stdout
    assert short.stdout.startswith("postgresql+psycopg://innopoints_reporter:")
    assert _innopoints("db", "url", "--libpq", "--role", "reporter").stdout.startswith("postgresql://")
    bad = _innopoints("db", "url", "--role", "owner")
    assert bad.returncode == 2 and "reporter" in bad.stderr


def test_libpq_url_escapes_user_and_password(warehouse: Settings, admin_conn) -> None:
    """A role whose name and password hold every character a URL reserves still logs in with psql."""
    role = f"innopoints test@{uuid.uuid4().hex[:6]}/:%"
    password = "p@ss:w/rd%?#&= 密码"
    admin_conn.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(role),
                                                                         sql.Literal(password)))
    try:
        admin_conn.execute(sql.SQL("grant connect on database {} to {}").format(
            sql.Identifier(warehouse.db_name), sql.Identifier(role)))
        params = {**db.conn_params("admin", warehouse), "user": role, "password": password}
        assert _psql(format_libpq(params), "select current_user") == role
    finally:
        admin_conn.execute(sql.SQL("revoke connect on database {} from {}").format(
            sql.Identifier(warehouse.db_name), sql.Identifier(role)))
        admin_conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def test_unknown_command_names_the_nearest() -> None:
    done = _innopoints("expalin", "91210100000000000X")
    assert done.returncode == 2
    assert "innopoints explain" in done.stderr and "expalin" in done.stderr
    done = _innopoints("imprt", "data")
    assert done.returncode == 2 and "innopoints import" in done.stderr
    nothing_near = _innopoints("zzzzzz")
    assert nothing_near.returncode == 2 and "explain" in nothing_near.stderr  # the list of all commands
