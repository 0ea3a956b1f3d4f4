"""Through Superset, as a city officer and a bank officer, every way around Superset's own SQL rewriting
returns nothing outside the user's scope, because each user reaches PostgreSQL as the login of their
audience and the database filters the rows. Real Superset, real PostgreSQL; expected rows come from the
administrator's view of the warehouse."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from innopoints.superset import security
from innopoints.superset.client import SupersetClient
from innopoints.superset.testing import Site

from .test_access_postgres import consenting
from .test_quality_support import admin
from .test_superset_api import BANK, CITY, pytestmark  # noqa: F401 (the same skip when Superset is absent)


def _dataset(site: Site, table: str) -> int:
    return next(d.id for d in security.innopoints_datasets(site.client()) if d.table_name == table)


def _chart_data(client: SupersetClient, dataset_id: int, metric_sql: str, where: str = "") -> tuple[int, Any]:
    body = {
        "datasource": {"id": dataset_id, "type": "table"},
        "queries": [{"columns": [], "metrics": [{"expressionType": "SQL", "sqlExpression": metric_sql,
                                                 "label": "m"}],
                     "row_limit": 10, "extras": {"where": where} if where else {}}],
        "result_format": "json", "result_type": "full", "force": True,
    }
    r = client.request("POST", "/api/v1/chart/data", expect=(200, 400, 403, 422, 500), json=body)
    data = r.json()
    if r.status_code != 200:
        return r.status_code, data
    result = data["result"][0]
    return (500 if result.get("error") else 200), result.get("data") or result.get("error")


def _db_id(site: Site) -> int:
    return next(d["id"] for d in site.client().list_all("/api/v1/database/", columns=["id", "database_name"])
                if d["database_name"] == "innopoints")


def _sql_lab(client: SupersetClient, db_id: int, sql: str) -> tuple[int, Any]:
    r = client.request("POST", "/api/v1/sqllab/execute/", expect=(200, 202, 400, 403, 422, 500), json={
        "database_id": db_id, "schema": "marts", "runAsync": False, "sql": sql})
    data = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text
    if r.status_code == 200 and isinstance(data, dict) and data.get("status") == "failed":
        return 500, data
    return r.status_code, data


def _city_count() -> int:
    return admin("select count(*) from marts.fct_enterprise_scores where city_code = %s", (CITY,))[0][0]


@pytest.mark.parametrize("metric", [
    "COUNT(*)",
    "(SELECT COUNT(*) FROM marts.fct_enterprise_scores)",
    "MAX(query_to_xml('select count(*) as n from marts.fct_enterprise_scores', true, false, '')::text)",
])
def test_city_officer_chart_data_with_ad_hoc_sql(superset_site: Site, metric: str) -> None:
    ds = _dataset(superset_site, "fct_enterprise_scores")
    status, data = _chart_data(superset_site.client(f"city_{CITY}"), ds, metric, where="1 = 1 OR city_code <> ''")
    text = json.dumps(data, ensure_ascii=False, default=str)
    total = admin("select count(*) from marts.fct_enterprise_scores")[0][0]
    assert f">{total}<" not in text and f'"m": {total}' not in text, text[:500]
    if status == 200:  # run by the database as the city's login: the city's rows only
        assert data[0]["m"] in (_city_count(),), data
    elif "query_to_xml" in metric:
        assert "permission denied" in text or "not allowed" in text.lower() or status in (400, 403, 422), text[:500]


def test_city_officer_ad_hoc_sql_column_counts_the_city_only(superset_site: Site) -> None:
    """An ad-hoc SQL column (a sub-query in the SELECT list, grouped by) is run by the database as the
    city's login: it counts the city's rows, not the province's."""
    ds = _dataset(superset_site, "fct_enterprise_scores")
    body = {
        "datasource": {"id": ds, "type": "table"},
        "queries": [{"columns": [{"expressionType": "SQL", "label": "c",
                                  "sqlExpression": "(SELECT COUNT(*) FROM marts.fct_enterprise_scores)"}],
                     "metrics": [{"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "m"}],
                     "row_limit": 10}],
        "result_format": "json", "result_type": "full", "force": True,
    }
    r = superset_site.client(f"city_{CITY}").request("POST", "/api/v1/chart/data",
                                                     expect=(200, 400, 403, 422, 500), json=body)
    if r.status_code == 200 and not r.json()["result"][0].get("error"):
        data = r.json()["result"][0]["data"]
        assert {row["c"] for row in data} == {_city_count()}, data
    else:  # refused by Superset before it reaches the database: nothing leaked either
        assert str(admin("select count(*) from marts.fct_enterprise_scores")[0][0]) not in r.text


def test_bank_officer_chart_data_cannot_reach_other_enterprises_or_banks(superset_site: Site) -> None:
    bank = superset_site.client(f"bank_{BANK}")
    scores = _dataset(superset_site, "fct_enterprise_scores")
    mine = consenting(BANK) & {r[0] for r in admin("select distinct uscc from marts.fct_enterprise_scores")}
    status, data = _chart_data(bank, scores, "COUNT(DISTINCT uscc)", where="1 = 1 OR uscc IS NOT NULL")
    assert status == 200 and data[0]["m"] == len(mine), data
    status, data = _chart_data(bank, scores, "(SELECT COUNT(DISTINCT bank_code) FROM marts.fct_loan_applications)")
    assert status != 200 or data[0]["m"] <= 1, data
    status, data = _chart_data(
        bank, scores, "MAX(query_to_xml('select count(*) from marts.fct_loan_applications', true, false, '')::text)")
    assert status != 200, data
    loans = admin("select count(*) from marts.fct_loan_applications where bank_code <> %s", (BANK,))[0][0]
    assert loans > 0  # there are other banks' loans to hide


@pytest.mark.parametrize("sql", [
    "with fct_enterprise_scores as (select * from marts.fct_enterprise_scores) "
    "select count(distinct city_code) as n from fct_enterprise_scores",
    "select count(distinct city_code) as n from (select city_code from marts.fct_enterprise_scores) as s",
    "select count(distinct city_code) as n from marts.fct_enterprise_scores where 1 = 1 or city_code <> ''",
])
def test_city_officer_sql_lab_stays_in_the_city(superset_site: Site, sql: str) -> None:
    status, data = _sql_lab(superset_site.client(f"city_{CITY}"), _db_id(superset_site), sql)
    assert status == 200, data
    assert data["data"][0]["n"] == 1, data["data"]


@pytest.mark.parametrize("sql", [
    "prepare q as select count(*) from marts.fct_enterprise_scores; execute q",
    "explain analyze select * from marts.fct_enterprise_scores",
    "select query_to_xml('select * from marts.fct_enterprise_scores', true, false, '')",
    "set role innopoints_reporter",
])
def test_city_officer_sql_lab_tricks_reveal_nothing_more(superset_site: Site, sql: str) -> None:
    status, data = _sql_lab(superset_site.client(f"city_{CITY}"), _db_id(superset_site), sql)
    if status != 200:
        return  # refused (by Superset or by the database): nothing was read
    values = [v for row in data.get("data") or [] for v in row.values()]
    total = admin("select count(*) from marts.fct_enterprise_scores")[0][0]
    if "count(*)" in sql:
        assert values == [_city_count()], values
    elif "explain" in sql:  # the scan's actual row count is the city's
        plan = "\n".join(str(v) for v in values)
        actual = [int(n) for n in re.findall(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)", plan)]
        assert actual and actual[0] == _city_count() and total not in actual, plan[:800]
    else:
        assert all(str(total) not in str(v) or total == _city_count() for v in values), values[:5]


def test_bank_officer_has_no_sql_lab(superset_site: Site) -> None:
    status, data = _sql_lab(superset_site.client(f"bank_{BANK}"), _db_id(superset_site),
                            "select count(*) as n from marts.fct_enterprise_scores")
    assert status != 200, data


def test_a_user_without_a_data_role_gets_no_warehouse_connection(superset_site: Site) -> None:
    """Deny by default: the connection hook refuses a user that has no audience."""
    import subprocess

    env = superset_site.env
    code = (
        "from superset.app import create_app\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    from sqlalchemy.engine.url import make_url\n"
        "    from superset import security_manager\n"
        "    import json\n"
        "    mutate = app.config['DB_CONNECTION_MUTATOR']\n"
        "    uri = make_url('postgresql://x:y@127.0.0.1:1/' + json.load(open('" + str(env.home / "db_roles.json")
        + "'))['database'])\n"
        "    for user in ('city_" + CITY + "', 'bank_" + BANK + "', 'admin', 'nobody_here'):\n"
        "        try:\n"
        "            print(user, mutate(uri, {}, user, security_manager, None)[0].username)\n"
        "        except Exception as exc:\n"
        "            print(user, 'REFUSED', type(exc).__name__)\n"
    )
    r = subprocess.run([str(env.venv / "bin" / "python"), "-c", code], env=env.process_env(), capture_output=True,
                       text=True, timeout=300, cwd=env.project_root)
    lines = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines() if " " in line)
    assert lines.get(f"city_{CITY}") == f"innopoints_city_{CITY}", r.stdout + r.stderr[-2000:]
    assert lines.get(f"bank_{BANK}") == f"innopoints_bank_{BANK.lower()}"
    assert lines.get("admin") == "innopoints_reporter"
    assert lines.get("nobody_here", "").startswith("REFUSED")
