"""Entry point for `innopoints demo`: provision Superset, leave it running, print URL and login."""

from __future__ import annotations

import logging

from innopoints.console import result
from innopoints.superset.env import get_env, read_json
from innopoints.superset.provision import setup

log = logging.getLogger(__name__)


def setup_and_serve() -> int:
    env = get_env()
    summary = setup(env, leave_running=True, skip_if_current=True)
    admin = read_json(env.admin_file)
    if summary.get("missing_tables"):
        log.warning(f"warning: dashboards read tables not built yet: {', '.join(summary['missing_tables'])}")
    result(f"\nDashboards: {env.base_url}/dashboard/list/")
    result(f"Login: {admin.get('username', 'admin')} / {admin.get('password', '(see ' + str(env.admin_file) + ')')}")
    result(f"Demo logins per role (city_210900, bank_FXB, province, ...): {env.users_file}")
    result("Stop with: innopoints serve --stop")
    return 0
