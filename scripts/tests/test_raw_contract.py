"""feeds.py is the one master of the raw contract: the sources yml is generated from it, staging
selects what the sources declare, and the code lists live in the seeds only."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml
from innopoints import sources_yml
from innopoints.feeds import FEEDS, RAW_META_COLUMNS, Field

ROOT = Path(__file__).resolve().parents[2]


def test_the_sources_yml_is_what_feeds_py_generates() -> None:
    differ = sorted(str(p.relative_to(ROOT)) for p in sources_yml.stale(ROOT))
    assert not differ, (f"the sources yml differs from scripts/innopoints/feeds.py: {differ}; "
                        f"run `.venv/bin/{sources_yml.COMMAND}` and commit the result")


def test_every_raw_column_is_declared_once_in_contract_order() -> None:
    for feed in FEEDS.values():
        doc = yaml.safe_load(sources_yml.sources_file(ROOT, feed).read_text(encoding="utf-8"))
        [table] = doc["sources"][0]["tables"]
        assert [c["name"] for c in table["columns"]] == [*feed.names, *(n for n, _ in RAW_META_COLUMNS)]
        assert doc["sources"][0]["freshness"]["error_after"]["count"] > 0


def test_the_generator_merges_and_does_not_clobber() -> None:
    feed = FEEDS["ip"]
    text = sources_yml.sources_file(ROOT, feed).read_text(encoding="utf-8")
    edited = text.replace('"法律状态."', '"法律状态: valid, lapsed or pending."').replace("count: 400", "count: 401")
    grown = dataclasses.replace(feed, fields=(*feed.fields, Field("examiner", "审查员", "text")))
    out = sources_yml.render(grown, edited)
    doc = yaml.safe_load(out)
    columns = {c["name"]: c["description"] for c in doc["sources"][0]["tables"][0]["columns"]}
    assert list(columns)[-4:] == ["examiner", "_batch_id", "_line", "_loaded_at"]
    assert columns["examiner"] == "审查员." and columns["status"] == "法律状态: valid, lapsed or pending."
    assert doc["sources"][0]["freshness"]["warn_after"]["count"] == 401
    assert sources_yml.render(grown, out) == out  # generating again changes nothing
    shrunk = dataclasses.replace(feed, fields=feed.fields[:-1])
    assert "is_pct" not in sources_yml.render(shrunk, text)


def test_a_new_feed_gets_a_sources_file() -> None:
    new = dataclasses.replace(FEEDS["tax"], name="awards", system_zh="科技奖励")
    doc = yaml.safe_load(sources_yml.render(new, None))
    source = doc["sources"][0]
    assert source["name"] == "awards" and source["loaded_at_field"] == "_loaded_at" and source["freshness"]
    assert [c["name"] for c in source["tables"][0]["columns"]][:2] == ["uscc", "year"]


def test_staging_models_read_their_columns_from_the_source() -> None:
    for feed in FEEDS.values():
        [model] = (ROOT / "models" / "staging" / feed.name).glob("stg_*.sql")
        sql = model.read_text(encoding="utf-8")
        assert f"source_columns('{feed.name}', '{feed.name}')" in sql, model.name
        restated = [f.name for f in feed.fields if not f.key and re.search(rf"'{f.name}'", sql)]
        assert not restated, f"{model.name} restates columns of the contract: {restated}"
