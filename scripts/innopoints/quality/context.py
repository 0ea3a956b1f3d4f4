"""The Great Expectations file context in gx/ and its synchronisation from the suites in code.

``sync()`` makes gx/ say exactly what the code says: one PostgreSQL datasource (``warehouse``),
one table asset and whole-table batch definition per suite, the suites themselves
(gx/expectations/*.json), one validation definition per suite and one checkpoint per area
(``gate_raw``, ``gate_marts``), without actions: the gate runs the two at the same time and builds the
Data Docs once, after both (runner._run_areas). It only rewrites what changed, so the JSON
in git stays stable and a change in code shows up as a reviewable diff.

The connection string in gx/great_expectations.yml is ``${INNOPOINTS_GX_PG_URL}``: GX substitutes
it from the environment, which ``connect_env()`` fills from the project's configuration (the
transformer role over 127.0.0.1 TCP; GX does not take Unix sockets). No password is written to gx/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from innopoints import db
from innopoints.config import get_settings
from innopoints.quality.suites import SuiteSpec

DATASOURCE = "warehouse"
URL_ENV = "INNOPOINTS_GX_PG_URL"
BATCH_DEFINITION = "whole_table"
CHECKPOINTS = {"raw": "gate_raw", "marts": "gate_marts"}
# COMPLETE: an UnexpectedRowsExpectation returns its rows (at most GX's MAX_RESULT_RECORDS), which the
# one-pass row rules need to tell which rule failed; every column expectation left is on a small mart
RESULT_FORMAT: dict[str, Any] = {"result_format": "COMPLETE", "partial_unexpected_count": 5}


def _result_format(cp: Any) -> dict[str, Any]:
    rf = cp.result_format
    return rf if isinstance(rf, dict) else {"result_format": str(rf)}


def gx_root() -> Path:
    return get_settings().project_root / "gx"


def connect_env() -> None:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    os.environ[URL_ENV] = db.url(db.TRANSFORMER)


def get_context(root: Path | None = None):  # -> FileDataContext
    connect_env()
    import great_expectations as gx

    base = root or get_settings().project_root
    return gx.get_context(mode="file", project_root_dir=str(base))


def _norm_expectations(suite: Any) -> list[dict[str, Any]]:
    out = []
    for e in suite.expectations:
        d = e.configuration.to_json_dict()
        d.pop("id", None)
        d.pop("rendered_content", None)
        out.append(d)
    return out


def _same_suite(existing: Any, desired: Any) -> bool:
    return (json.dumps(_norm_expectations(existing), sort_keys=True, default=str)
            == json.dumps(_norm_expectations(desired), sort_keys=True, default=str)
            and (existing.meta or {}).get("area") == (desired.meta or {}).get("area")
            and (existing.notes or None) == (desired.notes or None))


def _update_suite(current: Any, desired: Any) -> None:
    """Rewrite a stored suite to the desired expectations, keeping the ids of unchanged ones (so the
    regenerated JSON differs only where the code did)."""
    def key(e: Any) -> str:
        d = e.configuration.to_json_dict()
        d.pop("id", None)
        d.pop("rendered_content", None)
        return json.dumps(d, sort_keys=True, default=str)

    pool: dict[str, list[Any]] = {}
    for e in current.expectations:
        pool.setdefault(key(e), []).append(e)
    kept = []
    for e in desired.expectations:
        same = pool.get(key(e))
        kept.append(same.pop(0) if same else e)
    current.expectations = kept
    current.notes = desired.notes
    current.meta = desired.meta
    current.save()


def _get(store: Any, name: str) -> Any | None:
    try:
        return store.get(name)
    except Exception:  # GX raises various not-found errors
        return None


def relation_exists(conn: Any, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def sync(context: Any, specs: Iterable[SuiteSpec], existing_relations: set[str] | None = None) -> list[str]:
    """Bring datasource, assets, suites, validation definitions and checkpoints in line with ``specs``.

    An asset can only be added while its table exists (GX checks); a suite whose table is absent
    (marts not built yet) keeps its suite but is left out of the assets until it exists.
    Returns the names of the suites whose asset is ready to validate.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    specs = list(specs)
    pb = context.variables.progress_bars
    pb_on = (pb.get("globally") if isinstance(pb, dict) else getattr(pb, "globally", None)) is not False
    if context.variables.analytics_enabled is not False or pb_on:
        context.variables.analytics_enabled = False
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        context.variables.save()
    ds = _get(context.data_sources, DATASOURCE)
    if ds is None:
        ds = context.data_sources.add_postgres(name=DATASOURCE, connection_string="${" + URL_ENV + "}")
    ready: list[str] = []
    for spec in specs:
        desired = spec.to_gx()
        current = _get(context.suites, spec.name)
        if current is None:
            context.suites.add(desired)
        elif not _same_suite(current, desired):
            _update_suite(current, desired)
        asset = next((a for a in ds.assets if a.name == spec.name), None)
        if asset is not None and (asset.table_name != spec.table or asset.schema_name != spec.schema):
            ds.delete_asset(spec.name)
            asset = None
        if asset is None:
            if existing_relations is not None and spec.relation not in existing_relations:
                continue
            asset = ds.add_table_asset(name=spec.name, table_name=spec.table, schema_name=spec.schema)
        if not any(b.name == BATCH_DEFINITION for b in asset.batch_definitions):
            asset.add_batch_definition_whole_table(BATCH_DEFINITION)
        bd = asset.get_batch_definition(BATCH_DEFINITION)
        suite = context.suites.get(spec.name)
        vd = _get(context.validation_definitions, spec.name)
        if vd is None or vd.suite.name != spec.name or vd.data.id != bd.id or vd.suite.id != suite.id:
            if vd is not None:
                context.validation_definitions.delete(spec.name)
            context.validation_definitions.add(gx.ValidationDefinition(name=spec.name, data=bd, suite=suite))
        ready.append(spec.name)
    for area, cp_name in CHECKPOINTS.items():
        names = [s.name for s in specs if s.area == area and _get(context.validation_definitions, s.name)]
        cp = _get(context.checkpoints, cp_name)
        have = sorted(v.name for v in cp.validation_definitions) if cp is not None else None
        want = sorted(names)
        vds = [context.validation_definitions.get(n) for n in want]
        stale = cp is not None and (have != want or _result_format(cp) != RESULT_FORMAT or bool(cp.actions) or any(
            a.id != b.id for a, b in zip(sorted(cp.validation_definitions, key=lambda v: v.name), vds, strict=True)))
        if cp is None or stale:
            if cp is not None:
                context.checkpoints.delete(cp_name)
            if vds:
                context.checkpoints.add(gx.Checkpoint(
                    name=cp_name, validation_definitions=vds, actions=[], result_format=RESULT_FORMAT))
    return ready
