"""The scoring engine against the specification (../shared/spec/scoring.md).

- On the generated demo province (``built_warehouse``): invariants, and every number compared to
  the cent with an independent Python implementation of the spec (spec_reference.py, beside the tests).
- On a paper case in a scratch database: hand-computed points (ties, a null, a negative growth
  rate, a veto, cohorts below min_cohort_size, a band boundary), the maximum reachable, coverage.
- A new scheme (the 2025 revision's shape: 4 categories, 9 + 3 indicators, 130 points) added by
  seed rows alone, in a copy of the project, built and checked the same way.
- `innopoints explain` on a demo enterprise, as the reporter role: by USCC (checked first) or by
  part of its name, and what it says when the code, the name or the year is wrong.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from innopoints import db
from innopoints.config import Settings, get_settings, reset_settings
from innopoints.uscc import make_uscc
from psycopg.rows import dict_row

from . import scoring_testdata as testdata
from .spec_reference import Reference, load_feeds, read_seeds

ROOT = Path(__file__).resolve().parents[2]
SCORING_BUILD = ["build", "--select", "+path:models/marts/scoring", "path:tests/scoring",
                 "--indirect-selection", "cautious"]


# --------------------------------------------------------------------------------------------
# helpers


def _rows(conn: Any, sql: str, params: Any = None) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def compare_with_reference(conn: Any, project_root: Path = ROOT) -> tuple[int, int, list[str]]:
    """Recompute every score from the staged rows with the reference implementation and list every
    difference with the marts (totals, grades, ranks, stages, vetoes, values, cohort sizes, points)."""
    ref = Reference(load_feeds(conn), read_seeds(project_root)).score()
    ent = {(r["scheme_code"], r["eval_year"], r["uscc"]): r
           for r in _rows(conn, "select * from marts.fct_enterprise_scores")}
    ind = {(r["scheme_code"], r["eval_year"], r["uscc"], r["indicator_code"]): r
           for r in _rows(conn, "select * from marts.fct_indicator_scores")}
    problems: list[str] = []
    if set(ent) != set(ref):
        diff = sorted(set(ent) ^ set(ref))[:5]
        problems.append(f"scored keys differ: warehouse {len(ent)}, reference {len(ref)}, e.g. {diff}")
    n_ind = 0
    for k, e in ref.items():
        w = ent.get(k)
        if w is None:
            continue
        for f, rv in (("total_points", e.total_points), ("grade", e.grade), ("rank_in_region", e.rank_in_region),
                      ("evaluated_in_region", e.evaluated_in_region), ("stage", e.stage),
                      ("is_vetoed", e.is_vetoed), ("veto_codes", ",".join(e.veto_codes) or None),
                      ("cohort_region_code", e.cohort_region_code)):
            if w[f] != rv:
                problems.append(f"{k} {f}: warehouse {w[f]!r}, reference {rv!r}")
        for code, s in e.indicators.items():
            n_ind += 1
            wi = ind.get((*k, code))
            if wi is None:
                problems.append(f"{k} {code}: missing in fct_indicator_scores")
                continue
            wv = wi["indicator_value"]
            if (wv is None) != (s.value is None) or (wv is not None and Fraction(wv) != s.value):
                problems.append(f"{k} {code} value: warehouse {wv}, reference {s.value}")
            if wi["points"] != s.points:
                problems.append(f"{k} {code} points: warehouse {wi['points']}, reference {s.points}")
            if s.cohort_size is not None and wi["cohort_size"] != s.cohort_size:
                problems.append(f"{k} {code} cohort_size: warehouse {wi['cohort_size']}, reference {s.cohort_size}")
            if round(s.ratio, 6) != Fraction(wi["ratio"]):
                problems.append(f"{k} {code} ratio: warehouse {wi['ratio']}, reference {float(s.ratio)}")
    if len(ind) != n_ind:
        problems.append(f"indicator rows: warehouse {len(ind)}, reference {n_ind}")
    return len(ref), n_ind, problems


def _points(conn: Any, scheme: str, year: int, uscc: str) -> dict[str, dict[str, Any]]:
    return {r["indicator_code"]: r for r in _rows(
        conn, "select * from marts.fct_indicator_scores where scheme_code = %s and eval_year = %s and uscc = %s",
        (scheme, year, uscc))}


def _score(conn: Any, scheme: str, year: int, uscc: str) -> dict[str, Any]:
    rows = _rows(conn, "select * from marts.fct_enterprise_scores where scheme_code = %s and eval_year = %s "
                       "and uscc = %s", (scheme, year, uscc))
    assert len(rows) == 1, f"expected one score for {scheme} {year} {uscc}, got {len(rows)}"
    return rows[0]


# --------------------------------------------------------------------------------------------
# the generated demo province


def test_demo_scores_match_reference_to_the_cent(built_warehouse: Settings) -> None:
    with db.connect("admin", built_warehouse) as conn:
        n, n_ind, problems = compare_with_reference(conn)
        schemes = {r["scheme_code"] for r in _rows(
            conn, "select distinct scheme_code from marts.fct_enterprise_scores")}
    assert n > 0 and n_ind > 0
    assert schemes == {"MOST-2024", "LN-2025", "FX-2025"}
    assert not problems, f"{len(problems)} differences, first: " + "\n".join(problems[:20])


def test_demo_invariants(built_warehouse: Settings) -> None:
    with db.connect("admin", built_warehouse) as conn:
        bad_total = _rows(conn, """
            select s.scheme_code, s.eval_year, s.uscc, s.total_points, coalesce(sum(i.points), 0) as summed
            from marts.fct_enterprise_scores s
            left join marts.fct_indicator_scores i using (scheme_code, eval_year, uscc)
            group by 1, 2, 3, 4 having s.total_points <> coalesce(sum(i.points), 0)""")
        bad_points = _rows(conn, "select * from marts.fct_indicator_scores where not (points between 0 and weight)")
        dup = _rows(conn, "select scheme_code, eval_year, uscc from marts.fct_enterprise_scores "
                          "group by 1, 2, 3 having count(*) > 1")
        vetoed = _rows(conn, "select count(*) as n, count(*) filter (where total_points <> 0 or grade <> 'V') as bad "
                             "from marts.fct_enterprise_scores where is_vetoed")[0]
        grades = {r["grade"] for r in _rows(conn, "select distinct grade from marts.fct_enterprise_scores")}
        float_cols = _rows(conn, """
            select table_name, column_name from information_schema.columns
            where table_schema in ('marts', 'intermediate') and data_type in ('double precision', 'real')
              and (table_name like 'fct_%%score%%' or table_name like 'int_scoring%%')""")
        unmasked = _rows(conn, "select count(*) as n from marts.dim_enterprise d "
                               "join intermediate.int_feeds__registry r using (uscc) "
                               "where d.legal_rep_masked = r.legal_rep and char_length(r.legal_rep) > 1")[0]
    assert not bad_total and not bad_points and not dup
    assert vetoed["n"] > 0 and vetoed["bad"] == 0, "the demo should contain vetoed enterprises, all at 0 / V"
    assert "V" in grades and grades <= {"A", "B", "C", "D", "V"}
    assert not float_cols, f"scores must be numeric, never float: {float_cols}"
    assert unmasked["n"] == 0


def test_reporter_reads_marts_only(built_warehouse: Settings) -> None:
    with db.connect(db.REPORTER, built_warehouse) as conn:
        assert conn.execute("select count(*) from marts.fct_enterprise_scores").fetchone()[0] > 0
        with pytest.raises(Exception, match="permission denied"):
            conn.execute("select legal_rep from staging.stg_registry__enterprises limit 1")


def test_explain_prints_the_breakdown(built_warehouse: Settings) -> None:
    from innopoints.scoring.explain import ExplainError, explain

    with db.connect("admin", built_warehouse) as conn:
        row = _rows(conn, "select uscc, enterprise_name, total_points from marts.fct_enterprise_scores "
                          "where scheme_code = 'LN-2025' and not is_vetoed order by eval_year desc, uscc limit 1")[0]
        vetoed = _rows(conn, "select uscc, scheme_code, eval_year from marts.fct_enterprise_scores "
                             "where is_vetoed order by uscc, scheme_code, eval_year limit 1")[0]
    out = io.StringIO()
    assert explain(row["uscc"], "LN-2025", None, out=out) == 0
    text = out.getvalue()
    expected_parts = (row["enterprise_name"], f"{row['total_points']} / 150", "研发费用总额", "辽宁特色指标",
                      "失分", "排名")
    for expected in expected_parts:
        assert expected in text, f"{expected!r} missing from:\n{text}"
    out = io.StringIO()
    explain(vetoed["uscc"], vetoed["scheme_code"], vetoed["eval_year"], out=out)
    assert "一票否决" in out.getvalue()
    unknown = make_uscc("210900", "MA000000")
    with pytest.raises(ExplainError, match=f"未找到统一社会信用代码为 {unknown} 的企业 .no such enterprise"):
        explain(unknown, "LN-2025", 2024, out=io.StringIO())


class _Terminal(io.StringIO):
    """Typed answers on a terminal."""

    def isatty(self) -> bool:
        return True


def test_explain_checks_the_uscc_first(built_warehouse: Settings) -> None:
    from innopoints.scoring.explain import ExplainError, explain

    with db.connect("admin", built_warehouse) as conn:
        uscc = _rows(conn, "select uscc from marts.fct_enterprise_scores order by uscc limit 1")[0]["uscc"]
    with pytest.raises(ExplainError, match=r"统一社会信用代码应为18位，收到17位 \(USCC must be 18 characters"):
        explain(uscc[:17], None, None, out=io.StringIO())
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != uscc[17])
    expected = f"校验位错误：应为 {uscc[17]}，收到 {wrong} .check digit should be {uscc[17]}"
    with pytest.raises(ExplainError, match=expected):
        explain(uscc[:17] + wrong, None, None, out=io.StringIO())
    with pytest.raises(ExplainError, match="第3位的字符 'O' 不合法"):
        explain(uscc[:2] + "O" + uscc[3:], None, None, out=io.StringIO())
    out = io.StringIO()
    assert explain(uscc.lower(), None, None, out=out) == 0  # a lower-case code is the same code
    assert uscc in out.getvalue()


def test_explain_names_the_schemes_and_years_that_exist(built_warehouse: Settings) -> None:
    from innopoints.scoring.explain import ExplainError, explain

    with db.connect("admin", built_warehouse) as conn:
        row = _rows(conn, "select uscc, enterprise_name, string_agg(distinct eval_year::text, '、') as years "
                          "from marts.fct_enterprise_scores where scheme_code = 'LN-2025' "
                          "group by uscc, enterprise_name order by uscc limit 1")[0]
    with pytest.raises(ExplainError) as info:
        explain(row["uscc"], "LN-2025", 2019, out=io.StringIO())
    message = str(info.value)
    assert row["enterprise_name"] in message and "没有积分" in message
    assert f"辽宁省企业创新积分（150分制） (LN-2025) {row['years']} 年度" in message, message


def test_explain_finds_an_enterprise_by_part_of_its_name(built_warehouse: Settings) -> None:
    from innopoints.scoring.explain import explain

    with db.connect("admin", built_warehouse) as conn:
        names = _rows(conn, "select uscc, enterprise_name from marts.dim_enterprise where is_current "
                            "and uscc in (select uscc from marts.fct_enterprise_scores) order by uscc")
    all_names = [r["enterprise_name"] for r in names]
    row, part = next((r, r["enterprise_name"][2:-2]) for r in names
                     if sum(r["enterprise_name"][2:-2].lower() in n.lower() for n in all_names) == 1)
    out, err = io.StringIO(), io.StringIO()
    assert explain(part, None, None, out=out, err=err) == 0
    assert f"{row['enterprise_name']}  ({row['uscc']})" in out.getvalue()
    assert row["uscc"] in err.getvalue()


def _ambiguous_part(conn: Any) -> tuple[str, list[dict[str, Any]]]:
    """A piece of name that 2-20 enterprises share (some of them scored), and those enterprises."""
    part = _rows(conn, "select substr(enterprise_name, 3, 2) as part from marts.dim_enterprise where is_current "
                       "and uscc in (select uscc from marts.fct_enterprise_scores) "
                       "group by 1 having count(*) between 2 and 20 order by count(*), 1 limit 1")[0]["part"]
    return part, _rows(conn, "select uscc, enterprise_name from marts.dim_enterprise where is_current and uscc in "
                             "(select uscc from marts.dim_enterprise where enterprise_name like %s) "
                             "order by enterprise_name, uscc", (f"%{part}%",))


def test_explain_lists_the_enterprises_an_ambiguous_name_matches(built_warehouse: Settings) -> None:
    from innopoints.scoring.explain import AmbiguousName, explain

    with db.connect("admin", built_warehouse) as conn:
        part, matches = _ambiguous_part(conn)
    with pytest.raises(AmbiguousName) as info:  # not a terminal: the list, and rerun with the USCC
        explain(part, None, None, out=io.StringIO(), stdin=io.StringIO())
    message = str(info.value)
    for i, m in enumerate(matches, start=1):
        assert f"{i:>3}. {m['enterprise_name']}  {m['uscc']}" in message, message
    assert "rerun with the USCC" in message
    done = subprocess.run([sys.executable, "-m", "innopoints.cli", "explain", part], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=os.environ.copy(), timeout=120)
    assert done.returncode == 5, done.stderr
    assert matches[0]["uscc"] in done.stderr and done.stdout == ""
    # on a terminal the officer picks by number (after one wrong answer)
    scored = _rows_reporter(built_warehouse, "select distinct uscc from marts.fct_enterprise_scores")
    pick = next(i for i, m in enumerate(matches, start=1) if m["uscc"] in scored)
    out, err = io.StringIO(), io.StringIO()
    assert explain(part, None, None, out=out, stdin=_Terminal(f"99\n{pick}\n"), err=err) == 0
    assert matches[pick - 1]["uscc"] in out.getvalue()
    assert "无效的序号" in err.getvalue()


def _rows_reporter(settings: Settings, query: str) -> set[str]:
    with db.connect(db.REPORTER, settings) as conn:
        return {r[0] for r in conn.execute(query).fetchall()}


# --------------------------------------------------------------------------------------------
# the paper case, in a scratch database


@contextmanager
def _using_database(name: str) -> Iterator[Settings]:
    """Point the innopoints configuration (and dbt) at database `name` for the block."""
    old = os.environ.get("INNOPOINTS_DB_NAME")
    os.environ["INNOPOINTS_DB_NAME"] = name
    reset_settings()
    try:
        yield get_settings()
    finally:
        if old is None:
            os.environ.pop("INNOPOINTS_DB_NAME", None)
        else:
            os.environ["INNOPOINTS_DB_NAME"] = old
        reset_settings()


@pytest.fixture(scope="module")
def paper_db(_server: None) -> Iterator[Settings]:
    """A scratch database holding only the paper case, built with the scoring selection."""
    from innopoints.warehouse import dbt

    name = f"innopoints_test_paper_{uuid.uuid4().hex[:8]}"
    with _using_database(name) as settings:
        db.ensure_database()
        with db.connect("admin", autocommit=False) as conn:
            testdata.insert_raw(conn, testdata.paper_case())
            conn.commit()
        dbt(SCORING_BUILD, capture=True)
    try:
        yield settings
    finally:
        if not os.environ.get("INNOPOINTS_KEEP_TEST_DB"):
            db.drop_database(name)


def test_paper_case_by_hand(paper_db: Settings) -> None:
    """FX-2025, 2024, Fuxin: E1 growth, E2 startup, E3 mature, E4 vetoed. Every stage cohort has one
    member (< 5), so all compare across the three non-vetoed enterprises (cohort size 3)."""
    e1, e2, e3, e4 = testdata.E1, testdata.E2, testdata.E3, testdata.E4
    with db.connect("admin", paper_db) as conn:
        p1, p2, p3 = (_points(conn, "FX-2025", 2024, u) for u in (e1, e2, e3))
        s1, s4 = _score(conn, "FX-2025", 2024, e1), _score(conn, "FX-2025", 2024, e4)
        others = [_score(conn, "FX-2025", 2024, u) for u in (e2, e3)]
        coverage = {(r["eval_year"], r["uscc"]): r for r in _rows(
            conn, "select * from marts.fct_score_coverage where scheme_code = 'FX-2025'")}
    # E1 (growth weights): R&D expense 1,000,000 ties with E2 -> 2 of 3 at or below -> 6 × 2/3 = 4.00
    assert p1["T01"]["cohort_size"] == 3 and p1["T01"]["cohort_basis"] == "all_stages"
    assert p1["T01"]["ratio_numerator"] == 2 and p1["T01"]["points"] == Decimal("4.00")
    # R&D intensity 0.125 vs 0.333333 and 0.015 -> 2/3 × 8 = 5.333.. -> 5.33
    assert p1["T02"]["indicator_value"] == Decimal("0.125000") and p1["T02"]["points"] == Decimal("5.33")
    # R&D staff 10, ties with E3's 10, E2's null counts as 0 -> 3/3 × 4
    assert p1["T03"]["points"] == Decimal("4.00")
    # high-tech share 0.5 vs 0.666667 and 0.1 -> 2/3 × 4 = 2.666.. -> 2.67
    assert p1["T08"]["points"] == Decimal("2.67")
    # standards: exactly 3 in 2022-2024, the top band's bound -> 1.0 × 3
    assert p1["T09"]["indicator_value"] == 3 and p1["T09"]["points"] == Decimal("3.00")
    # revenue fell 20%: negative growth scores 0
    assert p1["G02"]["indicator_value"] == Decimal("-0.200000") and p1["G02"]["points"] == 0
    # R&D growth 0.25 vs 1.0 and null (as 0) -> 2/3 × 5 = 3.33
    assert p1["G04"]["points"] == Decimal("3.33")
    # net margin 0.05 ties with E3's 0.05, E2 negative -> 3/3 × 4
    assert p1["G03"]["points"] == Decimal("4.00")
    # high-tech certificate valid on 2024-12-31 -> A03 = 2 -> 1.0 × 5; no penalty in 2024 -> L10 1.0 × 5
    assert p1["A03"]["indicator_value"] == 2 and p1["A03"]["points"] == Decimal("5.00")
    assert p1["L10"]["points"] == Decimal("5.00")
    # super-deduction field empty -> null -> 0 points
    assert p1["L08"]["indicator_value"] is None and p1["L08"]["points"] == 0
    # T 37.00 + G 19.00 + A 5.00 + L 10.00
    assert s1["total_points"] == Decimal("71.00") and s1["grade"] == "A" and s1["stage"] == "growth"
    # E2 (startup): R&D staff null -> 0; revenue growth 0.5, the highest -> 3/3 × 8; tech SME (A03 = 1) -> 0.5 × 6
    assert p2["T03"]["indicator_value"] is None and p2["T03"]["points"] == 0
    assert p2["T01"]["points"] == Decimal("3.33")
    assert p2["G02"]["points"] == Decimal("8.00") and p2["A03"]["points"] == Decimal("3.00")
    assert p2["L10"]["points"] == 0  # one administrative penalty in 2024
    # E3 (mature): the largest R&D expense -> 7; two standards in the window (one in 2021 is not) -> 0.7 × 3
    assert p3["T01"]["points"] == Decimal("7.00") and p3["T09"]["points"] == Decimal("2.10")
    assert p3["G02"]["indicator_value"] is None and p3["G02"]["points"] == 0  # no 2023 row: growth null
    # E4: both vetoes, total 0, grade V, last; no indicator rows
    assert s4["is_vetoed"] and s4["veto_codes"] == "V01,V02" and s4["total_points"] == 0 and s4["grade"] == "V"
    assert s4["rank_in_region"] == 4 and s4["evaluated_in_region"] == 4
    assert sorted([s1["rank_in_region"], *(o["rank_in_region"] for o in others)]) == [1, 2, 3]
    # 2023: E3 and E4 delivered no torch statistics -> listed, not evaluated, with the reason
    assert coverage[(2023, e3)]["reason"] == "no_torch_statistics" and not coverage[(2023, e3)]["is_evaluated"]
    assert coverage[(2024, e4)]["is_evaluated"]


def test_paper_case_matches_reference(paper_db: Settings) -> None:
    with db.connect("admin", paper_db) as conn:
        n, _, problems = compare_with_reference(conn)
    assert n == 5 + 5 + 4 + 3 + 3 + 2  # 2024: MOST 5, LN 5, FX 4; 2023: MOST 3, LN 3, FX 2
    assert not problems, "\n".join(problems[:20])


def test_maximum_is_reachable(paper_db: Settings) -> None:
    """E5: every percentile value the unique cohort maximum, every band at its top, no veto."""
    with db.connect("admin", paper_db) as conn:
        most = _score(conn, "MOST-2024", 2024, testdata.E5)
        ln = _score(conn, "LN-2025", 2024, testdata.E5)
        lost = _rows(conn, "select indicator_code, points_lost from marts.fct_indicator_scores "
                           "where uscc = %s and eval_year = 2024 and points_lost <> 0", (testdata.E5,))
    assert most["total_points"] == most["max_points"] == 100
    assert ln["total_points"] == ln["max_points"] == 150
    assert ln["rank_in_region"] == 1 and ln["points_to_next_grade"] is None and not lost


# --------------------------------------------------------------------------------------------
# a new scheme by seed rows alone

NEW_INDICATORS = [
    # code, category, category name, name, value_source, method, unit
    ("R01", "K1", "研发投入", "研发费用", "torch_rd_expense", "percentile", "CNY"),
    ("R02", "K1", "研发投入", "研发强度", "torch_rd_intensity", "percentile", "ratio"),
    ("R03", "K1", "研发投入", "研发人员占比", "torch_rd_staff_share", "percentile", "ratio"),
    ("R04", "K2", "创新产出", "有效发明专利", "ip_valid_invention_patents", "percentile", "count"),
    ("R05", "K2", "创新产出", "近三年授权知识产权", "ip_granted_3y", "percentile", "count"),
    ("R06", "K2", "创新产出", "技术合同成交额", "torch_tech_contract_amount", "percentile", "CNY"),
    ("R07", "K3", "成长效益", "营业收入增长率", "torch_revenue_growth", "percentile", "ratio"),
    ("R08", "K3", "成长效益", "净利润率", "torch_net_profit_margin", "percentile", "ratio"),
    ("R09", "K3", "成长效益", "实缴税费", "tax_taxes_paid", "percentile", "CNY"),
    ("R10", "K4", "加分项", "科技企业资质", "tech_qualification_code", "bands", "code"),
    ("R11", "K4", "加分项", "制定标准", "sci_standards_3y", "bands", "count"),
    ("R12", "K4", "加分项", "梯度培育层级", "sci_ladder_top_tier", "bands", "code"),
]
NEW_WEIGHTS = {"R01": 12, "R02": 12, "R03": 10, "R04": 12, "R05": 10, "R06": 10, "R07": 12, "R08": 10,
               "R09": 12, "R10": 10, "R11": 10, "R12": 10}  # 100 + 30 = 130
NEW_BANDS = [("R10", 1, "0.5"), ("R10", 2, "1.0"), ("R11", 1, "0.4"), ("R11", 2, "0.7"), ("R11", 3, "1.0"),
             ("R12", 1, "0.4"), ("R12", 2, "0.7"), ("R12", 3, "1.0")]


def _append_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, encoding="utf-8") as f:
        fields = next(csv.reader(f))
    with open(path, "a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})


def _project_copy_with_new_scheme(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(ROOT / name, dest / name)
    for d in ("models", "macros", "seeds", "snapshots", "tests", "analyses"):
        if (ROOT / d).exists():
            shutil.copytree(ROOT / d, dest / d)
    seeds = dest / "seeds" / "scoring"
    _append_csv(seeds / "schemes.csv", [{
        "scheme_code": "REV-2025", "scheme_name_zh": "企业创新积分2.0（试行）", "parent_scheme": "MOST-2024",
        "max_points": 130, "cohort_level": "province", "region_code": "210000", "min_cohort_size": 5,
        "first_year": 2024}])
    _append_csv(seeds / "indicators.csv", [{
        "indicator_code": c, "scheme_family": "REV", "category_code": k, "category_name_zh": kn,
        "indicator_name_zh": n, "indicator_name_en": n, "value_source": vs, "method": m, "unit": u,
        "derivation": f"as {vs}", "display_order": 100 + i}
        for i, (c, k, kn, n, vs, m, u) in enumerate(NEW_INDICATORS)])
    _append_csv(seeds / "scheme_weights.csv", [
        {"scheme_code": "REV-2025", "stage": st, "indicator_code": c, "weight": w}
        for st in ("startup", "growth", "mature") for c, w in NEW_WEIGHTS.items()])
    _append_csv(seeds / "bands.csv", [{"indicator_code": c, "min_value": v, "ratio": r} for c, v, r in NEW_BANDS])
    return dest


def test_new_scheme_by_seed_rows_only(paper_db: Settings, tmp_path: Path) -> None:
    from innopoints.warehouse import dbt

    project = _project_copy_with_new_scheme(tmp_path / "project")
    with _using_database(paper_db.db_name):
        dbt([*SCORING_BUILD, "--project-dir", str(project), "--target-path", str(tmp_path / "target")],
            capture=True)
    try:
        with db.connect("admin", paper_db) as conn:
            new = _score(conn, "REV-2025", 2024, testdata.E5)
            cats = {r["category_code"] for r in _rows(
                conn, "select distinct category_code from marts.fct_indicator_scores where scheme_code = 'REV-2025'")}
            years = {r["eval_year"] for r in _rows(
                conn, "select distinct eval_year from marts.fct_enterprise_scores where scheme_code = 'REV-2025'")}
            n, _, problems = compare_with_reference(conn, project)
        assert new["total_points"] == new["max_points"] == 130
        assert cats == {"K1", "K2", "K3", "K4"} and years == {2024}
        assert n == 5 + 5 + 4 + 3 + 3 + 2 + 5  # and REV-2025 2024: 5
        assert not problems, "\n".join(problems[:20])
    finally:
        with _using_database(paper_db.db_name):
            dbt(SCORING_BUILD, capture=True)  # the committed seeds again, for any later test
