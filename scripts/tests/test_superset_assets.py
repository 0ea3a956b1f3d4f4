"""superset/assets/ and models/exposures.yml have one master, assets_spec.py: what is committed is what
`innopoints superset author` generates from it, byte for byte, so neither an export from the UI nor a
hand edit of the YAML can become a second source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from innopoints.superset import authoring

ROOT = Path(__file__).resolve().parents[2]


def test_committed_assets_are_generated_from_the_spec(tmp_path: Path) -> None:
    out = tmp_path / "assets"
    shutil.copytree(ROOT / "superset" / "assets", out)
    authoring.write_assets(out)
    committed = {p.relative_to(ROOT / "superset" / "assets"): p.read_bytes()
                 for p in (ROOT / "superset" / "assets").rglob("*.yaml")}
    generated = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.yaml")}
    stale = sorted(str(p) for p in committed.keys() | generated.keys() if committed.get(p) != generated.get(p))
    assert not stale, f"run `innopoints superset author`: these differ from assets_spec.py: {stale[:10]}"


def test_committed_exposures_are_generated_from_the_spec(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    for sql in (ROOT / "models").rglob("*.sql"):
        target = tmp_path / sql.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    path = authoring.write_exposures(tmp_path)
    assert path.read_bytes() == (ROOT / "models" / "exposures.yml").read_bytes()


def test_a_large_server_log_is_set_aside_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's log has a line per request; at a start, a log over the limit becomes <log>.1."""
    from innopoints.superset import serve
    from innopoints.superset.env import SupersetEnv

    env = SupersetEnv(project_root=tmp_path, home=tmp_path / "home", venv=tmp_path / "venv", host="127.0.0.1",
                      port=1)
    env.log_file.parent.mkdir(parents=True)
    monkeypatch.setattr(serve, "LOG_KEEP_BYTES", 100)
    serve._rotate_log(env)  # no log yet: nothing to do
    env.log_file.write_bytes(b"x" * 100)
    serve._rotate_log(env)  # at the limit: kept
    assert env.log_file.stat().st_size == 100
    env.log_file.write_bytes(b"y" * 101)
    (env.log_file.parent / "superset.log.1").write_bytes(b"old")
    serve._rotate_log(env)
    assert not env.log_file.exists()
    assert (env.log_file.parent / "superset.log.1").read_bytes() == b"y" * 101
