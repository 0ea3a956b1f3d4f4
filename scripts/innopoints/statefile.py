"""State files under ``.state/`` that several processes read and write (port, secrets, pointers, pids),
and the other files that hold personal or secret data (push files, generated data, Superset's home).

Every write goes to a private temporary file in the same folder and is renamed over the old one, so a
reader sees the old content or the new one, never an empty or half-written file; a write that would
not change the content does not touch the file at all. ``locked`` serialises read-modify-write
sequences (generate a password once, start the server once) between processes with ``flock``.

Everything created here is readable by its owner only: files 0600, folders 0700 (parents included).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents readable by the owner only (``Path.mkdir`` would give
    the parents the default mode). An existing folder keeps its mode: a server already running from
    below it must still reach its files."""
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    return path


def _private_opener(path: str, flags: int) -> int:
    """``open(..., opener=)`` that creates the file 0600 and takes group/other bits off an existing one."""
    fd = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return fd


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode, **kwargs)`` for a file readable by the owner only (mode 0600), its folder
    created private when missing."""
    ensure_private_dir(path.parent)
    return open(path, mode, opener=_private_opener, **kwargs)


def private_umask() -> None:
    """``preexec_fn`` for a child process whose files are for its owner only (umask 077)."""
    os.umask(0o077)


def make_private(root: Path) -> None:
    """Take group and other permission bits off ``root`` and everything below it (not following
    symbolic links): for what an older version, or a child process, created with the default mode."""
    if not root.exists():
        return
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        os.chmod(p, PRIVATE_DIR if p.is_dir() else PRIVATE_FILE)


def read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def write_text(path: Path, text: str, mode: int = PRIVATE_FILE) -> bool:
    """Atomically replace ``path`` with ``text`` (temporary file + fsync + rename), created with
    ``mode``. Returns False, writing nothing, when the file already holds exactly ``text``."""
    if read_text(path) == text:
        return False
    write_bytes(path, text.encode("utf-8"), mode)
    return True


def write_bytes(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Atomically replace ``path`` with ``data`` (temporary file + fsync + rename), created with ``mode``;
    a missing folder is created private. A reader never sees a half-written file."""
    with atomic_file(path, mode) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_file(path: Path, mode: int = PRIVATE_FILE) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through, piece by piece (a document too large to hold in memory):
    a private temporary file in the same folder, fsynced and renamed over ``path`` when the block ends,
    removed when it raises. A reader never sees a half-written file."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if absent) for the duration of the block.
    The lock goes with the process: a crashed holder never leaves it taken."""
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
