"""The heavy models of the scoring chain can run in parallel workers. PostgreSQL keeps every plan node
above a CTE scan in one process (a CTE referenced twice is materialized, and its scan is parallel
restricted): nationally int_scoring__percentile_ratios ran its 39 million rows' joins and sort on one
core while the other stood idle. Each model here is planned as the build runs it (its `set local`
pre-hooks) with parallel workers made free, so the plan shows what parallelism the SQL allows, not
what the small demo data is worth: no CTE scan, and a Gather under the result. Each scoring feed as
corrected (int_feeds__*, a view every scoring model reads) is parallel safe as a whole: a window
function in it (row_number() over the corrections) is parallel restricted, and kept every join over a
feed out of parallel workers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from innopoints import db
from innopoints.config import Settings
from innopoints.feeds import FEEDS

# the models of the chain whose plans must be free to use parallel workers
PARALLEL_MODELS = ("int_scoring__percentile_ratios",)

FREE_WORKERS = (
    "set local parallel_setup_cost = 0",
    "set local parallel_tuple_cost = 0",
    "set local min_parallel_table_scan_size = 0",
    "set local min_parallel_index_scan_size = 0",
)


def _node_types(plan: dict[str, Any]) -> list[str]:
    found = [plan["Node Type"]]
    for child in plan.get("Plans", []):
        found += _node_types(child)
    return found


@pytest.fixture(scope="module")
def compiled(built_warehouse: Settings) -> dict[str, tuple[str, list[str]]]:
    """Each model's compiled select and its `set local` pre-hooks, from `dbt compile`."""
    from innopoints.warehouse import dbt

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        dbt(["compile", "--select", *PARALLEL_MODELS, "--target-path", tmp], capture=True)
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model" and node["name"] in PARALLEL_MODELS:
                hooks = [h["sql"] for h in node["config"].get("pre-hook", [])
                         if h["sql"].strip().lower().startswith("set local")]
                out[node["name"]] = (node["compiled_code"], hooks)
    return out


@pytest.mark.parametrize("model", PARALLEL_MODELS)
def test_a_heavy_model_is_planned_without_a_cte_scan_and_with_parallel_workers(
        built_warehouse: Settings, compiled: dict[str, tuple[str, list[str]]], model: str) -> None:
    sql, hooks = compiled[model]
    with db.connect("admin", built_warehouse) as conn:
        for statement in (*hooks, *FREE_WORKERS):
            conn.execute(statement)
        plan = conn.execute("explain (format json) " + sql).fetchone()[0][0]["Plan"]
        conn.rollback()
    nodes = _node_types(plan)
    assert "CTE Scan" not in nodes, f"{model}: a CTE scan keeps the plan above it in one process"
    assert {"Gather", "Gather Merge"} & set(nodes), f"{model}: no parallel workers planned: {nodes}"


def test_each_scoring_feed_view_is_parallel_safe_as_a_whole(built_warehouse: Settings) -> None:
    """With PostgreSQL's test setting that runs any parallel-safe plan in a worker (force_parallel_mode,
    debug_parallel_query from 16), the plan of a whole feed view is a Gather: nothing in it is parallel
    restricted, so a model can join the feed inside parallel workers."""
    with db.connect("admin", built_warehouse) as conn:
        feeds = sorted(f"int_feeds__{name}" for name, feed in FEEDS.items() if feed.purpose == "scoring")
        assert len(feeds) >= 8, feeds
        version = conn.execute("select current_setting('server_version_num')::int").fetchone()[0]
        conn.execute(f"set local {'debug_parallel_query' if version >= 160000 else 'force_parallel_mode'} = on")
        roots = {feed: conn.execute(f"explain (format json) select * from intermediate.{feed}").fetchone()[0][0]
                 ["Plan"]["Node Type"] for feed in feeds}
        conn.rollback()
    assert {feed: root for feed, root in roots.items() if root != "Gather"} == {}
