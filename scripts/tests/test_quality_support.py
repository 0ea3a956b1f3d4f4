"""Helpers for the quality-gate, publication, push and pipeline tests (no tests here).

These tests change data (corrupt deliveries, revoke consents, change weights, publish), so each
module works on a private copy of the session's built warehouse: a database cloned from it with
CREATE DATABASE ... TEMPLATE (seconds), or, when the template is busy, bootstrapped, imported and
built afresh. The shared ``built_warehouse`` stays as the other modules expect it.
"""

from __future__ import annotations

import csv
import io
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from innopoints import cluster, db
from innopoints.config import Settings, get_settings, reset_settings
from psycopg import sql


def _admin_maintenance() -> psycopg.Connection:
    info = cluster.server_info()
    return psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                           dbname=info.maintenance_db, autocommit=True)


def _switch(name: str | None) -> None:
    if name is None:
        os.environ.pop("INNOPOINTS_DB_NAME", None)
    else:
        os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()


def private_copy(built: Settings, demo_dir: Path) -> Iterator[Settings]:
    """Generator for a module fixture: a private clone of the built warehouse, dropped afterwards."""
    src = built.db_name
    dst = f"{src}_p{uuid.uuid4().hex[:6]}"
    old = os.environ.get("INNOPOINTS_DB_NAME")
    cloned = False
    with _admin_maintenance() as conn:
        for _ in range(20):
            try:
                conn.execute(sql.SQL("create database {} template {}").format(sql.Identifier(dst),
                                                                             sql.Identifier(src)))
                cloned = True
                break
            except psycopg.errors.ObjectInUse:
                time.sleep(0.5)
    _switch(dst)
    try:
        if not cloned:
            from innopoints.importer import import_path
            from innopoints.warehouse import build

            db.ensure_database()
            report = import_path(demo_dir)
            assert report.files_refused == 0, report.summary()
            build()
        db.ensure_database()  # grants and functions of the current bootstrap files
        yield get_settings()
    finally:
        _switch(old)
        if not os.environ.get("INNOPOINTS_KEEP_TEST_DB"):
            db.drop_database(dst)


def admin(sql_text: str, params: Any = None) -> list[tuple[Any, ...]]:
    with db.connect("admin", autocommit=True) as conn:
        cur = conn.execute(sql_text, params)
        return cur.fetchall() if cur.description else []


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """A delivery file (any encoding the generator writes) as header + rows."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


def import_file(path: Path) -> Any:
    from innopoints.importer import import_path

    report = import_path(path)
    assert report.files_refused == 0, report.summary()
    return report


def rebuild_models() -> None:
    """dbt build without re-seeding (keeps seed edits made in the database by a test)."""
    from innopoints.warehouse import dbt

    dbt(["build", "--exclude", "resource_type:seed", "--fail-fast"])
