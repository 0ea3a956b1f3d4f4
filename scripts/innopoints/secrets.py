"""Generated secrets kept outside git, in .state/secrets.json (mode 600)."""

from __future__ import annotations

import json
import os
from typing import Any

from innopoints.config import Settings


def load_secrets(s: Settings) -> dict[str, Any]:
    if s.secrets_file.exists():
        return json.loads(s.secrets_file.read_text())
    return {}


def save_secrets(s: Settings, data: dict[str, Any]) -> None:
    s.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = s.secrets_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.replace(tmp, s.secrets_file)
