"""The 公示与异议 dashboard shows the cycle's records: through Superset's API, as a province officer
(every city) and as 阜新's city officer (210900 only), each chart's rows equal what is computed here
from the audit tables themselves (objections left join decisions, the change report, the publications),
not from the marts under test. PostgreSQL gives a city's login its city's rows of the cycle marts only.

Real Superset on the session's built warehouse, with the cycle of `cycle_records` (conftest) run on it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from innopoints import db
from innopoints.audiences import bank_role, city_role
from innopoints.superset.testing import Site
from psycopg.rows import dict_row

from .test_dashboard_figures import ROOT, chart_rows, close

CITY, CITY_NAME = "210900", "阜新市"
MARTS = ("fct_objections", "fct_publication_changes", "fct_publicity_lists")
# the words a person reads, written here independently of the seed that names them in the marts
STATUS = {None: "待复核", "accepted": "予以采纳", "rejected": "不予采纳"}
CORRECTION = {None: "—", "redelivery": "重新交付数据", "adjustment": "记录更正"}
CAUSE = {"objection": "本企业异议更正", "data": "公示后数据更新", "cohort": "同组排名变化"}
USERS = {"admin": None, f"city_{CITY}": CITY}  # user -> the only city its rows may come from

pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv-superset" / "bin" / "superset").exists(),
    reason="Superset venv missing: run `make superset-env`",
)


@pytest.fixture(scope="module")
def cycle(cycle_records: dict[str, Any], superset_site: Site) -> dict[str, Any]:
    return cycle_records


@pytest.fixture(scope="module")
def wh(superset_site: Site, cycle) -> psycopg.Connection:
    with db.connect("admin", superset_site.warehouse, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture(scope="module")
def ids(superset_site: Site, cycle) -> dict[str, int]:
    c = superset_site.client()
    return {c_["slice_name"]: c_["id"] for c_ in c.list_all("/api/v1/chart/", columns=["id", "slice_name"])}


def _objections(wh, cycle, city: str | None) -> list[dict[str, Any]]:
    """Every objection to a publicity list of the cycle's scheme and year, from the audit tables: its
    city as the list froze it, named by the regions seed, its decision if any."""
    return wh.execute("""
        select o.objection_id, o.uscc, o.received_on, d.decision, d.correction, d.decided_on, d.reason_zh,
               s.city_code, r.region_name_zh as city_name_zh, o.indicator_code, o.feed, o.field
        from audit.objections as o
        join audit.publications as p on p.publication_id = o.publication_id
        join audit.publication_scores as s on s.publication_id = o.publication_id and s.uscc = o.uscc
        join seeds.regions as r on r.region_code = s.city_code
        left join audit.objection_decisions as d on d.objection_id = o.objection_id
        where p.scheme_code = %(scheme)s and p.eval_year = %(year)s
          and (%(city)s::text is null or s.city_code = %(city)s)""",
                      {**cycle, "city": city}).fetchall()


def _changes(wh, cycle, city: str | None) -> list[dict[str, Any]]:
    """The change report of the newest final list of the scheme and year."""
    return wh.execute("""
        select c.*, r.region_name_zh as city_label
        from audit.publication_changes as c
        join seeds.regions as r on r.region_code = c.city_code
        where c.publication_id = (select max(publication_id) from audit.publications
                                  where kind = 'final' and scheme_code = %(scheme)s and eval_year = %(year)s)
          and (%(city)s::text is null or c.city_code = %(city)s)""", {**cycle, "city": city}).fetchall()


def _cells(rows: list[dict[str, Any]], row: str, column: str, metric: str) -> dict[tuple[str, str], Any]:
    """A pivot table's rows (one per row and column value) as {(row, column): value}."""
    return {(r[row], r[column]): r[metric] for r in rows}


@pytest.mark.parametrize("user", list(USERS))
def test_cycle_dashboard_figures_are_the_audit_tables(superset_site: Site, ids, wh, cycle, user: str) -> None:
    city = USERS[user]
    client = superset_site.client(user)
    f = {"eval_year": cycle["year"], "scheme_code": cycle["scheme"]}
    obs = _objections(wh, cycle, city)
    changes = _changes(wh, cycle, city)
    assert obs and changes
    if city is None:  # the province sees both cities of the cycle and every kind of objection
        assert {o["city_code"] for o in obs} == set(cycle["cities"])
        assert {o["decision"] for o in obs} == {None, "accepted", "rejected"}
        assert {o["correction"] for o in obs} == {None, "redelivery", "adjustment"}

    def card(key: str) -> Any:
        (row,) = chart_rows(client, ids, key, **f)
        return next(iter(row.values()))

    decided = [o for o in obs if o["decision"]]
    days = [(o["decided_on"] - o["received_on"]).days for o in decided]
    assert card("po_objections") == len(obs)
    assert card("po_open") == sum(1 for o in obs if o["decision"] is None)
    assert card("po_accepted") == sum(1 for o in obs if o["decision"] == "accepted")
    assert card("po_rejected") == sum(1 for o in obs if o["decision"] == "rejected")
    assert close(card("po_days"), Decimal(sum(days)) / len(days) if days else None, 6)
    assert card("po_changed") == len(changes)

    # objections per city and status
    want = Counter((o["city_name_zh"], STATUS[o["decision"]]) for o in obs)
    assert _cells(chart_rows(client, ids, "po_by_city", **f), "city_name_zh", "status_zh", "ob_count") == want
    # per indicator or field, named in Chinese: the indicator's name, or the feed's and the field's
    names = {r["indicator_code"]: r["indicator_name_zh"] for r in wh.execute(
        "select indicator_code, indicator_name_zh from seeds.indicators")}
    fields = {(r["feed"], r["field"]): f"{r['feed_name_zh']}：{r['field_name_zh']}" for r in wh.execute(
        "select ff.feed, ff.field, fd.feed_name_zh, ff.field_name_zh from seeds.ref_feed_fields as ff "
        "join seeds.ref_feeds as fd on fd.feed = ff.feed")}
    want = Counter((names[o["indicator_code"]] if o["indicator_code"] else fields[(o["feed"], o["field"])],
                    STATUS[o["decision"]]) for o in obs)
    assert _cells(chart_rows(client, ids, "po_by_subject", **f), "subject_name_zh", "status_zh", "ob_count") == want
    # days to decide per city: mean and max
    per_city: dict[str, list[int]] = defaultdict(list)
    for o in decided:
        per_city[o["city_name_zh"]].append((o["decided_on"] - o["received_on"]).days)
    got = {r["city_name_zh"]: r for r in chart_rows(client, ids, "po_days_city", **f)}
    assert set(got) == {o["city_name_zh"] for o in obs}
    for name, ds in per_city.items():
        assert got[name]["ob_decided"] == len(ds)
        assert close(got[name]["ob_days_mean"], Decimal(sum(ds)) / len(ds)), (name, got[name])
        assert got[name]["ob_days_max"] == max(ds)
    # the list of objections
    got = {r["objection_id"]: r for r in chart_rows(client, ids, "po_list", **f)}
    assert set(got) == {o["objection_id"] for o in obs}
    for o in obs:
        g = got[o["objection_id"]]
        assert (g["uscc"], g["city_name_zh"], g["status_zh"], g["correction_display"], g["reason_display"]) == (
            o["uscc"], o["city_name_zh"], STATUS[o["decision"]], CORRECTION[o["correction"]], o["reason_zh"] or "—")
        assert g["received_date"] == f"{o['received_on']:%Y-%m-%d}"
        assert g["decided_date"] == (f"{o['decided_on']:%Y-%m-%d}" if o["decided_on"] else "—")

    # enterprises whose result changed: by city and cause, and the list
    want = Counter((c["city_label"], CAUSE[c["cause"]]) for c in changes)
    got = {(r["city_name_zh"], r["cause_zh"]): r["pc_enterprises"]
           for r in chart_rows(client, ids, "po_change_causes", **f)}
    assert got == want
    got = {r["uscc"]: r for r in chart_rows(client, ids, "po_changes", **f)}
    assert set(got) == {c["uscc"] for c in changes}
    for c in changes:
        g = got[c["uscc"]]
        assert (close(g["total_before"], c["total_before"], 2), close(g["total_after"], c["total_after"], 2),
                g["rank_before"], g["rank_after"], g["cause_zh"], g["explanation_zh"]) == (
            True, True, c["rank_before"], c["rank_after"], CAUSE[c["cause"]], c["explanation_zh"])
        assert g["grade_before_display_zh"].startswith(c["grade_before"] + " ")
        assert g["grade_after_display_zh"].startswith(c["grade_after"] + " ")

    # the publicity lists of the year: period, enterprises listed, objections, the final that followed
    lists = wh.execute("""
        select p.publication_id, p.opens_on, p.closes_on,
               (select count(*) from audit.publication_scores as s where s.publication_id = p.publication_id
                  and (%(city)s::text is null or s.city_code = %(city)s)) as listed,
               (select max(q.publication_id) from audit.publications as q
                 where q.kind = 'final' and q.publicity_publication_id = p.publication_id) as final_id
        from audit.publications as p
        where p.kind = 'publicity' and p.scheme_code = %(scheme)s and p.eval_year = %(year)s""",
                       {**cycle, "city": city}).fetchall()
    got = {r["publication_id"]: r for r in chart_rows(client, ids, "po_lists", **f)}
    assert set(got) == {p["publication_id"] for p in lists} == {cycle["publicity"], cycle["second_publicity"]}
    for p in lists:
        g, mine = got[p["publication_id"]], [o for o in obs if o["objection_id"] in _of(wh, p["publication_id"])]
        assert g["period_zh"] == f"{p['opens_on']:%Y-%m-%d} 至 {p['closes_on']:%Y-%m-%d}"
        assert g["pl_listed"] == p["listed"]
        assert (g["pl_objections"], g["pl_accepted"], g["pl_rejected"], g["pl_open"]) == (
            len(mine), sum(o["decision"] == "accepted" for o in mine),
            sum(o["decision"] == "rejected" for o in mine), sum(o["decision"] is None for o in mine))
        if p["final_id"] is None:
            assert g["final_status_zh"] == "尚未正式发布"
        else:
            assert g["final_status_zh"].startswith(f"#{p['final_id']}（"), g
    assert got[cycle["publicity"]]["final_status_zh"].startswith(f"#{cycle['final']}（")


def _of(wh, publication_id: int) -> set[int]:
    return {r["objection_id"] for r in wh.execute(
        "select objection_id from audit.objections where publication_id = %s", (publication_id,))}


def test_city_filter_gives_the_province_officer_the_city_officers_figures(superset_site: Site, ids, cycle) -> None:
    """A province officer who picks 阜新市 reads what 阜新's officer reads."""
    f = {"eval_year": cycle["year"], "scheme_code": cycle["scheme"]}
    for key in ("po_objections", "po_accepted", "po_days", "po_changed", "po_by_city", "po_days_city"):
        province = chart_rows(superset_site.client(), ids, key, city_name_zh=[CITY_NAME], **f)
        city = chart_rows(superset_site.client(f"city_{CITY}"), ids, key, **f)
        assert province == city, key


def test_city_login_reads_its_city_of_the_cycle_marts_only(superset_site: Site, cycle) -> None:
    """PostgreSQL: the city's login reads exactly the city's rows of each cycle mart, the reporter every
    row, a bank's login none (the cycle marts are not bank tables)."""
    settings = superset_site.warehouse
    with db.connect("admin", settings, autocommit=True) as admin:
        want = {m: admin.execute(f"select count(*), count(*) filter (where city_code = %s) from marts.{m}",
                                 (CITY,)).fetchone() for m in MARTS}
    assert all(n > mine > 0 for n, mine in want.values()), want
    with db.connect(city_role(CITY), settings, autocommit=True) as conn:
        for m in MARTS:
            assert conn.execute(f"select count(*), count(*) filter (where city_code = %s) from marts.{m}",
                                (CITY,)).fetchone() == (want[m][1], want[m][1]), m
    with db.connect(db.REPORTER, settings, autocommit=True) as conn:
        for m in MARTS:
            assert conn.execute(f"select count(*) from marts.{m}").fetchone()[0] == want[m][0], m
    with db.connect(bank_role("FXB"), settings, autocommit=True) as conn:
        for m in MARTS:
            assert conn.execute(f"select count(*) from marts.{m}").fetchone()[0] == 0, m
