"""State files under ``.state/`` that several processes read and write (port, secrets, pointers, pids).

Every write goes to a private temporary file in the same folder and is renamed over the old one, so a
reader sees the old content or the new one, never an empty or half-written file; a write that would
not change the content does not touch the file at all. ``locked`` serialises read-modify-write
sequences (generate a password once, start the server once) between processes with ``flock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only. An existing folder keeps its mode:
    a server already running from below it must still reach its files."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if absent) for the duration of the block.
    The lock goes with the process: a crashed holder never leaves it taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
