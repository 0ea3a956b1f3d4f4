"""`innopoints db start|stop|status|url|init`: the warehouse server's lifecycle."""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import quote

from innopoints import cluster, db
from innopoints.config import get_settings
from innopoints.console import result
from innopoints.errors import ServiceError

__all__ = ["connection_url", "format_libpq", "libpq_url", "register", "resolve_role"]

# Short role names (as the README writes them) -> the PostgreSQL role.
ROLE_ALIASES: dict[str, str] = {
    "admin": "admin",
    **{role.removeprefix("innopoints_"): role for role in db.ROLES},
    **{role: role for role in db.ROLES},
}
URL_FORMATS = ("sqlalchemy", "libpq")


def resolve_role(name: str) -> str:
    """The PostgreSQL role for a short (``reporter``) or full (``innopoints_reporter``) name."""
    try:
        return ROLE_ALIASES[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted({k for k in ROLE_ALIASES if not k.startswith("innopoints_")}))
        raise argparse.ArgumentTypeError(f"unknown role {name!r}; choose one of {known} "
                                         "(or the full name, e.g. innopoints_reporter)") from None


def libpq_url(role: str) -> str:
    """``postgresql://user:password@host:port/dbname`` of ``role``, for psql."""
    return format_libpq(db.conn_params(role))


def format_libpq(p: dict[str, Any]) -> str:
    """A libpq connection URI from connection parameters, with every part percent-escaped."""
    host = str(p["host"])
    if host.startswith("/"):  # a Unix socket directory goes in the query string
        netloc_host, query = "", f"?host={quote(host, safe='')}"
    else:
        netloc_host, query = (f"[{host}]" if ":" in host else quote(host, safe="")), ""
    user = quote(str(p["user"]), safe="")
    password = quote(str(p["password"]), safe="")
    return f"postgresql://{user}:{password}@{netloc_host}:{p['port']}/{quote(str(p['dbname']), safe='')}{query}"


def connection_url(role: str, fmt: str = "sqlalchemy") -> str:
    return libpq_url(role) if fmt == "libpq" else db.url(role)


def _run(args: argparse.Namespace) -> int:
    s = get_settings()
    if args.action == "start":
        info = cluster.start()
        db.ensure_database()
        result(f"PostgreSQL ({info.kind}) on {info.host}:{info.port}, database {s.db_name} ready")
    elif args.action == "stop":
        cluster.stop()
        result("PostgreSQL stopped" if cluster.mode() != "external" else "external server: nothing to stop")
    elif args.action == "status":
        ok = cluster.status_ok()
        info = cluster.server_info()
        result(f"{info.kind} PostgreSQL on {info.host}:{info.port}: {'running' if ok else 'not running'}")
        return 0 if ok else ServiceError.exit_code
    elif args.action == "url":
        result(connection_url(args.role, "libpq" if args.libpq else args.format))
    elif args.action == "init":
        db.ensure_database()
        result(f"database {s.db_name} bootstrapped")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="start, stop or inspect the warehouse PostgreSQL")
    p.add_argument("action", choices=["start", "stop", "status", "url", "init"])
    p.add_argument("--role", default="admin", type=resolve_role, metavar="ROLE",
                   help="whose connection URL to print (url): admin, loader, transformer, reporter, publisher "
                        "(or the full name, e.g. innopoints_reporter)")
    p.add_argument("--format", default="sqlalchemy", choices=URL_FORMATS,
                   help="url: sqlalchemy (postgresql+psycopg://…, the default) or libpq (postgresql://…, for psql)")
    p.add_argument("--libpq", action="store_true", help="url: same as --format libpq")
    p.set_defaults(func=_run)
