"""`innopoints superset setup`: everything from an empty .state/superset to a provisioned site.

Idempotent: metadata upgrade, `superset init`, admin user, server start, asset import through the
REST API (the reporter's password in the ``passwords`` field), dataset column refresh, roles,
dashboard audiences, RLS, and one demo user per role.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from innopoints.console import result
from innopoints.superset import bundle, security, serve
from innopoints.superset.client import SupersetClient
from innopoints.superset.env import (
    DATABASE_NAME,
    SupersetEnv,
    SupersetError,
    make_home_private,
    read_json,
    run_cli,
    write_private_json,
)

log = logging.getLogger(__name__)

ADMIN_USER = "admin"
ADMIN_ENV = "INNOPOINTS_SUPERSET_ADMIN_PASSWORD"


def admin_credentials(env: SupersetEnv) -> tuple[str, str, bool]:
    """(username, password, newly_generated). Env var wins, then admin.json, else a new password."""
    stored = read_json(env.admin_file)
    from_env = os.environ.get(ADMIN_ENV)
    if from_env:
        if stored.get("password") != from_env:
            write_private_json(env.admin_file, {"username": ADMIN_USER, "password": from_env, "source": "env"})
        return ADMIN_USER, from_env, False
    if stored.get("password"):
        return str(stored.get("username", ADMIN_USER)), str(stored["password"]), False
    password = secrets.token_urlsafe(18)
    write_private_json(env.admin_file, {"username": ADMIN_USER, "password": password, "source": "generated"})
    return ADMIN_USER, password, True


def ensure_admin(env: SupersetEnv, username: str, password: str) -> None:
    run_cli(
        env, "fab", "create-admin",
        "--username", username, "--firstname", "Innopoints", "--lastname", "Admin",
        "--email", f"{username}@innopoints.local", "--password", password,
    )


def admin_client(env: SupersetEnv) -> SupersetClient:
    username, password, _ = admin_credentials(env)
    try:
        return SupersetClient(env.base_url, username, password)
    except SupersetError as exc:
        if "login as" not in str(exc):
            raise
    # The stored password and the metadata DB disagree (e.g. env var changed): reset it.
    run_cli(env, "fab", "reset-password", "--username", username, "--password", password)
    return SupersetClient(env.base_url, username, password)


def refresh_datasets(client: SupersetClient) -> list[str]:
    """Sync dataset columns with the warehouse tables; return tables that are missing."""
    missing: list[str] = []
    for row in client.list_all("/api/v1/dataset/", columns=["id", "table_name", "database.database_name"]):
        if row.get("database", {}).get("database_name") != DATABASE_NAME:
            continue
        r = client.request("PUT", f"/api/v1/dataset/{row['id']}/refresh", expect=(200, 422, 404, 500))
        if r.status_code != 200:
            missing.append(row["table_name"])
    return missing


def ensure_users(client: SupersetClient, env: SupersetEnv, role_names: list[str]) -> dict[str, Any]:
    """One demo login per role (name = role name), passwords kept in .state/superset/users.json."""
    stored = read_json(env.users_file)
    role_ids = security.roles_by_name(client)
    users = {u["username"]: u["id"] for u in client.list_all("/api/v1/security/users/", columns=["id", "username"])}
    for name in role_names:
        entry = stored.get(name) or {"username": name, "password": secrets.token_urlsafe(14), "role": name}
        payload = {
            "first_name": name,
            "last_name": "demo",
            "email": f"{name}@innopoints.local",
            "roles": [role_ids[name]],
            "password": entry["password"],
            "active": True,
        }
        if name in users:
            client.put(f"/api/v1/security/users/{users[name]}", payload)
        else:
            client.post("/api/v1/security/users/", {**payload, "username": name})
        stored[name] = entry
    write_private_json(env.users_file, stored)
    return stored


def reporter_params() -> dict[str, Any]:
    from innopoints import db
    from innopoints.warehouse import ensure_ready

    ensure_ready()
    return db.conn_params(db.REPORTER)


def write_warehouse_logins(env: SupersetEnv, params: dict[str, Any]) -> None:
    """The PostgreSQL login of each audience, for superset_config.DB_CONNECTION_MUTATOR (mode 600):
    privileged users (province, leadership, analyst, Admin) as the reporter, each city or bank role as
    its own login, so the database's row-level security decides what every query returns."""
    from innopoints import db
    from innopoints.audiences import audiences
    from innopoints.superset.assets_spec import LANDING

    logins = {f"{a.kind}_{a.code}": {"user": a.role, "password": db.role_password(a.role)}
              for a in audiences(env.project_root)}
    write_private_json(env.home / "db_roles.json", {
        "database": params["dbname"],
        "privileged": {"user": db.REPORTER, "password": db.role_password(db.REPORTER)},
        "audiences": logins,
        # the dashboard each role lands on after logging in (superset_config._land_on_own_dashboard)
        "landing": {spec.name: LANDING[spec.kind] for spec in security.role_specs(env.project_root)},
    })


def provision_fingerprint(env: SupersetEnv, params: dict[str, Any]) -> str:
    """What a provisioned site is made of: the Superset tree kept as code (assets, config, roles), the
    code that provisions it, its lock file and the warehouse connection. Equal fingerprint, same site."""
    h = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
    roots = [env.project_root / "superset", Path(__file__).parent,
             env.project_root / "requirements" / "superset.lock"]
    for root in roots:
        files = sorted(p for p in (root.rglob("*") if root.is_dir() else [root]) if p.is_file()
                       and "__pycache__" not in p.parts)
        for f in files:
            h.update(str(f.relative_to(env.project_root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _stamp_file(env: SupersetEnv) -> Path:
    return env.home / "provisioned.json"


def setup(env: SupersetEnv, *, leave_running: bool = True, demo_users: bool = True,
          skip_if_current: bool = False) -> dict[str, Any]:
    """Provision the site. With ``skip_if_current``, a site already provisioned from exactly this code
    and connection is only (re)started."""
    make_home_private(env)  # 0700 home, 0600 files, also for a home made by an older version
    params = reporter_params()
    write_warehouse_logins(env, params)
    fingerprint = provision_fingerprint(env, params)
    stamp = read_json(_stamp_file(env))
    if skip_if_current and stamp.get("fingerprint") == fingerprint and (env.home / "superset.db").exists():
        log.info("superset: already provisioned from this code and warehouse: (re)serving only")
        serve.start(env)
        return dict(stamp.get("summary", {}))
    log.info("superset: upgrading metadata database ...")
    run_cli(env, "db", "upgrade")
    log.info("superset: init (roles and permissions) ...")
    run_cli(env, "init")
    username, password, generated = admin_credentials(env)
    ensure_admin(env, username, password)
    was_running = serve.status(env)[0] is not None
    serve.start(env)
    try:
        client = admin_client(env)
        log.info("superset: importing superset/assets through /api/v1/assets/import/ ...")
        bundle.import_bundle(client, env.assets_dir, params)
        missing = refresh_datasets(client)
        if missing:
            log.warning(f"superset: tables not in the warehouse yet (run `innopoints build`): {', '.join(missing)}")
        # new datasets got their datasource_access permissions at import; apply roles and RLS
        summary = security.apply_security(client, env.project_root)
        specs = security.role_specs(env.project_root)
        if demo_users:
            ensure_users(client, env, [s.name for s in specs])
    finally:
        if not leave_running and not was_running:
            serve.stop(env)
    summary.update({"admin": username, "url": env.base_url, "missing_tables": missing})
    if not missing:
        write_private_json(_stamp_file(env), {"fingerprint": fingerprint, "summary": summary})
    if generated:
        result(f"superset: admin password (shown once, kept in {env.admin_file}): {password}")
    return summary
