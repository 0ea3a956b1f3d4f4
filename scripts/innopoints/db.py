"""The warehouse database: roles, schemas, bootstrap DDL and connections.

Roles (least privilege):
- ``innopoints_loader``: writes the raw and audit tables, nothing else;
- ``innopoints_transformer``: reads raw and audit, owns and builds staging, intermediate, marts;
- ``innopoints_reporter``: reads the marts only (dashboards, analysts);
- ``innopoints_publisher``: reads marts and appends publications and bank pushes to audit;
- ``innopoints_gate``: records the data-quality gate's verdict (audit.dq_runs, audit.dq_results), nothing else.

``innopoints_owner`` owns the raw and audit objects. It cannot log in and no role is a member of it, so
no login role can act as the owner (disable the append-only triggers, alter or drop the tables); the
administrator is used for the bootstrap only.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from innopoints import cluster
from innopoints.audiences import READ_ALL, STATEMENT_TIMEOUT, audiences
from innopoints.config import Settings, get_settings
from innopoints.errors import ConfigError
from innopoints.feeds import FEEDS, raw_table_ddl
from innopoints.secrets import get_or_create

LOADER = "innopoints_loader"
TRANSFORMER = "innopoints_transformer"
REPORTER = "innopoints_reporter"
PUBLISHER = "innopoints_publisher"  # appends publications and pushes to audit, reads marts
GATE = "innopoints_gate"  # the only writer of the gate's verdict
ROLES = (LOADER, TRANSFORMER, REPORTER, PUBLISHER, GATE)  # login roles, each with its own password
OWNER = "innopoints_owner"  # owns raw and audit; NOLOGIN, no members
SCHEMAS = ("raw", "audit", "seeds", "snapshots", "staging", "intermediate", "marts")


def role_password(role: str, settings: Settings | None = None) -> str:
    s = settings or get_settings()
    if role == "admin":
        return cluster.server_info(s).admin_password
    return get_or_create(s, "roles", role)


def conn_params(role: str = "admin", settings: Settings | None = None, dbname: str | None = None) -> dict[str, Any]:
    s = settings or get_settings()
    info = cluster.server_info(s)
    user = info.admin_user if role == "admin" else role
    return {
        "host": info.host,
        "port": info.port,
        "user": user,
        "password": role_password(role, s),
        "dbname": dbname or s.db_name,
    }


def url(role: str = "admin", driver: str = "psycopg", settings: Settings | None = None) -> str:
    from sqlalchemy.engine import URL

    p = conn_params(role, settings)
    return URL.create(
        f"postgresql+{driver}", username=p["user"], password=p["password"], host=p["host"],
        port=p["port"], database=p["dbname"],
    ).render_as_string(hide_password=False)


def connect(role: str = "admin", settings: Settings | None = None, **kw: Any) -> psycopg.Connection:
    return psycopg.connect(**conn_params(role, settings, dbname=kw.pop("dbname", None)), **kw)


def _bootstrap_sql() -> list[tuple[str, str]]:
    """(name, sql) of every bootstrap step, in order: files under innopoints/sql/bootstrap plus raw DDL."""
    steps: list[tuple[str, str]] = []
    base = resources.files("innopoints") / "sql" / "bootstrap"
    files = sorted((p for p in base.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    raw_ddl = "\n".join(raw_table_ddl(f) for f in FEEDS.values())
    inserted = False
    for f in files:
        if not inserted and f.name >= "20":
            steps.append(("20_raw_tables (generated from feeds.py)", raw_ddl))
            inserted = True
        steps.append((f.name, f.read_text()))
    if not inserted:
        steps.append(("20_raw_tables (generated from feeds.py)", raw_ddl))
    return steps


BOOTSTRAP_LOCK = 424242  # advisory lock: one bootstrap at a time per server
# collations whose order is the codepoint order the models and tests rely on (C is also the fast one)
CODEPOINT_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8")
RESERVED_DATABASES = ("postgres", "template0", "template1")


def _check_database(conn: psycopg.Connection, name: str) -> None:
    """Refuse a database the warehouse cannot live in, saying why and what to do."""
    if name in RESERVED_DATABASES:
        raise ConfigError(f"the warehouse needs a database of its own, not the server's {name!r}: name one in "
                          "INNOPOINTS_DATABASE_URL (…/innopoints) or INNOPOINTS_DB_NAME; it is created if absent")
    row = conn.execute("select pg_encoding_to_char(encoding), datcollate from pg_database where datname = %s",
                       (name,)).fetchone()
    if row is None:
        return
    encoding, collate = row
    if encoding != "UTF8":
        raise ConfigError(f"database {name!r} has encoding {encoding}; the warehouse stores Chinese text and needs "
                          "UTF8. Name a new database (innopoints creates it) or recreate this one with "
                          f"`createdb -T template0 -E UTF8 -l C {name}`")
    if collate not in CODEPOINT_COLLATIONS:
        raise ConfigError(f"database {name!r} has collation {collate}; the warehouse needs collation C (codepoint "
                          "order for codes and USCCs, and the fast sorts of the scoring build). Name a new "
                          "database (innopoints creates it) or recreate this one with "
                          f"`createdb -T template0 -E UTF8 -l C {name}`")


def ensure_database(settings: Settings | None = None) -> None:
    """Create roles, the database, schemas, raw and audit tables and grants. Idempotent, and safe when
    several commands run it at once (a server-wide advisory lock serialises it)."""
    s = settings or get_settings()
    info = cluster.server_info(s)
    with psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                         dbname=info.maintenance_db, autocommit=True) as admin:
        admin.execute("select pg_advisory_lock(%s)", (BOOTSTRAP_LOCK,))
        _check_database(admin, s.db_name)
        for role in (*ROLES, *(a.role for a in audiences(s.project_root))):
            pw = role_password(role, s)
            exists = admin.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
            verb = "alter" if exists else "create"
            admin.execute(
                sql.SQL(verb + " role {} login password {}").format(sql.Identifier(role), sql.Literal(pw))
            )
        _ensure_owner_role(admin)
        if not admin.execute("select 1 from pg_database where datname = %s", (s.db_name,)).fetchone():
            # collation C: codepoint order as C.UTF-8 gives, but compared with memcmp and abbreviated
            # keys, so the sorts of the large builds (window partitions, index builds) run faster
            try:
                admin.execute(sql.SQL("create database {} encoding 'UTF8' lc_collate 'C' template template0").format(
                    sql.Identifier(s.db_name)))
            except psycopg.errors.InsufficientPrivilege as exc:
                raise ConfigError(f"database {s.db_name!r} does not exist and {info.admin_user} may not create it: "
                                  "create it (`createdb -T template0 -E UTF8 -l C "
                                  f"{s.db_name}`) or give the URL of a user with CREATEDB") from exc
        _bootstrap(s)


def _ensure_owner_role(admin: psycopg.Connection) -> None:
    """The owner of raw and audit: it cannot log in, so only a superuser (or the bootstrap's
    administrator) can act as it."""
    exists = admin.execute("select 1 from pg_roles where rolname = %s", (OWNER,)).fetchone()
    verb = "alter" if exists else "create"
    admin.execute(sql.SQL(verb + " role {} nologin").format(sql.Identifier(OWNER)))


def _bootstrap(s: Settings) -> None:
    with connect("admin", s, autocommit=False) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (BOOTSTRAP_LOCK,))
        conn.execute(sql.SQL("revoke all on database {} from public").format(sql.Identifier(s.db_name)))
        conn.execute(sql.SQL("grant connect on database {} to {}").format(
            sql.Identifier(s.db_name), sql.SQL(", ").join(sql.Identifier(r) for r in ROLES)))
        conn.execute("revoke create on schema public from public")
        for name, text in _bootstrap_sql():
            try:
                conn.execute(text)
            except psycopg.Error as exc:
                raise RuntimeError(f"bootstrap step {name} failed: {exc}") from exc
        _grant_audiences(conn, s)
        conn.commit()


def _grant_audiences(conn: psycopg.Connection, s: Settings) -> None:
    """Each reporting login joins its audience's group, with a statement timeout; access.audiences says
    which city or bank each city and bank login reads."""
    members = [(REPORTER, READ_ALL), *((a.role, a.group) for a in audiences(s.project_root))]
    for login, group in members:
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(login)))
        conn.execute(sql.SQL("alter role {} set statement_timeout = {}").format(
            sql.Identifier(login), sql.Literal(STATEMENT_TIMEOUT)))
        conn.execute(sql.SQL("grant connect on database {} to {}").format(
            sql.Identifier(s.db_name), sql.Identifier(login)))
    conn.execute("delete from access.audiences")
    with conn.cursor() as cur:
        cur.executemany(
            "insert into access.audiences (role_name, audience, city_code, bank_code) values (%s, %s, %s, %s)",
            [(a.role, a.kind, a.code if a.kind == "city" else None, a.code if a.kind == "bank" else None)
             for a in audiences(s.project_root)])


def drop_database(name: str, settings: Settings | None = None) -> None:
    s = settings or get_settings()
    info = cluster.server_info(s)
    with psycopg.connect(host=info.host, port=info.port, user=info.admin_user, password=info.admin_password,
                         dbname=info.maintenance_db, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def dbt_env(settings: Settings | None = None, role: str = TRANSFORMER) -> dict[str, str]:
    """Environment variables that profiles.yml reads: dbt connects as the transformer."""
    s = settings or get_settings()
    p = conn_params(role, s)
    return {
        "INNOPOINTS_PG_HOST": str(p["host"]),
        "INNOPOINTS_PG_PORT": str(p["port"]),
        "INNOPOINTS_PG_USER": str(p["user"]),
        "INNOPOINTS_PG_PASSWORD": str(p["password"]),
        "INNOPOINTS_PG_DBNAME": str(p["dbname"]),
        "DBT_PROFILES_DIR": str(s.project_root),
        "DBT_PROJECT_DIR": str(s.project_root),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }


def project_path(*parts: str) -> Path:
    return get_settings().project_root.joinpath(*parts)
