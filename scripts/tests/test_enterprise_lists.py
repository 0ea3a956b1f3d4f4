"""The enterprise lists officers and banks work from, over the generated province, each figure
recomputed here in Python from the detail it is defined on (not from the model's own SQL):

- ranks per stage and the ranked lists (领跑榜/竞跑榜/进取榜) of fct_enterprise_scores, from its totals and
  the ranking_bands seed file; fct_enterprise_rankings is exactly the listed rows;
- grades as shown (dim_grade's 'A 优秀'), from the grade_bands seed file;
- fct_enterprises_near_next_grade: who is listed, and the three largest gaps, from fct_indicator_scores
  and the indicators seed file;
- fct_bank_enterprises read as each bank's login: exactly its in-force consenting enterprises (from raw
  consents) with their scheme's latest-year score;
- the veto reasons: Chinese and complete.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from innopoints import db, seeds
from innopoints.audiences import bank_role
from innopoints.config import Settings
from psycopg.rows import dict_row

Row = dict[str, Any]
ROOT = Path(__file__).resolve().parents[2]
TODAY = date.today()
CJK = re.compile(r"[\u4e00-\u9fff]")


def seed(path: str) -> list[dict[str, Any]]:
    return seeds.load(Path(path).stem)


def near_points() -> Decimal:
    config = yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    return Decimal(str(config["vars"]["near_next_grade_points"]))


def q6(value: Fraction) -> Decimal:
    """A fraction rounded half up to 6 places, as numeric round() does."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.000001"), ROUND_HALF_UP)


@pytest.fixture(scope="module")
def marts(built_warehouse: Settings) -> Iterator[psycopg.Connection]:
    """The built demo warehouse as the reporting role (every row)."""
    with db.connect(db.REPORTER, built_warehouse, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture(scope="module")
def scores(marts: psycopg.Connection) -> list[Row]:
    return list(marts.execute("select * from marts.fct_enterprise_scores").fetchall())


def rows(conn: psycopg.Connection, query: str, params: Any = None) -> list[Row]:
    return list(conn.execute(query, params).fetchall())


def test_lists_are_not_empty(marts: psycopg.Connection) -> None:
    for table in ("fct_enterprise_rankings", "fct_enterprises_near_next_grade", "fct_bank_enterprises"):
        assert rows(marts, f"select count(*) as n from marts.{table}")[0]["n"] > 0, table


def expected_stage_ranks(scores: list[Row]) -> dict[tuple[str, int, str], Row]:
    """Competition rank by total among the non-vetoed of (scheme, year, cohort region, stage); band by
    min < rank / n <= max on exact fractions."""
    bands = [{**b, "min": Fraction(b["min_top_share"]), "max": Fraction(b["max_top_share"])}
             for b in seed("scoring/ranking_bands.csv")]
    groups: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in scores:
        if not r["is_vetoed"]:
            groups[(r["scheme_code"], r["eval_year"], r["cohort_region_code"], r["stage"])].append(r)
    out: dict[tuple[str, int, str], Row] = {}
    for members in groups.values():
        n = len(members)
        for r in members:
            rank = 1 + sum(1 for o in members if o["total_points"] > r["total_points"])
            share = Fraction(rank, n)
            band = [b for b in bands if b["min"] < share <= b["max"]]
            assert len(band) <= 1
            b = band[0] if band else None
            out[(r["scheme_code"], r["eval_year"], r["uscc"])] = {
                "rank_in_stage": rank,
                "ranked_in_stage": n,
                "top_share_in_stage": q6(share),
                "band_code": b and b["band_code"],
                "band_name_zh": b and b["band_name_zh"],
                "band_order": b and int(b["band_order"]),
            }
    return out


STAGE_COLUMNS = ("rank_in_stage", "ranked_in_stage", "top_share_in_stage", "band_code", "band_name_zh", "band_order")


def test_stage_ranks_and_bands_match_a_recomputation_for_every_row(scores: list[Row]) -> None:
    expected = expected_stage_ranks(scores)
    vetoed = 0
    for r in scores:
        key = (r["scheme_code"], r["eval_year"], r["uscc"])
        got = {c: r[c] for c in STAGE_COLUMNS}
        if r["is_vetoed"]:
            vetoed += 1
            assert all(v is None for v in got.values()), (key, got)
        else:
            assert got == expected[key], (key, got, expected[key])
    assert vetoed > 0
    listed = [e for e in expected.values() if e["band_code"]]
    assert {e["band_code"] for e in listed} == {b["band_code"] for b in seed("scoring/ranking_bands.csv")}


def test_rankings_mart_is_exactly_the_listed_enterprises(marts: psycopg.Connection, scores: list[Row]) -> None:
    expected = {(r["scheme_code"], r["eval_year"], r["uscc"]): r for r in scores if r["band_code"] is not None}
    got = {(r["scheme_code"], r["eval_year"], r["uscc"]): r
           for r in rows(marts, "select * from marts.fct_enterprise_rankings")}
    assert got.keys() == expected.keys()
    for key, r in got.items():
        for c in (*STAGE_COLUMNS, "total_points", "grade_display_zh", "stage_name_zh", "city_code", "enterprise_name"):
            assert r[c] == expected[key][c], (key, c)


def test_grades_are_shown_with_code_and_name(scores: list[Row]) -> None:
    labels = {g["grade"]: g["label_zh"] for g in seed("scoring/grade_bands.csv")}
    for r in scores:
        assert r["grade_display_zh"] == f"{r['grade']} {labels[r['grade']]}", r["uscc"]
        nxt = r["next_grade"]
        assert r["next_grade_display_zh"] == (None if nxt is None else f"{nxt} {labels[nxt]}"), r["uscc"]


def test_near_next_grade_lists_who_is_near_with_their_three_largest_gaps(
        marts: psycopg.Connection, scores: list[Row]) -> None:
    limit = near_points()
    expected = {(r["scheme_code"], r["eval_year"], r["uscc"]) for r in scores
                if not r["is_vetoed"] and r["points_to_next_grade"] is not None
                and r["points_to_next_grade"] <= limit}
    near = {(r["scheme_code"], r["eval_year"], r["uscc"]): r
            for r in rows(marts, "select * from marts.fct_enterprises_near_next_grade")}
    assert near.keys() == expected and near

    names = {i["indicator_code"]: i["indicator_name_zh"] for i in seed("scoring/indicators.csv")}
    lost: dict[tuple[str, int, str], list[tuple[Decimal, str]]] = defaultdict(list)
    for r in rows(marts, "select scheme_code, eval_year, uscc, indicator_code, weight, points "
                         "from marts.fct_indicator_scores"):
        key = (r["scheme_code"], r["eval_year"], r["uscc"])
        if key in near and r["weight"] - r["points"] > 0:
            lost[key].append((r["weight"] - r["points"], r["indicator_code"]))
    for key, r in near.items():
        top = sorted(lost[key], key=lambda p: (-p[0], p[1]))[:3]
        text = "；".join(f"{names[code]}（失{points:.2f}分）" for points, code in top) or None
        assert r["largest_gaps_zh"] == text, key
        assert r["points_lost_top3"] == sum((p for p, _ in top), Decimal(0)), key
        assert r["largest_gap_codes"] == (",".join(code for _, code in top) or None), key
    # the figure: at least one enterprise with three gaps, written as the officers read it
    sample = next(r for r in near.values() if r["largest_gaps_zh"] and r["largest_gaps_zh"].count("；") == 2)
    assert re.fullmatch(r"([^（；]+（失\d+\.\d{2}分）；){2}[^（；]+（失\d+\.\d{2}分）", sample["largest_gaps_zh"])


def consenting(bank: str, on: date = TODAY) -> set[str]:
    """Independent of the marts and the policies: the newest delivery of each (enterprise, bank) in raw."""
    with db.connect("admin", autocommit=True) as conn:
        latest = conn.execute(
            "select distinct on (uscc) uscc, granted_date, revoked_date from raw.consents "
            "where bank_code = %s order by uscc, _batch_id desc, _line desc", (bank,)).fetchall()
    return {u for u, g, r in latest if g <= on and (r is None or r > on)}


def test_each_bank_login_reads_exactly_its_consenting_enterprises(
        marts: psycopg.Connection, scores: list[Row]) -> None:
    latest_year: dict[str, int] = {}
    for r in scores:
        latest_year[r["scheme_code"]] = max(latest_year.get(r["scheme_code"], 0), r["eval_year"])
    latest = {(r["scheme_code"], r["uscc"]): r for r in scores if r["eval_year"] == latest_year[r["scheme_code"]]}
    banks = seed("reference/ref_banks.csv")
    # the whole mart (reporting role, every row): the rows of each bank, before any policy
    whole: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in rows(marts, "select bank_code, scheme_code, uscc from marts.fct_bank_enterprises"):
        whole[r["bank_code"]].add((r["scheme_code"], r["uscc"]))
    assert whole.keys() <= {b["bank_code"] for b in banks}
    compared = 0
    for bank in banks:
        code = bank["bank_code"]
        usccs = consenting(code)
        expected = {k: r for k, r in latest.items() if k[1] in usccs}
        assert whole.get(code, set()) == expected.keys(), code
        with db.connect(bank_role(code), autocommit=True, row_factory=dict_row) as conn:
            got = {(r["scheme_code"], r["uscc"]): r for r in rows(conn, "select * from marts.fct_bank_enterprises")}
            assert {r["bank_code"] for r in got.values()} <= {code}
        assert got.keys() == expected.keys(), code
        for key, r in got.items():
            s = expected[key]
            assert r["bank_name_zh"] == bank["bank_name_zh"]
            for c in ("eval_year", "total_points", "grade", "grade_display_zh", "rank_in_region",
                      "evaluated_in_region", "band_name_zh", "enterprise_name", "city_code"):
                assert r[c] == s[c], (code, key, c)
        compared += len(got)
    assert compared > 0


def test_veto_reasons_are_chinese_and_complete(scores: list[Row]) -> None:
    rules = {v["veto_code"]: v["description_zh"] for v in seed("scoring/veto_rules.csv")}
    vetoed = [r for r in scores if r["is_vetoed"]]
    assert vetoed
    for r in vetoed:
        codes = r["veto_codes"].split(",")
        assert codes == sorted(codes) and set(codes) <= rules.keys() and r["veto_count"] == len(codes)
        assert r["veto_reasons_zh"] == "；".join(rules[c] for c in codes), r["uscc"]
        assert CJK.search(r["veto_reasons_zh"]) and not re.search(r"[A-Za-z]", r["veto_reasons_zh"])
    assert all(r["veto_reasons_zh"] is None for r in scores if not r["is_vetoed"])
