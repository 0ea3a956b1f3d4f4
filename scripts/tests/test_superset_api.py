"""Superset on the demo warehouse, through its REST API: charts, row-level security, idempotent setup.

Real Superset (its own venv), real PostgreSQL (the session's test database), no mocks. The site runs
on its own port and state directory so a demo on :8088 is left alone.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import pytest
from innopoints.config import Settings
from innopoints.superset import security
from innopoints.superset.assets_spec import CHARTS, DASHBOARDS
from innopoints.superset.client import SupersetClient
from innopoints.superset.env import read_json
from innopoints.superset.testing import Site

ROOT = Path(__file__).resolve().parents[2]
CITY = "210900"  # 阜新市
BANK = "FXB"  # 阜新银行
BANK_NAME = "阜新银行"

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv-superset" / "bin" / "superset").exists(),
    reason="Superset venv missing: run `make superset-env`",
)



def charts_by_title(client: SupersetClient) -> dict[str, int]:
    return {c["slice_name"]: c["id"] for c in client.list_all("/api/v1/chart/", columns=["id", "slice_name"])}


def data_rows(client: SupersetClient, chart_id: int) -> tuple[int, list[dict[str, Any]]]:
    payload = client.chart_data(chart_id, force=True)
    assert payload["_status"] == 200, payload
    result = payload["result"][0]
    assert not result.get("error"), result.get("error")
    return result["rowcount"], result["data"]


def test_setup_leaves_no_missing_table_or_dashboard(superset_site: Site) -> None:
    assert superset_site.summary["missing_tables"] == []
    assert superset_site.summary["missing_dashboards"] == []
    c = superset_site.client()
    titles = {d["dashboard_title"] for d in c.list_all("/api/v1/dashboard/", columns=["dashboard_title"])}
    assert {d.title for d in DASHBOARDS} <= titles


def test_dashboards_with_filters_on_marts_only(superset_site: Site) -> None:
    """The spec's six dashboards, the two lists and 公示与异议, each with the year/scheme/city filters its tables
    allow (the city by name), on marts only."""
    from innopoints.superset.assets_spec import DATASETS

    assert len(DASHBOARDS) == 9 and set(security.AUDIENCE) == {d.slug for d in DASHBOARDS}
    c = superset_site.client()
    tables = {ds.table: ds for ds in DATASETS}
    by_slug = {d["slug"]: d["id"] for d in c.list_all("/api/v1/dashboard/", columns=["id", "slug"])}
    for dash in DASHBOARDS:
        meta = c.get(f"/api/v1/dashboard/{by_slug[dash.slug]}")["result"]
        filters = json.loads(meta["json_metadata"])["native_filter_configuration"]
        have = {f["targets"][0]["column"]["name"] for f in filters}
        cols = {col for row in dash.rows for key, _ in row
                for col in tables[next(ch.dataset for ch in CHARTS if ch.key == key)].columns}
        assert {"eval_year", "scheme_code", "city_name_zh"} & cols <= have, (dash.slug, have)
    for ds in security.innopoints_datasets(c):
        assert ds.schema == "marts" and ds.table_name.startswith(("fct_", "dim_")), ds.table_name


def test_every_chart_of_every_dashboard_returns_data(superset_site: Site) -> None:
    c = superset_site.client()
    ids = charts_by_title(c)
    empty, failed = [], []
    for dash in DASHBOARDS:
        for row in dash.rows:
            for key, _ in row:
                chart = next(ch for ch in CHARTS if ch.key == key)
                payload = c.chart_data(ids[chart.title], force=True)
                result = (payload.get("result") or [{}])[0]
                if payload["_status"] != 200 or result.get("error"):
                    failed.append((dash.title, chart.title, payload.get("message") or result.get("error")))
                elif not result.get("rowcount") and not chart.may_be_empty:
                    empty.append((dash.title, chart.title))
    assert not failed, failed
    assert not empty, f"charts without data on the demo warehouse: {empty}"


def test_counted_marts_give_the_figures_of_the_enterprise_scores(superset_site: Site) -> None:
    """Distribution charts read pre-counted marts; their figures equal the same aggregates taken over one
    row per enterprise (the exact median, the average of the enterprises not vetoed, per city too)."""
    from innopoints import db

    with db.connect("admin", superset_site.warehouse) as conn:
        median = conn.execute("select percentile_cont(0.5) within group (order by total_points)"
                              " from marts.fct_enterprise_scores where not is_vetoed").fetchone()[0]
        by_city = {r[0]: float(r[1]) for r in conn.execute(
            "select city_name_zh, avg(total_points) from marts.fct_enterprise_scores where not is_vetoed"
            " group by city_name_zh").fetchall()}
    c = superset_site.client()
    ids = charts_by_title(c)
    assert data_rows(c, ids["创新积分中位数"])[1][0]["median_points"] == pytest.approx(median, abs=1e-9)
    _, rows = data_rows(c, ids["各市平均创新积分"])
    got = {r["city_name_zh"]: r["avg_points_scored"] for r in rows}
    assert got.keys() == by_city.keys()
    for city, avg in by_city.items():
        assert got[city] == pytest.approx(avg, abs=1e-9), city


CITY_NAME = "阜新市"


def _city_columns(rows: list[dict[str, Any]]) -> set[str]:
    """The cities a chart's rows name (by code or, as dashboards show them, by name)."""
    named = {CITY_NAME: CITY}
    return ({str(r[k]) for r in rows for k in ("city_code", "region_code") if k in r}
            | {named.get(str(r["city_name_zh"]), str(r["city_name_zh"])) for r in rows if "city_name_zh" in r})


def test_city_officer_sees_only_that_city(superset_site: Site) -> None:
    admin_ids = charts_by_title(superset_site.client())
    c = superset_site.client(f"city_{CITY}")
    visible = charts_by_title(c)
    checked = 0
    for chart in CHARTS:
        if chart.title not in visible:
            continue
        _, rows = data_rows(c, visible[chart.title])
        cities = _city_columns(rows)
        assert cities <= {CITY}, (chart.title, cities)
        checked += bool(cities)
    assert checked >= 2, "no chart exposed a city column to check"
    # the province sees more than one city in the same chart
    p = superset_site.client("province")
    _, rows = data_rows(p, admin_ids["各市积分与融资"])
    assert len(_city_columns(rows)) > 1


def _consenting(settings: Settings, bank: str) -> set[str]:
    from innopoints import db

    with db.connect("admin", settings) as conn:
        rows = conn.execute(
            f"select uscc from {security.CONSENT_TABLE} where bank_code = %s and is_in_force", (bank,)
        ).fetchall()
    return {r[0] for r in rows}


def test_bank_officer_sees_only_consenting_enterprises_and_own_loans(superset_site: Site) -> None:
    if not superset_site.summary.get("consent_table"):
        pytest.skip(f"{security.CONSENT_TABLE} is not built yet: bank roles are denied every enterprise")
    consenting = _consenting(superset_site.warehouse, BANK)
    c = superset_site.client(f"bank_{BANK}")
    visible = charts_by_title(c)
    assert "企业积分与等级" in visible
    seen_uscc: set[str] = set()
    for chart in CHARTS:
        if chart.title not in visible:
            continue
        _, rows = data_rows(c, visible[chart.title])
        seen_uscc |= {r["uscc"] for r in rows if "uscc" in r}
        banks = {r["bank_code"] for r in rows if "bank_code" in r}
        assert banks <= {BANK}, (chart.title, banks)
        names = {r["bank_name_zh"] for r in rows if "bank_name_zh" in r}
        assert names <= {BANK_NAME}, (chart.title, names)
    assert seen_uscc, "the bank officer saw no enterprise at all"
    assert seen_uscc <= consenting, sorted(seen_uscc - consenting)[:5]


def _count_query(dataset_id: int, columns: list[str]) -> dict[str, Any]:
    """A chart-data request counting a dataset's rows (column `n`) by `columns`, bypassing the cache."""
    return {
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [{"columns": columns, "metrics": [{"expressionType": "SQL", "sqlExpression": "COUNT(*)",
                                                      "label": "n"}], "row_limit": 1000}],
        "result_format": "json", "result_type": "full", "force": True,
    }


def _dataset_rows(client: SupersetClient, dataset_id: int, columns: list[str]) -> list[dict[str, Any]]:
    return client.post("/api/v1/chart/data", _count_query(dataset_id, columns))["result"][0]["data"]


def test_filter_values_readable_by_every_data_role(superset_site: Site) -> None:
    """The year/scheme/city filters read dim_score_scope: a bank sees every scope (its dashboards need a
    year), a city officer only their city, and neither sees any enterprise figure there."""
    admin = superset_site.client()
    scope = next(d for d in security.innopoints_datasets(admin) if d.table_name in security.SCOPE_TABLES)
    assert not {"uscc", "enterprises"} & set(scope.columns)
    everything = _dataset_rows(admin, scope.id, ["scheme_code", "eval_year", "city_code"])
    assert len({r["city_code"] for r in everything}) > 1
    bank = _dataset_rows(superset_site.client(f"bank_{BANK}"), scope.id, ["scheme_code", "eval_year", "city_code"])
    assert sorted(map(str, bank)) == sorted(map(str, everything))
    city = _dataset_rows(superset_site.client(f"city_{CITY}"), scope.id, ["city_code"])
    assert {r["city_code"] for r in city} == {CITY}


def test_deny_by_default_for_a_data_role_without_rule(superset_site: Site) -> None:
    """A city role has no rule on datasets without a city column: it must get no row of them."""
    c = superset_site.client(f"city_{CITY}")
    admin = superset_site.client()
    datasets = security.innopoints_datasets(admin)
    no_city = [d for d in datasets if not d.city_column]
    for ds in no_city:
        r = c.request("POST", "/api/v1/chart/data", expect=(200, 403, 404), json=_count_query(ds.id, []))
        if r.status_code == 200:
            assert r.json()["result"][0]["data"][0]["n"] == 0, ds.table


def test_sql_lab_applies_rls_for_city_officer(superset_site: Site) -> None:
    admin = superset_site.client()
    db_id = next(d["id"] for d in admin.list_all("/api/v1/database/", columns=["id", "database_name"])
                 if d["database_name"] == "innopoints")
    c = superset_site.client(f"city_{CITY}")
    res = c.post("/api/v1/sqllab/execute/", {
        "database_id": db_id, "schema": "marts", "runAsync": False,
        "sql": "select distinct city_code from marts.fct_enterprise_scores",
    }, expect=(200, 202))
    assert {r["city_code"] for r in res["data"]} == {CITY}


def test_analyst_reads_marts_but_not_raw(superset_site: Site) -> None:
    admin = superset_site.client()
    db_id = next(d["id"] for d in admin.list_all("/api/v1/database/", columns=["id", "database_name"])
                 if d["database_name"] == "innopoints")
    c = superset_site.client("analyst")
    ok = c.post("/api/v1/sqllab/execute/", {"database_id": db_id, "schema": "marts", "runAsync": False,
                                            "sql": "select count(*) as n from marts.fct_enterprise_scores"})
    assert ok["data"][0]["n"] > 0
    r = c.request("POST", "/api/v1/sqllab/execute/", expect=(200, 400, 403, 422, 500), json={
        "database_id": db_id, "schema": "raw", "runAsync": False, "sql": "select 1 from raw.registry limit 1"})
    assert r.status_code != 200 or r.json().get("status") == "failed", r.text[:300]


def test_setup_is_idempotent(superset_site: Site) -> None:
    summary = security.apply_security(superset_site.client(), ROOT)
    assert (summary["rls_created"], summary["rls_updated"], summary["rls_deleted"]) == (0, 0, 0)


def test_export_is_a_proposal_against_the_generated_assets(superset_site: Site, tmp_path: Path) -> None:
    """An export of the site is a proposal: written elsewhere, never over superset/assets/, holding the
    same assets (by UUID), and showing no change when nobody edited anything in the UI; a chart renamed
    in the UI shows up as a change to carry into assets_spec.py."""
    from innopoints.superset.bundle import asset_files, export_bundle, load_yaml, proposal_changes

    before = {p: p.read_bytes() for p in asset_files(ROOT / "superset" / "assets")}
    out = tmp_path / "proposal"
    export_bundle(superset_site.client(), superset_site.env, out)
    assert {p: p.read_bytes() for p in asset_files(ROOT / "superset" / "assets")} == before

    def uuids(root: Path) -> set[str]:
        return {str(load_yaml(p).get("uuid")) for p in asset_files(root) if p.name != "metadata.yaml"}

    assert uuids(out) == uuids(ROOT / "superset" / "assets")
    chart = next(p for p in (out / "charts").glob("*.yaml"))
    text = chart.read_text(encoding="utf-8")
    name = load_yaml(chart)["slice_name"]
    chart.write_text(text.replace(f"slice_name: {name}", "slice_name: 改过的标题", 1), encoding="utf-8")
    changes = proposal_changes(out, ROOT / "superset" / "assets")
    assert any("slice_name" in c and chart.name in c for c in changes), changes


# Login throttling. The attacks come from loopback addresses of their own (the limit is keyed by
# client IP and counts failed logins only), so they cannot throttle the other tests' logins.
LOGIN_BUDGET = 10  # LOGIN_FAILURES_PER_MINUTE in superset/superset_config.py


def _request(site: Site, method: str, path: str, headers: dict[str, str], body: bytes | None = None,
             source: str = "127.0.0.1") -> tuple[http.client.HTTPResponse, bytes]:
    """One request to the site from the loopback address ``source``, on a connection of its own."""
    url = urllib.parse.urlsplit(site.env.base_url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def _post_login(site: Site, source: str, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    response, data = _request(site, "POST", path, {"Content-Type": content_type}, body, source)
    return response.status, data


def _api_login(site: Site, source: str, username: str, password: str) -> tuple[int, bytes]:
    payload = json.dumps({"username": username, "password": password, "provider": "db", "refresh": False})
    return _post_login(site, source, "/api/v1/security/login", payload.encode(), "application/json")


def test_failed_logins_do_not_tell_which_users_exist(superset_site: Site) -> None:
    admin = read_json(superset_site.env.admin_file)["username"]
    unknown = _api_login(superset_site, "127.0.0.71", f"nobody-{uuid.uuid4().hex[:8]}", "wrong-password-1")
    wrong = _api_login(superset_site, "127.0.0.71", admin, "wrong-password-1")
    assert unknown[0] == wrong[0] == 401
    assert unknown[1] == wrong[1]


def test_brute_force_logins_are_throttled(superset_site: Site) -> None:
    source, user = "127.0.0.72", f"brute-{uuid.uuid4().hex[:8]}"
    statuses = [_api_login(superset_site, source, user, f"guess-{i}")[0] for i in range(40)]
    # each gunicorn worker counts on its own; together they let through at most the budget
    assert set(statuses) == {401, 429} and statuses.count(401) <= LOGIN_BUDGET, statuses
    # the right password from another address still logs in
    assert charts_by_title(superset_site.client())


def test_repeated_successful_logins_are_not_throttled(superset_site: Site) -> None:
    creds = read_json(superset_site.env.admin_file)
    statuses = [_api_login(superset_site, "127.0.0.73", creds["username"], creds["password"])[0]
                for _ in range(LOGIN_BUDGET + 2)]
    assert statuses == [200] * (LOGIN_BUDGET + 2)


# Before anyone has logged in. The login page's scripts send requests of their own (its events, the
# interface's translations); an answer to one of them that reaches the browser after the login's must
# not replace the new session (the browser test shows the login surviving such a late answer).

def _get(site: Site, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    return _request(site, "GET", path, headers)[0]


def test_a_script_request_before_login_leaves_the_session_cookie_alone(superset_site: Site) -> None:
    first = _get(superset_site, "/login/", {"Sec-Fetch-Mode": "navigate"})
    cookie = first.getheader("Set-Cookie", "").split(";", 1)[0]
    assert cookie.startswith("session="), first.getheaders()
    for path in ("/superset/welcome/", "/api/v1/me/", "/superset/dashboard/leadership-cockpit/"):
        # a script's request (fetch, XHR, beacon): refused, and no cookie that could replace a login
        script = _get(superset_site, path, {"Cookie": cookie, "Sec-Fetch-Mode": "cors"})
        assert script.status in (302, 401), (path, script.status)
        assert script.getheader("Set-Cookie") is None, (path, script.getheaders())
    # a navigation still gets Superset's answer: to the login page, with its notice in the session
    opened = _get(superset_site, "/superset/welcome/", {"Cookie": cookie, "Sec-Fetch-Mode": "navigate"})
    assert opened.status == 302 and "/login/" in opened.getheader("Location", "")
    assert opened.getheader("Set-Cookie", "").startswith("session=")


def test_the_login_page_gets_the_chinese_interface_before_login(superset_site: Site) -> None:
    response, body = _request(superset_site, "GET", "/superset/language_pack/zh/", {"Sec-Fetch-Mode": "cors"})
    assert response.status == 200 and response.getheader("Content-Type", "").startswith("application/json")
    assert response.getheader("Set-Cookie") is None
    strings = json.loads(body)["locale_data"]["superset"]
    # Superset 6.1's pack reads "Not In" for "Sign in" and leaves the prompt untranslated
    assert strings["Sign in"] == ["登录"]
    assert strings["Enter your login and password below:"] == ["请输入用户名和密码："]
    assert strings["Password"] == ["密码"]  # the rest is Superset's own
    # a browser that has the pack is answered 304, without the pack again
    etag = response.getheader("ETag")
    assert etag and _get(superset_site, "/superset/language_pack/zh/", {"If-None-Match": etag}).status == 304
    # only the configured languages are served before login; anything else stays behind Superset's login
    other = _get(superset_site, "/superset/language_pack/fr/", {"Sec-Fetch-Mode": "cors"})
    assert other.status == 302
