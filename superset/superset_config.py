"""Superset configuration for innopoints (loaded through SUPERSET_CONFIG_PATH).

Runs inside .venv-superset, so it must not import the innopoints package. Everything that is a
secret or a piece of state lives under the Superset home (default ``<project>/.state/superset``,
override with INNOPOINTS_SUPERSET_HOME), which git ignores:

- ``secret_key``   generated once per install (mode 600), never committed;
- ``superset.db``  the metadata database (SQLite);
- ``cache/``       chart data and results caches (FileSystemCache).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from cachelib.file import FileSystemCache

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPERSET_HOME = Path(
    os.environ.get("INNOPOINTS_SUPERSET_HOME", str(PROJECT_ROOT / ".state" / "superset"))
).resolve()
# the home holds the metadata DB (users, password hashes, the warehouse connection) and the secret
# key: readable by the owner only (innopoints also runs Superset with umask 077)
SUPERSET_HOME.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key(home: Path) -> str:
    """Return the install's secret key, generating it on first use (never a default)."""
    path = home / "secret_key"
    if not path.exists():
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds a key shorter than 32 chars: delete it and rerun setup")
    return key


SECRET_KEY = _secret_key(SUPERSET_HOME)

# Superset's own metadata (users, dashboards, its event log) is SQLite, written by every gunicorn worker:
# a request waits up to 30 s for another's write (sqlite3's default is 5 s, then "database is locked").
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_HOME / 'superset.db'}?check_same_thread=false&timeout=30"
SQLALCHEMY_TRACK_MODIFICATIONS = False

# Chinese UI by default, English available from the language menu.
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}

FEATURE_FLAGS = {
    "RLS_IN_SQLLAB": True,
    "DASHBOARD_RBAC": True,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "ALERT_REPORTS": False,
    "THUMBNAILS": False,
}

_CACHE_DIR = SUPERSET_HOME / "cache"
_CACHE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _fs_cache(sub: str, prefix: str, timeout: timedelta) -> dict[str, object]:
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(_CACHE_DIR / sub),
        "CACHE_KEY_PREFIX": prefix,
        "CACHE_DEFAULT_TIMEOUT": int(timeout.total_seconds()),
        "CACHE_THRESHOLD": 20000,
    }


CACHE_CONFIG = _fs_cache("meta", "innopoints_meta_", timedelta(days=1))
DATA_CACHE_CONFIG = _fs_cache("data", "innopoints_data_", timedelta(hours=12))
EXPLORE_FORM_DATA_CACHE_CONFIG = _fs_cache("explore", "innopoints_explore_", timedelta(days=7))
RESULTS_BACKEND = FileSystemCache(str(_CACHE_DIR / "results"), threshold=2000, default_timeout=86400)

# Login throttling (Flask-Limiter, keyed by the client IP; no proxy fix, so a forwarded-for header
# cannot change the key). Only FAILED logins count, on the login form (POST /login/) and the API
# (POST /api/v1/security/login and /refresh) alike, in one budget: a brute force gets 429 Too Many
# Requests after a few tries, while setup and tests that log in many times with the right password
# are never throttled. FAB's own AUTH_RATE_LIMIT would count successful logins too and covers the
# form only, so it is off and _throttle_failed_logins (FLASK_APP_MUTATOR) sets the limit instead.
# Storage: the `limits` package has no server-less storage shared between processes (memory,
# redis, memcached, mongodb), so each gunicorn worker counts on its own: the per-worker limit is the
# site's budget divided by the number of workers, and an attacker gets at most the budget per minute.
AUTH_RATE_LIMITED = False
RATELIMIT_ENABLED = True
RATELIMIT_APPLICATION = None  # no site-wide limit on every route (Superset's default is 50 per second)
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_FAILURES_PER_MINUTE = 10  # the site's budget per client IP
_WORKERS = max(1, int(os.environ.get("INNOPOINTS_SUPERSET_WORKERS", "2")))
LOGIN_FAILURE_LIMIT = f"{max(1, LOGIN_FAILURES_PER_MINUTE // _WORKERS)} per minute"


def _form_login_failed(response: object) -> bool:
    """A POST to the login form failed when nobody is logged in after it (both outcomes redirect)."""
    from flask_login import current_user

    return not current_user.is_authenticated


def _api_login_failed(response: object) -> bool:
    """The API answers a failed login (unknown user or wrong password alike) with 401, bad input with 400."""
    return getattr(response, "status_code", 200) in (400, 401)


def _throttle_failed_logins(app: object) -> None:
    """Put the failed-login limit on the login form's and the security API's blueprints (POST only)."""
    from flask_appbuilder.security.api import SecurityApi

    appbuilder = app.appbuilder  # type: ignore[attr-defined]
    limiter = appbuilder.sm.limiter
    limiter.shared_limit(LOGIN_FAILURE_LIMIT, scope="login", methods=["POST"],
                         deduct_when=_form_login_failed)(appbuilder.sm.auth_view.blueprint)
    for view in appbuilder.baseviews:
        if isinstance(view, SecurityApi):
            limiter.shared_limit(LOGIN_FAILURE_LIMIT, scope="login", methods=["POST"],
                                 deduct_when=_api_login_failed)(view.blueprint)


def _logged_in() -> bool:
    """Whether the request comes from a logged-in user (Superset puts the user, or nobody, on flask.g)."""
    from flask import g

    user = getattr(g, "user", None)
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _land_on_own_dashboard(app: object) -> None:
    """Superset's home page (/superset/welcome/) sends each user to the dashboard of their audience
    (`landing` of db_roles.json, from assets_spec.LANDING): a leader to the cockpit, a city officer to the
    enterprise lists, a bank officer to the bank's list. Admins keep the home page."""
    from flask import g, redirect, request

    @app.before_request  # type: ignore[attr-defined]
    def land():  # noqa: ANN202
        if request.method != "GET" or request.path.rstrip("/") != "/superset/welcome":
            return None
        if not _logged_in():
            return None
        user = g.user
        try:
            landing = _warehouse_logins().get("landing", {})
        except (OSError, ValueError):
            return None
        for role in sorted(r.name for r in user.roles):
            if role in landing:
                return redirect(f"/superset/dashboard/{landing[role]}/")
        return None


def _anonymous_requests_keep_the_session(app: object) -> None:
    """A request of a page's script made before anyone logged in leaves the session cookie alone.

    The login page's scripts make requests while nobody is logged in (its events to /superset/log/, the
    redirects Superset answers them with). Superset answers each with a cookie holding an anonymous
    session. When such an answer reaches the browser after the login's (a slow server), it replaces
    the session the login has just set: the user is sent back to the login page. So only navigations
    (the login page, the login itself, a link opened while logged out) may write an anonymous
    session; a script's request (Sec-Fetch-Mode cors, no-cors, same-origin) may not. A client that sends
    no Sec-Fetch-Mode is treated as a navigation, as before."""
    from flask import request, session

    @app.after_request  # type: ignore[attr-defined]
    def keep_session(response):
        if _logged_in():
            return response
        if request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate":
            return response
        session.modified = False  # Flask writes the cookie only for a modified session
        return response


# Corrections to Superset's Chinese interface strings that the login page shows ("Sign in" reads
# "Not In" in Superset 6.1's pack, and the form's prompt is not translated).
TRANSLATION_FIXES = {"zh": {"Sign in": "登录", "Enter your login and password below:": "请输入用户名和密码："}}


def _language_packs(app: object) -> None:
    """Serve the interface's translations (/superset/language_pack/<lang>/) to everyone, corrected.

    Superset puts them behind a permission, yet the login page asks for them before anyone has logged
    in: it then reads English (apache/superset#40999), and the request's answer, a redirect, carries an
    anonymous session cookie. The pack holds no data, only the interface's strings."""
    import copy
    import json

    from flask import request
    from superset.translations.utils import get_language_pack

    served: dict[str, bytes] = {}

    @app.before_request  # type: ignore[attr-defined]
    def language_pack():
        if request.method != "GET" or not request.path.startswith("/superset/language_pack/"):
            return None
        lang = request.path.removeprefix("/superset/language_pack/").strip("/")
        if lang not in LANGUAGES:
            return None  # Superset's own view answers (and refuses) anything else
        if lang not in served:
            pack = copy.deepcopy(get_language_pack(lang))  # Superset caches its own
            strings = pack.get("locale_data", {}).get("superset", {})
            for source, text in TRANSLATION_FIXES.get(lang, {}).items():
                strings[source] = [text]
            served[lang] = json.dumps(pack, ensure_ascii=False).encode("utf-8")
        response = app.response_class(served[lang], mimetype="application/json")  # type: ignore[attr-defined]
        response.add_etag()  # a browser that has the pack gets 304, as with Superset's own file
        return response.make_conditional(request)


def _mutate_app(app: object) -> None:
    _throttle_failed_logins(app)
    _land_on_own_dashboard(app)
    _anonymous_requests_keep_the_session(app)
    _language_packs(app)


FLASK_APP_MUTATOR = _mutate_app

SUPERSET_WEBSERVER_PORT = int(os.environ.get("INNOPOINTS_SUPERSET_PORT", "8088"))
SUPERSET_WEBSERVER_TIMEOUT = 120
SQLLAB_TIMEOUT = 60
SQL_MAX_ROW = 100000
ROW_LIMIT = 50000
SHOW_STACKTRACE = False
# Talisman's CSP stays on; the app serves its own assets only.
TALISMAN_ENABLED = True
CONTENT_SECURITY_POLICY_WARNING = False

# No examples, no telemetry calls out (the machine has no network anyway).
SUPERSET_LOAD_EXAMPLES = False
SCARF_ANALYTICS = False

# -- each user reaches PostgreSQL as the login role of their audience ----------------------------
# PostgreSQL's row-level security is the boundary: a city officer's chart queries and SQL Lab run as
# innopoints_city_<code>, a bank officer's as innopoints_bank_<code>, province officers, leaders and
# analysts as innopoints_reporter, whatever SQL Superset builds or the user types. Superset's own RLS
# rules stay as a second layer. `innopoints superset setup` writes the credentials (mode 600).
DB_ROLES_FILE = SUPERSET_HOME / "db_roles.json"
PRIVILEGED_ROLES = frozenset({"Admin", "province", "leadership", "analyst"})


class NoWarehouseRole(Exception):
    """A user without an audience role gets no connection to the warehouse (deny by default)."""


def _warehouse_logins() -> dict:
    import json

    return json.loads(DB_ROLES_FILE.read_text(encoding="utf-8"))


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):  # noqa: N802 (Superset's name)
    logins = _warehouse_logins()
    if uri.database != logins["database"]:
        return uri, params
    if username is None:  # Superset's own work outside any request (no user to act for)
        login = logins["privileged"]
    else:
        user = security_manager.find_user(username=username)
        names = sorted(role.name for role in (user.roles if user else []))
        if PRIVILEGED_ROLES.intersection(names):
            login = logins["privileged"]
        else:
            found = [logins["audiences"][n] for n in names if n in logins["audiences"]]
            if len(found) != 1:
                raise NoWarehouseRole(
                    f"user {username} has {'no' if not found else 'more than one'} data role: no warehouse access")
            login = found[0]
    return uri.set(username=login["user"], password=login["password"]), params
