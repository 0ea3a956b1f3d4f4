"""`innopoints db start|stop|status|url|init`: the warehouse server's lifecycle."""

from __future__ import annotations

import argparse

from innopoints import cluster, db
from innopoints.config import get_settings


def ensure_ready() -> None:
    """Start the server if needed and make sure the warehouse database is bootstrapped."""
    cluster.start()
    db.ensure_database()


def _run(args: argparse.Namespace) -> int:
    s = get_settings()
    if args.action == "start":
        info = cluster.start()
        db.ensure_database()
        print(f"PostgreSQL ({info.kind}) on {info.host}:{info.port}, database {s.db_name} ready")
    elif args.action == "stop":
        cluster.stop()
        print("PostgreSQL stopped" if cluster.mode() != "external" else "external server: nothing to stop")
    elif args.action == "status":
        ok = cluster.status_ok()
        info = cluster.server_info()
        print(f"{info.kind} PostgreSQL on {info.host}:{info.port}: {'running' if ok else 'not running'}")
        return 0 if ok else 3
    elif args.action == "url":
        print(db.url(args.role))
    elif args.action == "init":
        db.ensure_database()
        print(f"database {s.db_name} bootstrapped")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="start, stop or inspect the warehouse PostgreSQL")
    p.add_argument("action", choices=["start", "stop", "status", "url", "init"])
    p.add_argument("--role", default="admin",
                   choices=["admin", *db.ROLES],
                   help="whose connection URL to print (url)")
    p.set_defaults(func=_run)
