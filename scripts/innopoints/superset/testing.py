"""Shared pytest fixture for the Superset tests: a site provisioned once per test session."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from innopoints.config import Settings
from innopoints.superset import serve
from innopoints.superset.client import SupersetClient
from innopoints.superset.env import SupersetEnv, get_env, read_json


def _test_port() -> str:
    """INNOPOINTS_SUPERSET_TEST_PORT, else a free port the system hands out: two test runs on one
    machine (two clones, a shared CI host) must not meet on one Superset."""
    pinned = os.environ.get("INNOPOINTS_SUPERSET_TEST_PORT")
    if pinned:
        return pinned
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


@dataclass
class Site:
    env: SupersetEnv
    warehouse: Settings
    summary: dict[str, Any]

    def client(self, user: str = "admin") -> SupersetClient:
        if user == "admin":
            creds = read_json(self.env.admin_file)
            return SupersetClient(self.env.base_url, creds["username"], creds["password"])
        users = read_json(self.env.users_file)
        return SupersetClient(self.env.base_url, user, users[user]["password"])


_SITE: Site | None = None


def record_validation(warehouse: Settings) -> None:
    """Run the data-quality gate once on the demo warehouse and rebuild fct_dq_results, as `make demo`
    does, so the 数据质量 dashboard has validation results to show (the gate's verdict does not matter)."""
    if not (warehouse.project_root / "models" / "marts" / "quality" / "fct_dq_results.sql").exists():
        return
    from innopoints.quality.runner import validate
    from innopoints.warehouse import build

    validate(freshness=True, record=True)
    build(["+fct_dq_results"])


def provision_site(built_warehouse: Settings) -> Iterator[Site]:
    """Superset provisioned from scratch against the session's built demo warehouse."""
    global _SITE
    if _SITE is not None:
        yield _SITE
        return
    from innopoints.superset.provision import setup

    home = built_warehouse.project_root / ".state" / "superset-test"
    old = {k: os.environ.get(k) for k in ("INNOPOINTS_SUPERSET_HOME", "INNOPOINTS_SUPERSET_PORT")}
    os.environ["INNOPOINTS_SUPERSET_HOME"] = str(home)
    os.environ["INNOPOINTS_SUPERSET_PORT"] = _test_port()
    env = get_env()
    serve.stop(env)
    shutil.rmtree(home, ignore_errors=True)
    record_validation(built_warehouse)
    try:
        summary = setup(env, leave_running=True)
        _SITE = Site(env, built_warehouse, summary)
        yield _SITE
    finally:
        serve.stop(env)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


