"""Generated secrets kept outside git, in .state/secrets.json (mode 600).

A secret is generated once, under a lock, so two processes starting together agree on it; the file
is replaced atomically, so a reader never sees it half written. A damaged file is never overwritten
(the passwords in it are the only copy): the error says how to recover.
"""

from __future__ import annotations

import json
import secrets as _random
from pathlib import Path
from typing import Any

from innopoints import statefile
from innopoints.config import Settings
from innopoints.errors import StateError


def _lock_path(s: Settings) -> Path:
    return s.state_dir / ".secrets.lock"


def load_secrets(s: Settings) -> dict[str, Any]:
    text = statefile.read_text(s.secrets_file)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        data = exc
    if not isinstance(data, dict):
        raise StateError(
            f"{s.secrets_file} is damaged ({'empty' if not text.strip() else 'not a JSON object'}): it holds the "
            "only copy of the generated database passwords. Restore it from a backup, or start the local "
            "warehouse afresh with `make clean` (deletes the local database) and `make demo`."
        )
    return data


def save_secrets(s: Settings, data: dict[str, Any]) -> None:
    statefile.ensure_private_dir(s.state_dir)
    statefile.write_text(s.secrets_file, json.dumps(data, indent=2, sort_keys=True) + "\n")


def get_or_create(s: Settings, *path: str) -> str:
    """The secret at ``path`` (e.g. ("roles", "innopoints_loader")), generated and saved the first time."""
    def lookup(data: dict[str, Any]) -> str | None:
        node: Any = data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, str) and node else None

    found = lookup(load_secrets(s))
    if found:
        return found
    statefile.ensure_private_dir(s.state_dir)
    with statefile.locked(_lock_path(s)):
        data = load_secrets(s)  # again, under the lock: another process may have just written it
        found = lookup(data)
        if found:
            return found
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = _random.token_urlsafe(24)
        save_secrets(s, data)
        return node[path[-1]]
