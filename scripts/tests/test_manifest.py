"""The dbt project's shape, read from the manifest `dbt parse` writes (no build needed):

- every model has a primary-key test (``primary_key``, ``primary_key_indexed`` or ``unique_combination``);
  a view over a very large long form may instead name, in ``meta.primary_key_tested_in``, the
  materialized model whose primary key is its own;
- every source table declares a freshness;
- every model and every documented column has a description;
- a staging model reads exactly one source and no model (the corrections of accepted objections are
  applied downstream, in models/intermediate/feeds);
- an intermediate or mart model reads no source: it goes through staging.
- a scoring feed's staging model is read only by its int_feeds__<feed>, so every score, mart and
  snapshot sees the feed as corrected.

Each check is a function of the manifest returning the offending nodes, so the tests below can also
show that it catches a defect planted in a copy of the manifest.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from innopoints.feeds import FEEDS

Manifest = dict[str, Any]

PRIMARY_KEY_TESTS = ("primary_key", "primary_key_indexed", "unique_combination")


@pytest.fixture(scope="module")
def manifest(_server: None) -> Manifest:
    from innopoints.warehouse import dbt

    with tempfile.TemporaryDirectory() as tmp:
        dbt(["parse", "--target-path", tmp], capture=True)
        return json.loads((Path(tmp) / "manifest.json").read_text())


def _models(m: Manifest) -> dict[str, dict[str, Any]]:
    return {uid: n for uid, n in m["nodes"].items()
            if n["resource_type"] == "model" and n["package_name"] == m["metadata"]["project_name"]}


def _layer(node: dict[str, Any]) -> str:
    return node["fqn"][1] if len(node["fqn"]) > 2 else ""


def models_without_primary_key(m: Manifest) -> list[str]:
    keyed = set()
    for n in m["nodes"].values():
        if n["resource_type"] != "test":
            continue
        meta = n.get("test_metadata") or {}
        if meta.get("name") in PRIMARY_KEY_TESTS and n.get("attached_node"):
            keyed.add(n["attached_node"])
    models = _models(m)

    def keyed_elsewhere(node: dict[str, Any]) -> bool:
        name = (node.get("meta") or node["config"].get("meta") or {}).get("primary_key_tested_in")
        return (node["config"]["materialized"] == "view" and name is not None
                and f"model.{m['metadata']['project_name']}.{name}" in keyed)

    return sorted(uid for uid, n in models.items() if uid not in keyed and not keyed_elsewhere(n))


def sources_without_freshness(m: Manifest) -> list[str]:
    def declared(f: dict[str, Any] | None) -> bool:
        return bool(f) and any((f.get(k) or {}).get("count") for k in ("warn_after", "error_after"))

    return sorted(uid for uid, s in m["sources"].items()
                  if s["package_name"] == m["metadata"]["project_name"]
                  and not (declared(s.get("freshness")) and (s.get("loaded_at_field") or s.get("loaded_at_query"))))


def undocumented(m: Manifest) -> list[str]:
    out = []
    for uid, n in _models(m).items():
        if not (n.get("description") or "").strip():
            out.append(uid)
        out += [f"{uid}.{c}" for c, col in n["columns"].items() if not (col.get("description") or "").strip()]
    return sorted(out)


def staging_not_one_source(m: Manifest) -> list[str]:
    out = []
    for uid, n in _models(m).items():
        if _layer(n) != "staging":
            continue
        parents = n["depends_on"]["nodes"]
        sources = [p for p in parents if p.startswith("source.")]
        models = [p for p in parents if p.startswith("model.")]
        if len(sources) != 1 or models:
            out.append(uid)
    return sorted(out)


def uncorrected_feed_readers(m: Manifest) -> list[str]:
    """Models and snapshots reading a scoring feed's staging model (the latest delivery, without the
    corrections of accepted objections) other than that feed's int_feeds__<feed>, which applies them."""
    project = m["metadata"]["project_name"]
    out = []
    for uid, n in m["nodes"].items():
        if n["resource_type"] not in ("model", "snapshot") or n["package_name"] != project:
            continue
        for feed in (name for name, f in FEEDS.items() if f.purpose == "scoring"):
            reads = any(p.startswith(f"model.{project}.stg_{feed}__") for p in n["depends_on"]["nodes"])
            if reads and uid != f"model.{project}.int_feeds__{feed}":
                out.append(uid)
    return sorted(set(out))


def downstream_reading_sources(m: Manifest) -> list[str]:
    return sorted(uid for uid, n in _models(m).items()
                  if _layer(n) in ("intermediate", "marts")
                  and any(p.startswith("source.") for p in n["depends_on"]["nodes"]))


CHECKS = {
    "primary_key": models_without_primary_key,
    "freshness": sources_without_freshness,
    "descriptions": undocumented,
    "staging_one_source": staging_not_one_source,
    "no_source_downstream": downstream_reading_sources,
    "corrected_feeds": uncorrected_feed_readers,
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_the_project_passes(manifest: Manifest, name: str) -> None:
    assert CHECKS[name](manifest) == []


def _first(m: Manifest, layer: str) -> str:
    return next(uid for uid, n in sorted(_models(m).items()) if _layer(n) == layer)


def test_a_model_without_a_primary_key_test_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    victim = _first(m, "marts")
    for n in m["nodes"].values():
        if n["resource_type"] == "test" and n.get("attached_node") == victim:
            n["test_metadata"] = {"name": "not_null"}
    assert models_without_primary_key(m) == [victim]


def test_a_source_without_freshness_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    a, b = sorted(m["sources"])[:2]
    m["sources"][a]["freshness"] = {"warn_after": {"count": None, "period": None},
                                    "error_after": {"count": None, "period": None}}
    m["sources"][b]["loaded_at_field"] = m["sources"][b]["loaded_at_query"] = None
    assert sources_without_freshness(m) == sorted([a, b])


def test_a_model_or_column_without_description_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    models = _models(m)
    a = _first(m, "staging")
    b = next(uid for uid, n in sorted(models.items()) if uid != a and n["columns"])
    models[a]["description"] = " "
    column = sorted(models[b]["columns"])[0]
    models[b]["columns"][column]["description"] = ""
    assert undocumented(m) == sorted([a, f"{b}.{column}"])


def test_a_staging_model_reading_two_sources_or_a_model_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    staging = [uid for uid, n in sorted(_models(m).items()) if _layer(n) == "staging"]
    two_sources, reads_model = staging[0], staging[1]
    other_source = next(s for s in sorted(m["sources"]) if s not in m["nodes"][two_sources]["depends_on"]["nodes"])
    m["nodes"][two_sources]["depends_on"]["nodes"].append(other_source)
    m["nodes"][reads_model]["depends_on"]["nodes"].append(staging[2])
    assert staging_not_one_source(m) == sorted([two_sources, reads_model])


def test_an_intermediate_or_mart_reading_a_source_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    a, b = _first(m, "intermediate"), _first(m, "marts")
    source = sorted(m["sources"])[0]
    m["nodes"][a]["depends_on"]["nodes"].append(source)
    m["nodes"][b]["depends_on"]["nodes"].append(source)
    assert downstream_reading_sources(m) == sorted([a, b])


def test_a_scoring_feed_reading_the_corrections_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    project = m["metadata"]["project_name"]
    victim = f"model.{project}.stg_torch__statistics"
    m["nodes"][victim]["depends_on"]["nodes"].append(f"model.{project}.stg_cycle__score_adjustments")
    assert staging_not_one_source(m) == [victim]


def test_a_consumer_of_an_uncorrected_scoring_feed_is_caught(manifest: Manifest) -> None:
    m = copy.deepcopy(manifest)
    project = m["metadata"]["project_name"]
    victim = f"model.{project}.fct_enterprise_scores"
    m["nodes"][victim]["depends_on"]["nodes"].append(f"model.{project}.stg_registry__enterprises")
    assert uncorrected_feed_readers(m) == [victim]
