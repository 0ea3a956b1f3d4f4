"""CLI: `innopoints superset setup|export`, `innopoints serve [--stop|--status]`, `bench dashboards`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from innopoints.console import result
from innopoints.errors import ServiceError
from innopoints.superset import serve as server
from innopoints.superset.env import get_env, read_json


def _setup(args: argparse.Namespace) -> int:
    from innopoints.superset.provision import setup

    env = get_env()
    summary = setup(env, leave_running=not args.stop_after, demo_users=not args.no_demo_users)
    result(json.dumps(summary, ensure_ascii=False, indent=2))
    admin = read_json(env.admin_file)
    result(f"Superset ready: {env.base_url}  (login: {admin.get('username', 'admin')}, password in {env.admin_file})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from innopoints.superset.bundle import export_bundle, proposal_changes
    from innopoints.superset.provision import admin_client

    env = get_env()
    out = Path(args.out) if args.out else env.project_root / "artifacts" / "superset-proposal"
    written = export_bundle(admin_client(env), env, out)
    changes = proposal_changes(out, env.assets_dir)
    result(f"exported {len(written)} files into {out} (a proposal: superset/assets/ is generated from "
          "scripts/innopoints/superset/assets_spec.py)")
    for line in changes:
        result(f"  {line}")
    result("carry these changes into assets_spec.py, then `innopoints superset author`" if changes
          else "no change against the generated assets")
    return 0


def _author(args: argparse.Namespace) -> int:
    from innopoints.superset.authoring import write_assets, write_exposures

    env = get_env()
    written = write_assets(env.assets_dir)
    written.append(write_exposures(env.project_root))
    result(f"wrote {len(written)} files under {env.assets_dir}; import with `innopoints superset setup`")
    return 0


def _serve(args: argparse.Namespace) -> int:
    env = get_env()
    if args.stop:
        result("Superset stopped" if server.stop(env) else "Superset was not running")
        return 0
    if args.status:
        pid, ok = server.status(env)
        result(f"Superset pid={pid or '-'} health={'OK' if ok else 'down'} url={env.base_url}")
        return 0 if ok else ServiceError.exit_code
    pid = server.start(env)
    admin = read_json(env.admin_file)
    result(f"Superset running (pid {pid}): {env.base_url}")
    if admin:
        result(f"login: {admin.get('username')}  password: see {env.admin_file}")
    result(f"log: {env.log_file}; stop with `innopoints serve --stop`")
    return 0


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=7, help="warm requests per chart (default 7)")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold (force=true) requests per chart")
    parser.add_argument("--user", default="admin", help="log in as this user (admin or a demo role user)")
    parser.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    parser.add_argument("--with-defaults", action="store_true",
                        help="apply each dashboard's default filters (year, scheme) as it opens; default: none")


def bench_dashboards(args: argparse.Namespace) -> int:
    from innopoints.superset.bench import run_bench

    return run_bench(
        get_env(),
        repeat=getattr(args, "repeat", 7),
        cold_repeat=getattr(args, "cold_repeat", 3),
        user=getattr(args, "user", "admin"),
        json_out=getattr(args, "json_out", None),
        with_defaults=getattr(args, "with_defaults", False),
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("superset", help="Apache Superset: set up the BI site, export dashboards")
    sub = p.add_subparsers(dest="superset_command", required=True, metavar="ACTION")
    s = sub.add_parser("setup", help="metadata DB, admin, connection, assets, roles and RLS (idempotent)")
    s.add_argument("--stop-after", action="store_true", help="stop the server afterwards if setup started it")
    s.add_argument("--no-demo-users", action="store_true", help="do not create one demo login per role")
    s.set_defaults(func=_setup)
    e = sub.add_parser("export", help="export the dashboards edited in the UI as a proposal and list what they "
                       "change against the generated superset/assets/")
    e.add_argument("--out", help="folder of the proposal (default artifacts/superset-proposal)")
    e.set_defaults(func=_export)
    a = sub.add_parser("author", help="rewrite superset/assets/ from innopoints.superset.assets_spec")
    a.set_defaults(func=_author)

    v = subparsers.add_parser("serve", help="start Superset on 127.0.0.1:8088 in the background")
    g = v.add_mutually_exclusive_group()
    g.add_argument("--stop", action="store_true", help="stop the server")
    g.add_argument("--status", action="store_true", help="print pid and health; exit 3 when down")
    v.set_defaults(func=_serve)
