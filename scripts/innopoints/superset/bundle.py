"""The asset bundle (superset/assets/): zip it and import it through the REST API, or export it back.

The committed database YAML holds the reporter's connection with a masked password; at import the
host, port and database name are taken from this machine's warehouse and the password is supplied in
the ``passwords`` field of /api/v1/assets/import/, so no secret is ever written to git.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from innopoints.superset.client import SupersetClient
from innopoints.superset.env import DATABASE_UUID, SupersetEnv, SupersetError

ROOT = "innopoints_assets"
KINDS = ("databases", "datasets", "charts", "dashboards")
MASK = "XXXXXXXXXX"


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SupersetError(f"{path} is not a YAML mapping")
    return data


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def asset_files(assets_dir: Path) -> list[Path]:
    if not (assets_dir / "metadata.yaml").exists():
        raise SupersetError(f"{assets_dir}/metadata.yaml is missing: the asset bundle is incomplete")
    files = [assets_dir / "metadata.yaml"]
    for kind in KINDS:
        files.extend(sorted((assets_dir / kind).rglob("*.yaml")))
    return files


def reporter_uri(params: dict[str, Any], masked: bool = True) -> str:
    pw = MASK if masked else params["password"]
    return (
        f"postgresql+psycopg2://{params['user']}:{pw}@{params['host']}:{params['port']}/{params['dbname']}"
    )


def build_zip(assets_dir: Path, reporter_params: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """Return (zip bytes, passwords map) for /api/v1/assets/import/."""
    buf = io.BytesIO()
    passwords: dict[str, str] = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in asset_files(assets_dir):
            rel = path.relative_to(assets_dir).as_posix()
            data = load_yaml(path)
            if rel.startswith("databases/"):
                data["sqlalchemy_uri"] = reporter_uri(reporter_params, masked=True)
                passwords[rel] = str(reporter_params["password"])
            elif rel.startswith("datasets/"):
                # the catalog is this machine's warehouse database: SQL Lab permission checks compare it
                data["catalog"] = str(reporter_params["dbname"])
            elif rel == "metadata.yaml":
                data["type"] = "assets"
                data["timestamp"] = datetime.now(UTC).isoformat()
            zf.writestr(f"{ROOT}/{rel}", dump_yaml(data))
    return buf.getvalue(), passwords


def import_bundle(client: SupersetClient, assets_dir: Path, reporter_params: dict[str, Any]) -> None:
    blob, passwords = build_zip(assets_dir, reporter_params)
    r = client.request(
        "POST",
        "/api/v1/assets/import/",
        expect=(200, 400, 401, 403, 422, 500),
        files={"bundle": ("innopoints_assets.zip", blob, "application/zip")},
        data={"passwords": json.dumps(passwords), "overwrite": "true"},
    )
    if r.status_code != 200:
        raise SupersetError(f"asset import failed ({r.status_code}): {r.text[:2000]}")


# -- export ----------------------------------------------------------------------------------

_ID_SUFFIX = re.compile(r"_\d+$")


def _stable_name(kind: str, data: dict[str, Any], existing: dict[str, str], fallback: str) -> str:
    uuid = str(data.get("uuid"))
    if uuid in existing:
        return existing[uuid]
    stem = _ID_SUFFIX.sub("", Path(fallback).stem)
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", stem).strip("_") or uuid
    return f"{kind}/{stem}.yaml"


def export_bundle(client: SupersetClient, env: SupersetEnv, out_dir: Path | None = None) -> list[str]:
    """Export every asset of the innopoints database from Superset into `out_dir` (a proposal), named as
    the committed files under superset/assets/ (matched by UUID; new assets get a name from their title).

    superset/assets/ is generated from assets_spec (`innopoints superset author`): an export never writes
    there, it is compared with it (`proposal_changes`) and the changes are carried into the spec by hand.
    Returns the relative paths written.
    """
    r = client.request("GET", "/api/v1/assets/export/", timeout=300)
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    exported: dict[str, dict[str, Any]] = {}
    for name in zf.namelist():
        parts = name.split("/", 1)
        if len(parts) == 2 and name.endswith(".yaml"):
            exported[parts[1]] = yaml.safe_load(zf.read(name).decode("utf-8"))

    assets = env.assets_dir
    existing: dict[str, str] = {}
    committed_db: dict[str, Any] | None = None
    for kind in KINDS:
        for path in (assets / kind).rglob("*.yaml") if (assets / kind).exists() else []:
            data = load_yaml(path)
            existing[str(data.get("uuid"))] = path.relative_to(assets).as_posix()
            if kind == "databases" and str(data.get("uuid")) == DATABASE_UUID:
                committed_db = data

    ours_datasets = {
        str(d["uuid"])
        for n, d in exported.items()
        if n.startswith("datasets/") and str(d.get("database_uuid")) == DATABASE_UUID
    }
    ours_charts = {
        str(d["uuid"])
        for n, d in exported.items()
        if n.startswith("charts/") and str(d.get("dataset_uuid")) in ours_datasets
    }

    def chart_uuids(dash: dict[str, Any]) -> set[str]:
        out = set()
        for node in (dash.get("position") or {}).values():
            if isinstance(node, dict) and node.get("type") == "CHART":
                out.add(str(node.get("meta", {}).get("uuid")))
        return out

    selected: dict[str, dict[str, Any]] = {}
    for name, data in exported.items():
        kind = name.split("/", 1)[0]
        if kind == "databases" and str(data.get("uuid")) == DATABASE_UUID:
            if committed_db is not None:
                data["sqlalchemy_uri"] = committed_db["sqlalchemy_uri"]
            selected[_stable_name(kind, data, existing, name)] = data
        elif str(data.get("uuid")) in {"datasets": ours_datasets, "charts": ours_charts}.get(kind, set()):
            if kind == "datasets":
                data["catalog"] = None  # set per machine at import
            selected[_stable_name(kind, data, existing, name)] = data
        elif kind == "dashboards":
            uuids = chart_uuids(data)
            if uuids and uuids <= ours_charts:
                selected[_stable_name(kind, data, existing, name)] = data
    if not any(n.startswith("dashboards/") for n in selected):
        raise SupersetError("the export holds no innopoints dashboard: is this the right Superset?")

    target = out_dir or env.project_root / "artifacts" / "superset-proposal"
    if target.resolve() == assets.resolve():
        raise SupersetError(f"{assets} is generated from assets_spec.py: export into another folder")
    for kind in KINDS:
        shutil.rmtree(target / kind, ignore_errors=True)
    for rel, data in sorted(selected.items()):
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dump_yaml(data), encoding="utf-8")
    meta = dump_yaml({"version": "1.0.0", "type": "assets"})
    (target / "metadata.yaml").write_text(meta, encoding="utf-8")
    return sorted(selected)


# what a person changes in the UI; the rest of an export (ids, cache keys, query contexts) is noise
_PROPOSAL_KEYS = {
    "charts": ("slice_name", "description", "viz_type", "params"),
    "datasets": ("metrics", "columns", "description"),
    "dashboards": ("dashboard_title", "position", "metadata"),
}


def proposal_changes(proposal: Path, assets: Path) -> list[str]:
    """What an exported proposal changes against the generated assets: one line per asset and key that
    differs (new and removed assets too), for the person who carries the change into assets_spec.py."""
    def load(root: Path) -> dict[str, dict[str, Any]]:
        out = {}
        for kind in _PROPOSAL_KEYS:
            for path in (root / kind).rglob("*.yaml") if (root / kind).exists() else []:
                data = load_yaml(path)
                out[f"{kind}:{data.get('uuid')}"] = {"_file": path.relative_to(root).as_posix(), **data}
        return out

    old, new = load(assets), load(proposal)
    lines = []
    for key in sorted(old.keys() | new.keys()):
        kind = key.split(":", 1)[0]
        if key not in old:
            lines.append(f"new      {new[key]['_file']}")
        elif key not in new:
            lines.append(f"removed  {old[key]['_file']}")
        else:
            for field in _PROPOSAL_KEYS[kind]:
                if old[key].get(field) != new[key].get(field):
                    lines.append(f"changed  {old[key]['_file']}: {field}")
    return lines
