"""feeds.py is the one master of the raw contract: the sources yml is generated from it, staging
selects what the sources declare, and the code lists live in the seeds only."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import yaml
from innopoints import raw_contract
from innopoints.feeds import FEEDS, RAW_META_COLUMNS, Field

ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_files_are_what_feeds_py_generates() -> None:
    differ = sorted(str(p.relative_to(ROOT)) for p in raw_contract.stale(ROOT))
    assert not differ, (f"generated files differ from scripts/innopoints/feeds.py: {differ}; "
                        f"run `.venv/bin/{raw_contract.COMMAND}` and commit the result")


def test_every_raw_column_is_declared_once_in_contract_order() -> None:
    for feed in FEEDS.values():
        doc = yaml.safe_load(raw_contract.sources_file(ROOT, feed).read_text(encoding="utf-8"))
        [table] = doc["sources"][0]["tables"]
        assert [c["name"] for c in table["columns"]] == [*feed.names, *(n for n, _ in RAW_META_COLUMNS)]
        assert doc["sources"][0]["freshness"]["error_after"]["count"] > 0


def test_the_generator_merges_and_does_not_clobber() -> None:
    feed = FEEDS["ip"]
    text = raw_contract.sources_file(ROOT, feed).read_text(encoding="utf-8")
    edited = text.replace('"法律状态."', '"法律状态: valid, lapsed or pending."').replace("count: 400", "count: 401")
    grown = dataclasses.replace(feed, fields=(*feed.fields, Field("examiner", "审查员", "text")))
    out = raw_contract.render(grown, edited)
    doc = yaml.safe_load(out)
    columns = {c["name"]: c["description"] for c in doc["sources"][0]["tables"][0]["columns"]}
    assert list(columns)[-4:] == ["examiner", "_batch_id", "_line", "_loaded_at"]
    assert columns["examiner"] == "审查员." and columns["status"] == "法律状态: valid, lapsed or pending."
    assert doc["sources"][0]["freshness"]["warn_after"]["count"] == 401
    assert raw_contract.render(grown, out) == out  # generating again changes nothing
    shrunk = dataclasses.replace(feed, fields=feed.fields[:-1])
    assert "is_pct" not in raw_contract.render(shrunk, text)


def test_a_new_feed_gets_a_sources_file() -> None:
    new = dataclasses.replace(FEEDS["tax"], name="awards", system_zh="科技奖励")
    doc = yaml.safe_load(raw_contract.render(new, None))
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


# ---------------------------------------------------------------- code lists live in the seeds


def _code_lists() -> dict[tuple[str, str], dict[str, str]]:
    return {(feed.name, f.name): f.codes for feed in FEEDS.values() for f in feed.fields if f.kind == "code"}


def restated_code_lists(source: str) -> list[int]:
    """Lines of Python `source` with a literal collection holding three or more codes (or Chinese
    labels) of one code list: a tuple, list or set of them, or a dict from labels to codes."""
    lists = [set(c.values()) | set(c) for c in _code_lists().values()]
    def words(items: list[ast.expr | None]) -> set[str]:
        return {n.value for n in items if isinstance(n, ast.Constant) and isinstance(n.value, str)}

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            hit = any(len(words(node.elts) & codes) >= 3 for codes in lists)
        elif isinstance(node, ast.Dict):  # label -> code
            hit = any(len(words(node.keys) & codes) >= 3 and len(words(node.values) & codes) >= 3 for codes in lists)
        else:
            continue
        if hit:
            lines.append(node.lineno)
    return lines


def test_every_coded_field_has_its_list_in_a_seed() -> None:
    lists = _code_lists()
    assert len(lists) == 7
    for key, codes in lists.items():
        assert len(codes) >= 2, key


def test_no_module_restates_a_code_list() -> None:
    package = ROOT / "scripts" / "innopoints"
    offenders = {str(p.relative_to(ROOT)): lines for p in package.rglob("*.py")
                 if (lines := restated_code_lists(p.read_text(encoding="utf-8")))}
    assert not offenders, f"code lists belong in seeds/reference/ref_feed_codes.csv: {offenders}"


def test_the_code_list_check_sees_a_restated_list() -> None:
    assert restated_code_lists('LEVELS = {"国家级": "national", "省级": "provincial", "市级": "municipal"}') == [1]
    assert restated_code_lists('IP = ("invention", "utility", "design", "software", "ic_layout")') == [1]
    assert not restated_code_lists('RATE = {"project": 0.5, "platform": 0.2, "standard": 0.3}')  # keyed by code


def test_staging_tests_codes_against_the_seeds() -> None:
    for (feed, field), codes in _code_lists().items():
        yml = next((ROOT / "models" / "staging" / feed).glob("_*__models.yml")).read_text(encoding="utf-8")
        doc = yaml.safe_load(yml)
        [column] = [c for m in doc["models"] for c in m.get("columns", []) if c["name"] == field]
        tests = {next(iter(t)) if isinstance(t, dict) else t: (t[next(iter(t))] if isinstance(t, dict) else None)
                 for t in column.get("data_tests", [])}
        assert "accepted_values" not in tests, f"{feed}.{field}: test against the seed, not a restated list"
        if "in_code_list" in tests:
            assert tests["in_code_list"]["arguments"] == {"feed": feed, "field": field}
        else:
            assert tests["relationships"]["arguments"]["to"] == "ref('ref_policy_types')", (feed, field)
        assert not any(code in yml for code in codes if code.isascii() and len(codes) > 3 and
                       re.search(rf"'{code}'", yml)), f"{feed}.{field}: codes restated in {feed} yml"


def test_the_feed_seeds_are_generated_too(tmp_path: Path) -> None:
    generated = raw_contract.feed_seeds(tmp_path)
    [fields_csv] = [text for p, text in generated.items() if p.name.startswith("ref_feed_fields")]
    fields = fields_csv.splitlines()
    assert fields[0] == "feed,field,field_name_zh,field_kind,is_key"
    assert len(fields) - 1 == sum(len(f.fields) for f in FEEDS.values())
    assert "ip,ip_type,类型,code,false" in fields
    assert set(generated) <= set(raw_contract.stale(tmp_path))  # an empty project lacks them all
