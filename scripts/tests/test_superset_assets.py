"""superset/assets/ and models/exposures.yml have one master, assets_spec.py: what is committed is what
`innopoints superset author` generates from it, byte for byte, so neither an export from the UI nor a
hand edit of the YAML can become a second source."""

from __future__ import annotations

import shutil
from pathlib import Path

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
