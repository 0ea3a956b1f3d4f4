"""What users read on the dashboards is the marts' figure: through Superset's API, each headline figure
of each dashboard, under the filters a user sets (the province, one city, a bank officer), equals the
figure computed here independently from the detail marts (one row per loan, policy application or
enterprise) or read from the mart row that defines it.

Real Superset on the session's demo warehouse, no mocks.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from innopoints import db
from innopoints.superset import authoring
from innopoints.superset.assets_spec import CHARTS, DASHBOARDS, NATIVE_FILTERS
from innopoints.superset.client import SupersetClient
from innopoints.superset.testing import Site
from psycopg.rows import dict_row

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "LN-2025"
CITY_NAME = "阜新市"
BANK = "FXB"

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv-superset" / "bin" / "superset").exists(),
    reason="Superset venv missing: run `make superset-env`",
)

BY_KEY = {c.key: c for c in CHARTS}


def _dashboard_of(key: str, slug: str | None = None) -> Any:
    return next(d for d in DASHBOARDS if (slug is None or d.slug == slug)
                and any(k == key for row in d.rows for k, _ in row))


def chart_rows(client: SupersetClient, ids: dict[str, int], key: str, slug: str | None = None,
               **values: Any) -> list[dict[str, Any]]:
    """The rows of chart `key` as its dashboard shows them with native filters set to `values`
    (column -> value or list); a filter applies only where the dashboard scopes it to the chart."""
    chart = BY_KEY[key]
    dash = _dashboard_of(key, slug)
    filters = []
    for f in NATIVE_FILTERS:
        if f.column in values and key in authoring.filter_scope(f, dash):
            v = values[f.column]
            filters.append({"col": f.column, "op": "IN", "val": v if isinstance(v, list) else [v]})
    payload = client.chart_data(ids[chart.title], force=True, filters=filters)
    assert payload["_status"] == 200, (key, payload.get("message"))
    result = payload["result"][0]
    assert not result.get("error"), (key, result.get("error"))
    return result["data"]


def one(client: SupersetClient, ids: dict[str, int], key: str, **values: Any) -> float | None:
    rows = chart_rows(client, ids, key, **values)
    assert len(rows) == 1, (key, rows)
    return rows[0][BY_KEY[key].metrics[0]]


def close(got: Any, want: Any, places: int = 6) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(float(got) - float(want)) <= 10 ** -places


@pytest.fixture(scope="module")
def wh(superset_site: Site):
    with db.connect("admin", superset_site.warehouse, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture(scope="module")
def ids(superset_site: Site) -> dict[str, int]:
    c = superset_site.client()
    return {c_["slice_name"]: c_["id"] for c_ in c.list_all("/api/v1/chart/", columns=["id", "slice_name"])}


@pytest.fixture(scope="module")
def year(wh) -> int:
    return wh.execute("select max(eval_year) as y from marts.fct_enterprise_scores where scheme_code = %s",
                      (SCHEME,)).fetchone()["y"]


def _enterprise_figures(wh, year: int, city: str | None) -> dict[str, Any]:
    """The cockpit's figures from one row per enterprise, loan and policy application."""
    where_city = "and city_name_zh = %(city)s" if city else ""
    s = wh.execute(f"""
        select count(*) as enterprises, count(*) filter (where grade = 'A') as grade_a,
               count(*) filter (where is_vetoed) as vetoed,
               avg(total_points) filter (where not is_vetoed) as mean_scored,
               percentile_cont(0.5) within group (order by total_points) filter (where not is_vetoed) as median
        from marts.fct_enterprise_scores
        where scheme_code = %(scheme)s and eval_year = %(year)s {where_city}""",
                   {"scheme": SCHEME, "year": year, "city": city}).fetchone()
    city_cond = ("and city_code in (select region_code from seeds.regions where region_name_zh = %(city)s)"
                 if city else "")
    loans = wh.execute(f"""
        select count(distinct uscc) filter (where is_decided and decision_year = %(year)s) as decided,
               count(distinct uscc) filter (where is_approved and decision_year = %(year)s) as approved,
               sum(amount_disbursed) filter (where is_disbursed and disbursed_year = %(year)s) as amount,
               count(distinct uscc) filter (where is_disbursed and disbursed_year = %(year)s) as financed,
               sum(amount_disbursed * annual_rate_pct)
                   filter (where is_disbursed and disbursed_year = %(year)s and annual_rate_pct is not null)
               / nullif(sum(amount_disbursed) filter (where is_disbursed and disbursed_year = %(year)s
                                                     and annual_rate_pct is not null), 0) as rate
        from marts.fct_loan_applications
        where scheme_code = %(scheme)s {city_cond}""", {"scheme": SCHEME, "year": year, "city": city}).fetchone()
    pol = wh.execute(f"""
        select sum(amount_disbursed) as amount, count(*) as paid, count(*) filter (where is_on_time) as on_time
        from marts.fct_policy_applications
        where is_disbursed and disbursed_year = %(year)s
          and city_code in (select city_code from marts.dim_score_scope
                            where scheme_code = %(scheme)s and eval_year = %(year)s) {city_cond}""",
                     {"scheme": SCHEME, "year": year, "city": city}).fetchone()
    return {
        "lc_enterprises": s["enterprises"], "lc_grade_a": s["grade_a"], "lc_vetoed": s["vetoed"],
        "lc_avg": s["mean_scored"], "lc_median": s["median"],
        "lc_success": Decimal(loans["approved"]) / loans["decided"] if loans["decided"] else None,
        "lc_amount": (loans["amount"] or 0) / Decimal("1e8"), "lc_financed": loans["financed"],
        "lc_cost": loans["rate"],
        "lc_policy_amount": (pol["amount"] or 0) / Decimal("1e4"),
        "lc_policy_on_time": Decimal(pol["on_time"]) / pol["paid"] if pol["paid"] else None,
    }


@pytest.mark.parametrize("city", [None, CITY_NAME], ids=["province", "city"])
def test_cockpit_figures_are_the_figures_of_the_detail_marts(superset_site: Site, ids, wh, year,
                                                             city: str | None) -> None:
    """The cockpit's cards for the province (no city chosen) and for one city, as a province officer and,
    for the city, as that city's officer, equal the figures recomputed from one row per enterprise, loan
    and payment. The enterprise-level success rate is not the application-level one."""
    want = _enterprise_figures(wh, year, city)
    users = ["admin"] + (["city_210900"] if city else [])
    for user in users:
        client = superset_site.client(user)
        filters = {"eval_year": year, "scheme_code": SCHEME}
        if city:
            filters["city_name_zh"] = [city]
        for key, expected in want.items():
            got = one(client, ids, key, **filters)
            places = 4 if key in ("lc_avg", "lc_median", "lc_cost") else 6
            assert close(got, expected, places), (user, city, key, got, expected)


def test_cockpit_is_the_headline_mart_and_its_yoy(superset_site: Site, ids, wh, year) -> None:
    """With no city chosen the cockpit shows the province row of fct_leadership_headline (and its 同比
    rows); with one city, that city's row."""
    client = superset_site.client()
    for region_level, city in (("province", None), ("city", CITY_NAME)):
        cond = "region_level = 'province'" if city is None else "city_name_zh = %(city)s"
        h = wh.execute(f"select * from marts.fct_leadership_headline where scheme_code = %(s)s "
                       f"and eval_year = %(y)s and {cond}", {"s": SCHEME, "y": year, "city": city}).fetchone()
        assert h is not None, (region_level, city)
        filters: dict[str, Any] = {"eval_year": year, "scheme_code": SCHEME}
        if city:
            filters["city_name_zh"] = [city]
        assert one(client, ids, "lc_enterprises", **filters) == h["enterprises_evaluated"]
        assert close(one(client, ids, "lc_avg", **filters), h["mean_points"], 2)
        assert close(one(client, ids, "lc_success", **filters), h["enterprise_success_rate"])
        assert close(one(client, ids, "lc_median", **filters), h["median_points"], 2)
        yoy = {r["figure_zh"]: r for r in wh.execute(
            f"select * from marts.fct_leadership_yoy where scheme_code = %(s)s and eval_year = %(y)s and {cond}",
            {"s": SCHEME, "y": year, "city": city}).fetchall()}
        rows = chart_rows(client, ids, "lc_yoy", **filters)
        assert [r["figure_zh"] for r in rows] == sorted(yoy, key=lambda f: yoy[f]["figure_order"])
        for r in rows:
            m = yoy[r["figure_zh"]]
            assert close(r["yoy_this"], m["value_this_year"], 4), (city, r, m)
            assert close(r["yoy_last"], m["value_last_year"], 4), (city, r, m)
            assert close(r["yoy_change"], m["yoy_change"], 4), (city, r, m)


def test_financing_by_bank_enterprise_and_application_rates(superset_site: Site, ids, wh) -> None:
    """各银行融资情况 per bank and year: the enterprise-level rate (enterprises with an approval among those
    with a decision in the year, at that bank) and the application-level rate, recomputed from the loans,
    as a province officer and as the bank's own officer."""
    want: dict[tuple[int, str], dict[str, Any]] = {}
    for r in wh.execute("""
        select decision_year, bank_name_zh, bank_code,
               count(distinct uscc) filter (where is_approved) * 1.0 / count(distinct uscc) as ent,
               count(*) filter (where is_approved) * 1.0 / count(*) as app
        from marts.fct_loan_applications
        where scheme_code = %s and is_decided group by 1, 2, 3""", (SCHEME,)).fetchall():
        want[(r["decision_year"], r["bank_name_zh"])] = r
    for user in ("admin", f"bank_{BANK}"):
        client = superset_site.client(user)
        for y in sorted({year for year, _ in want}):
            rows = chart_rows(client, ids, "fm_by_bank", eval_year=y, scheme_code=SCHEME)
            expected = {name for (year, name), w in want.items()
                        if year == y and (user == "admin" or w["bank_code"] == BANK)}
            assert {r["bank_name_zh"] for r in rows} == expected, (user, y)
            for r in rows:
                w = want[(y, r["bank_name_zh"])]
                assert close(r["fy_success"], w["ent"]) and close(r["fy_app_success"], w["app"]), (user, r, w)


def test_funnel_follows_the_applications_of_the_year(superset_site: Site, ids, wh) -> None:
    y = wh.execute("select max(applied_year) as y from marts.fct_loan_applications").fetchone()["y"] - 1
    r = wh.execute("""
        select count(*) as s1, count(*) filter (where is_decided) as s2, count(*) filter (where is_approved) as s3,
               count(*) filter (where is_disbursed) as s4
        from marts.fct_loan_applications where scheme_code = %s and applied_year = %s""", (SCHEME, y)).fetchone()
    rows = chart_rows(superset_site.client(), ids, "fm_funnel", eval_year=y, scheme_code=SCHEME)
    got = {row["stage_zh"]: row["ff_applications"] for row in rows}
    assert sorted(got.values(), reverse=True) == [r["s1"], r["s2"], r["s3"], r["s4"]], got


def test_policy_cards_and_backlog_agree(superset_site: Site, ids, wh) -> None:
    """政策兑现: the applications of the year followed to payment (兑现 ≤ 批准 ≤ 受理 for every type),
    recomputed from one row per application; the backlog card and the backlog table show one scope."""
    client = superset_site.client()
    y = wh.execute("select max(applied_year) as y from marts.fct_policy_applications").fetchone()["y"] - 1
    apps = wh.execute("""select policy_type_name_zh, count(*) as received,
               count(*) filter (where approved_date is not null) as approved,
               count(*) filter (where is_disbursed) as disbursed
        from marts.fct_policy_applications where applied_year = %s and city_code is not null group by 1""",
                      (y,)).fetchall()
    assert one(client, ids, "pd_received", eval_year=y) == sum(a["received"] for a in apps)
    assert one(client, ids, "pd_disbursed", eval_year=y) == sum(a["disbursed"] for a in apps)
    by_type = {r["policy_type_name_zh"]: r for r in chart_rows(client, ids, "pd_by_type", eval_year=y)}
    for a in apps:
        r = by_type[a["policy_type_name_zh"]]
        assert (r["py_received"], r["py_approved"], r["py_disbursed"]) == (a["received"], a["approved"],
                                                                           a["disbursed"])
        assert r["py_disbursed"] <= r["py_approved"] <= r["py_received"]
    backlog = wh.execute("select count(*) as n from marts.fct_policy_applications "
                         "where is_backlog and city_code is not null").fetchone()["n"]
    assert one(client, ids, "pd_backlog", eval_year=y) == backlog
    table = chart_rows(client, ids, "pd_backlog_table", eval_year=y)
    assert sum(r["py_backlog"] for r in table) == backlog


def test_every_chart_honours_the_year_or_says_it_does_not(superset_site: Site) -> None:
    """A chart whose table has a year either gets the year filter or says, in its description, that it
    shows another scope (不随年度筛选 / 截至统计日)."""
    from innopoints.superset.assets_spec import DATASETS

    tables = {d.table: d for d in DATASETS}
    silent = []
    for dash in DASHBOARDS:
        year_filters = [f for f in NATIVE_FILTERS if f.column == "eval_year" and authoring.filter_scope(f, dash)]
        scoped = {k for f in year_filters for k in authoring.filter_scope(f, dash)}
        for row in dash.rows:
            for key, _ in row:
                chart = BY_KEY[key]
                says_so = chart.description and any(t in chart.description for t in ("不随年度", "截至"))
                if "eval_year" in tables[chart.dataset].columns and key not in scoped and not says_so:
                    silent.append((dash.slug, key))
    assert not silent, silent


def test_every_chart_has_a_definition_and_names_not_codes() -> None:
    """Each chart says in one line what it shows; tables and axes show names, codes only beside them."""
    from innopoints.superset.assets_spec import DATASETS

    codes = {"city_code", "bank_code", "product_code", "grade", "stage", "industry_section", "policy_type",
             "feed", "suite_name", "reason", "pool_code"}
    tables = {d.table: d for d in DATASETS}
    for chart in CHARTS:
        assert chart.description and len(chart.description) <= 80, chart.key
        shown = [*chart.groupby, *([chart.x_axis] if chart.x_axis else []), *chart.pivot_columns]
        bare = [c for c in shown if c in codes]
        assert not bare, (chart.key, bare)
        for m in tables[chart.dataset].metrics:
            assert m.description, (chart.dataset, m.name)


def test_bank_officer_lands_on_and_exports_its_own_list(superset_site: Site, ids, wh) -> None:
    """本行可服务企业名单 as the bank's officer: exactly the enterprises whose consent to the bank is in force
    (from dim_bank_consents), with their latest grade; exported to Excel (xlsx) with the same rows."""
    from openpyxl import load_workbook

    client = superset_site.client(f"bank_{BANK}")
    consenting = {r["uscc"] for r in wh.execute(
        "select uscc from marts.dim_bank_consents where bank_code = %s and is_in_force", (BANK,)).fetchall()}
    scored = {r["uscc"] for r in wh.execute(
        "select distinct uscc from marts.fct_enterprise_scores where scheme_code = %s", (SCHEME,)).fetchall()}
    rows = chart_rows(client, ids, "be_list", scheme_code=SCHEME)
    assert rows and {r["uscc"] for r in rows} == consenting & scored
    assert all(r["grade_display_zh"] for r in rows)
    chart = client.get(f"/api/v1/chart/{ids[BY_KEY['be_list'].title]}")["result"]
    body = json.loads(chart["query_context"])
    body.update({"result_format": "xlsx", "result_type": "full", "force": True})
    for q in body["queries"]:
        q["filters"] = [{"col": "scheme_code", "op": "IN", "val": [SCHEME]}]
    r = client.request("POST", "/api/v1/chart/data", expect=(200,), json=body)
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    exported = list(sheet.iter_rows(values_only=True))
    header, data = exported[0], exported[1:]
    assert "统一社会信用代码" in header or "uscc" in header, header
    col = header.index("统一社会信用代码") if "统一社会信用代码" in header else header.index("uscc")
    assert {row[col] for row in data} == consenting & scored
