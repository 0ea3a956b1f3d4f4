"""PostgreSQL enforces the access rules: each audience's login, attacking with whatever SQL it can
send, reads nothing outside its scope. Real PostgreSQL, the session's built demo warehouse; the
revocation test works on a private copy. The expected rows come from the administrator's view of the
same tables (and, for banks, from the raw consents), not from the policies under test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from innopoints import db
from innopoints.audiences import audiences, bank_role, city_role
from innopoints.config import Settings

from .test_quality_support import admin, import_file, private_copy, write_csv

CITY = "210900"  # 阜新市
BANK = "FXB"  # 阜新银行
TODAY = date.today()


def login(role: str) -> psycopg.Connection:
    return db.connect(role, autocommit=True)


def rows(conn: psycopg.Connection, query: str, params: Any = None) -> list[tuple[Any, ...]]:
    return conn.execute(query, params).fetchall()


def consenting(bank: str, on: date = TODAY) -> set[str]:
    """Independent of the policies: the newest delivery of each (enterprise, bank) in raw, as an
    administrator reads it."""
    latest = admin("select distinct on (uscc) uscc, granted_date, revoked_date from raw.consents "
                   "where bank_code = %s order by uscc, _batch_id desc, _line desc", (bank,))
    return {u for u, g, r in latest if g <= on and (r is None or r > on)}


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings) -> Settings:
    return built_warehouse


def test_every_mart_is_forced_under_row_level_security(wh: Settings) -> None:
    marts = admin("select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c "
                  "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'marts' and c.relkind = 'r'")
    assert marts and all(enabled and forced for _, enabled, forced in marts), marts


def test_each_audience_reads_its_own_rows(wh: Settings) -> None:
    total = admin("select count(*), count(distinct city_code) from marts.fct_enterprise_scores")[0]
    city_n = admin("select count(*) from marts.fct_enterprise_scores where city_code = %s", (CITY,))[0][0]
    with login(db.REPORTER) as c:
        assert rows(c, "select count(*), count(distinct city_code) from marts.fct_enterprise_scores")[0] == total
    with login(city_role(CITY)) as c:
        assert rows(c, "select count(*) from marts.fct_enterprise_scores")[0][0] == city_n > 0
        assert {r[0] for r in rows(c, "select distinct city_code from marts.fct_loan_applications")} <= {CITY}
        assert rows(c, "select count(*) from marts.fct_dq_results")[0][0] == 0  # not a city's table
        assert rows(c, "select count(*) from marts.dim_indicator")[0][0] > 0  # reference data: whole
    with login(bank_role(BANK)) as c:
        seen = {r[0] for r in rows(c, "select distinct uscc from marts.fct_enterprise_scores")}
        assert seen and seen <= consenting(BANK)
        assert seen == consenting(BANK) & {r[0] for r in admin("select distinct uscc from marts.fct_enterprise_scores")}
        assert {r[0] for r in rows(c, "select distinct bank_code from marts.fct_loan_applications")} <= {BANK}
        assert rows(c, "select count(*) from marts.fct_score_distribution")[0][0] == 0
        assert rows(c, "select count(*) from marts.dim_enterprise")[0][0] == 0


# Each attack is a query that would reveal rows outside a city officer's city if the rules lived in
# the SQL text; the value it returns must be what the officer may see.
CITY_ATTACKS = {
    "cte shadowing the table": "with fct_enterprise_scores as (select * from marts.fct_enterprise_scores) "
                               "select count(distinct city_code) from fct_enterprise_scores",
    "sub-query": "select count(distinct city_code) from (select city_code from marts.fct_enterprise_scores "
                 "where city_code <> '' or true) as s",
    "union of two scans": "select count(distinct city_code) from (select city_code from marts.fct_enterprise_scores "
                          "union all select city_code from marts.fct_indicator_scores) as s",
    "aggregate over a lateral join": "select count(distinct e.city_code) from marts.dim_region as r cross join "
                                     "lateral (select city_code from marts.fct_enterprise_scores "
                                     "where city_code = r.region_code) as e",
}


@pytest.mark.parametrize("attack", sorted(CITY_ATTACKS))
def test_city_officer_queries_stay_in_the_city(wh: Settings, attack: str) -> None:
    with login(city_role(CITY)) as c:
        assert rows(c, CITY_ATTACKS[attack])[0][0] == 1, attack


def test_prepare_execute_and_explain_analyze_count_only_the_citys_rows(wh: Settings) -> None:
    city_n = admin("select count(*) from marts.fct_enterprise_scores where city_code = %s", (CITY,))[0][0]
    with login(city_role(CITY)) as c:
        c.execute("prepare q as select count(*) from marts.fct_enterprise_scores")
        assert rows(c, "execute q")[0][0] == city_n
        plan = rows(c, "explain (analyze, format json) select * from marts.fct_enterprise_scores")[0][0]
        assert plan[0]["Plan"]["Actual Rows"] == city_n


@pytest.mark.parametrize("role", [db.REPORTER, city_role(CITY), bank_role(BANK)])
@pytest.mark.parametrize("query", [
    "select query_to_xml('select * from marts.fct_enterprise_scores', true, false, '')",
    "select table_to_xml('marts.fct_enterprise_scores'::regclass, true, false, '')",
    "select ts_stat('select to_tsvector(enterprise_name) from marts.fct_enterprise_scores')",
    "select ts_rewrite('a'::tsquery, 'select ''a''::tsquery, ''b''::tsquery')",
    "do $$ begin perform 1; end $$",
])
def test_functions_that_run_sql_text_are_refused(wh: Settings, role: str, query: str) -> None:
    with login(role) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute(query)


@pytest.mark.parametrize("role", [city_role(CITY), bank_role(BANK)])
def test_role_and_setting_games_give_nothing_more(wh: Settings, role: str) -> None:
    with login(role) as c:
        own = rows(c, "select count(*) from marts.fct_enterprise_scores")[0][0]
        for other in (db.REPORTER, "innopoints_read_all", db.TRANSFORMER, "innopoints_access", "innopoints_admin",
                      city_role("210100"), bank_role("BOCLN")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(f"set role {other}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("set session authorization innopoints_reporter")
        with pytest.raises(psycopg.Error):  # turning row security off is refused, not silently ignored
            c.execute("set row_security = off")
            c.execute("select count(*) from marts.fct_enterprise_scores")
        c.execute("reset row_security")
        group = "innopoints_read_city" if role.startswith("innopoints_city") else "innopoints_read_bank"
        c.execute(f"set role {group}")  # its own group: still its own login's rows
        assert rows(c, "select count(*) from marts.fct_enterprise_scores")[0][0] == own
        c.execute("reset role")
        c.execute("set search_path = pg_temp, public, marts")
        assert rows(c, "select count(*) from fct_enterprise_scores")[0][0] == own
        for ddl in ("create temp table fct_enterprise_scores (uscc text)",
                    "create view marts.v_all as select * from marts.fct_enterprise_scores",
                    "create table public.t (x int)",
                    "alter table marts.fct_enterprise_scores no force row level security",
                    "drop policy read_all on marts.fct_enterprise_scores",
                    "select access.consents_in_force('BOCLN', current_date)",
                    "select * from access.audiences",
                    "select * from raw.consents"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(ddl)


def test_every_reporting_login_has_a_statement_timeout(wh: Settings) -> None:
    logins = [db.REPORTER, *(a.role for a in audiences(wh.project_root))]
    for role in logins[:3] + logins[-2:]:
        with login(role) as c:
            assert rows(c, "show statement_timeout")[0][0] == "1min"


@pytest.fixture(scope="module")
def wh_copy(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


def test_a_revoked_consent_hides_the_enterprise_at_once(wh_copy: Settings, tmp_path: Path) -> None:
    with login(bank_role(BANK)) as c:
        before = {r[0] for r in rows(c, "select distinct uscc from marts.fct_enterprise_scores")}
    assert before
    victim = sorted(before)[0]
    granted = admin("select granted_date from raw.consents where uscc = %s and bank_code = %s "
                    "order by _batch_id desc limit 1", (victim, BANK))[0][0]
    header = ["统一社会信用代码", "银行代码", "授权日期", "撤销日期"]
    revocation = [[victim, BANK, granted.isoformat(), (TODAY - timedelta(days=1)).isoformat()]]
    import_file(write_csv(tmp_path / "consents_revocation.csv", header, revocation))
    with login(bank_role(BANK)) as c:  # no dbt build in between
        after = {r[0] for r in rows(c, "select distinct uscc from marts.fct_enterprise_scores")}
        assert rows(c, "select count(*) from marts.fct_indicator_scores where uscc = %s", (victim,))[0][0] == 0
    assert after == before - {victim}
    assert victim not in consenting(BANK)
