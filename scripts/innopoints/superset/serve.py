"""Start, stop and inspect the Superset web server (gunicorn, in the background, pid file in .state)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import requests

from innopoints import statefile
from innopoints.superset.env import SupersetEnv, SupersetError, make_home_private, require_venv

WORKERS = int(os.environ.get("INNOPOINTS_SUPERSET_WORKERS", "2"))
THREADS = int(os.environ.get("INNOPOINTS_SUPERSET_THREADS", "4"))
# gunicorn's access log: client, time, method, path (without the query string), status, seconds taken
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(L)ss'
# the log is appended to; at a start, one larger than this becomes <log>.1 (the previous .1 is dropped)
LOG_KEEP_BYTES = 64 * 1024 * 1024


def _rotate_log(env: SupersetEnv) -> None:
    try:
        if env.log_file.stat().st_size > LOG_KEEP_BYTES:
            env.log_file.replace(env.log_file.with_name(env.log_file.name + ".1"))
    except FileNotFoundError:
        pass


def _read_pid(env: SupersetEnv) -> int | None:
    try:
        pid = int(env.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def healthy(env: SupersetEnv, timeout: float = 2.0) -> bool:
    try:
        r = requests.get(f"{env.base_url}/health", timeout=timeout)
    except requests.RequestException:
        return False
    return r.status_code == 200 and r.text.strip() == "OK"


def status(env: SupersetEnv) -> tuple[int | None, bool]:
    return _read_pid(env), healthy(env)


def wait_healthy(env: SupersetEnv, timeout: float = 180.0, pid: int | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(env):
            return
        if pid is not None and _read_pid(env) is None:
            raise SupersetError(f"Superset exited during start-up; see {env.log_file}")
        time.sleep(1.0)
    raise SupersetError(f"Superset did not answer {env.base_url}/health within {timeout:.0f}s; see {env.log_file}")


def start(env: SupersetEnv, wait: bool = True) -> int:
    """Start gunicorn in the background unless it already runs; return its pid."""
    require_venv(env)
    pid = _read_pid(env)
    if pid is not None:
        if wait:
            wait_healthy(env, pid=pid)
        return pid
    if healthy(env):
        raise SupersetError(
            f"something else already answers on {env.base_url}; stop it or set INNOPOINTS_SUPERSET_PORT"
        )
    if not (env.home / "superset.db").exists():
        raise SupersetError("Superset has no metadata database yet: run `innopoints superset setup` first")
    make_home_private(env)
    _rotate_log(env)
    cmd = [
        str(env.gunicorn_bin),
        "--bind", f"{env.host}:{env.port}",
        "--workers", str(WORKERS),
        "--worker-class", "gthread",
        "--threads", str(THREADS),
        "--timeout", "120",
        "--graceful-timeout", "10",
        "--limit-request-line", "0",
        "--limit-request-field_size", "0",
        # one line per request with its time, into the server's log: the path only (no query string, no
        # body), so no filter values or form data are written; slow requests show where time goes
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        "superset.app:create_app()",
    ]
    # the log (0600) may hold user names and SQL; gunicorn and Superset create files with umask 077
    with statefile.open_private(env.log_file, "ab") as log:
        proc = subprocess.Popen(
            cmd,
            env=env.process_env(),
            cwd=env.project_root,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=statefile.private_umask,
        )
    statefile.write_text(env.pid_file, f"{proc.pid}\n")
    if wait:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SupersetError(f"Superset exited with {proc.returncode} during start-up; see {env.log_file}")
            if healthy(env):
                return proc.pid
            time.sleep(1.0)
        raise SupersetError(f"Superset did not become healthy within 180s; see {env.log_file}")
    return proc.pid


def stop(env: SupersetEnv, timeout: float = 30.0) -> bool:
    """Stop the server started by `start`. Returns False if it was not running."""
    pid = _read_pid(env)
    if pid is None:
        env.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.3)
    else:
        os.kill(pid, signal.SIGKILL)
    env.pid_file.unlink(missing_ok=True)
    return True
