"""The purpose each feed declares (innopoints.feeds: scoring or monitoring) is dbt's real lineage: the
scoring feeds are exactly the raw feeds the score marts are built from. The gate trusts this split to
decide what may block a score publication."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from innopoints.feeds import FEEDS

SCORE_MARTS = ("fct_enterprise_scores", "fct_indicator_scores")


def _upstream_sources(manifest: dict, model: str) -> set[str]:
    parents = manifest["parent_map"]
    start = next(uid for uid, node in manifest["nodes"].items()
                 if node["resource_type"] == "model" and node["name"] == model)
    seen, todo = set(), [start]
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return {manifest["sources"][uid]["name"] for uid in seen if uid.startswith("source.")
            and manifest["sources"][uid]["schema"] == "raw"}


def test_scoring_feeds_are_the_raw_sources_of_the_score_marts(_server: None) -> None:
    from innopoints.warehouse import dbt

    with tempfile.TemporaryDirectory() as tmp:
        dbt(["parse", "--target-path", tmp], capture=True)
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
    declared = {name for name, feed in FEEDS.items() if feed.purpose == "scoring"}
    for mart in SCORE_MARTS:
        assert _upstream_sources(manifest, mart) == declared, mart
    # and every monitoring feed does feed something: the monitoring marts
    monitoring = set(FEEDS) - declared
    assert monitoring and monitoring <= _upstream_sources(manifest, "fct_leadership_headline") | \
        _upstream_sources(manifest, "dim_bank_consents") | _upstream_sources(manifest, "fct_policy_delivery")
