"""Monitoring marts over the generated province: the headline table and the monthly facts reconcile
with the detail tables, recomputed here independently in Python (median, weighted rates, AUC)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from innopoints import db, seeds
from innopoints.config import Settings
from psycopg.rows import dict_row

Row = dict[str, Any]
PROVINCE = "210000"


@pytest.fixture(scope="module")
def marts(built_warehouse: Settings) -> Iterator[psycopg.Connection]:
    """The built demo warehouse, read as the reporting role (what Superset and analysts use)."""
    with db.connect(db.REPORTER, built_warehouse, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def rows(conn: psycopg.Connection, query: str) -> list[Row]:
    return list(conn.execute(query).fetchall())


def q(value: Decimal | float | None, places: int) -> Decimal | None:
    """Round half up to `places` decimals, as the marts' numeric round() does."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio(num: Decimal | int, den: Decimal | int, places: int = 6) -> Decimal | None:
    return None if not den else q(Decimal(num) / Decimal(den), places)


def test_monitoring_marts_are_not_empty(marts: psycopg.Connection) -> None:
    for table in ("fct_loan_applications", "fct_financing_monthly", "fct_policy_applications",
                  "fct_policy_delivery", "fct_leadership_headline", "fct_grade_outcomes", "fct_score_auc",
                  "fct_grade_migration", "fct_risk_pool", "dim_bank", "dim_loan_product", "dim_bank_consents",
                  "fct_import_batches"):
        n = marts.execute(f"select count(*) as n from marts.{table}").fetchone()["n"]
        assert n > 0, f"marts.{table} is empty on the demo data"


def test_every_loan_appears_once_per_scheme_covering_its_city(marts: psycopg.Connection) -> None:
    loans = rows(marts, "select loan_app_id, scheme_code, city_code from marts.fct_loan_applications")
    by_loan: dict[str, set[str]] = defaultdict(set)
    for r in loans:
        by_loan[r["loan_app_id"]].add(r["scheme_code"])
    fuxin = {r["loan_app_id"] for r in loans if r["city_code"] == "210900"}
    for loan, schemes in by_loan.items():
        expected = {"MOST-2024", "LN-2025", "FX-2025"} if loan in fuxin else {"MOST-2024", "LN-2025"}
        assert schemes == expected, loan
    assert len(loans) == sum(len(s) for s in by_loan.values())


def test_headline_reconciles_with_detail_tables(marts: psycopg.Connection) -> None:
    headline = rows(marts, "select * from marts.fct_leadership_headline")
    scores = rows(marts, "select scheme_code, eval_year, city_code, is_vetoed, total_points, grade "
                         "from marts.fct_enterprise_scores")
    loans = rows(marts, "select * from marts.fct_loan_applications")
    policy = rows(marts, "select city_code, disbursed_year, days_to_disbursement, is_on_time "
                         "from marts.fct_policy_applications where is_disbursed")
    schemes = {r["scheme_code"]: r["region_code"] for r in rows(
        marts, "select scheme_code, region_code from marts.fct_leadership_headline where region_level = 'province' "
               "union select scheme_code, region_code from marts.fct_leadership_headline "
               "where scheme_code = 'FX-2025'")}
    assert schemes.get("LN-2025") == "210000" and schemes.get("FX-2025") == "210900"
    checked = 0
    for h in headline:
        province_row = h["region_level"] == "province"

        def in_region(city: str | None, h: Row = h, province_row: bool = province_row) -> bool:
            return city is not None and (city == h["region_code"] or province_row)

        s = [r for r in scores if r["scheme_code"] == h["scheme_code"] and r["eval_year"] == h["eval_year"]
             and in_region(r["city_code"])]
        scored = [r["total_points"] for r in s if not r["is_vetoed"]]
        assert h["enterprises_evaluated"] == len(s)
        assert h["enterprises_vetoed"] == sum(r["is_vetoed"] for r in s)
        assert h["grade_a_enterprises"] == sum(r["grade"] == "A" for r in s)
        assert h["grade_d_enterprises"] == sum(r["grade"] == "D" for r in s)
        assert h["mean_points"] == (q(sum(scored) / len(scored), 2) if scored else None)
        assert h["median_points"] == (q(statistics.median(scored), 2) if scored else None)

        ln = [r for r in loans if r["scheme_code"] == h["scheme_code"] and in_region(r["city_code"])]
        disbursed = [r for r in ln if r["is_disbursed"] and r["disbursed_year"] == h["eval_year"]]
        decided = [r for r in ln if r["is_decided"] and r["decision_year"] == h["eval_year"]]
        assert h["loans_disbursed"] == len(disbursed)
        assert h["amount_disbursed"] == sum((r["amount_disbursed"] for r in disbursed), Decimal(0))
        assert h["enterprises_financed"] == len({r["uscc"] for r in disbursed})
        assert h["banks_lending"] == len({r["bank_code"] for r in disbursed})
        ent_decided = {r["uscc"] for r in decided}
        ent_approved = {r["uscc"] for r in decided if r["is_approved"]}
        assert h["enterprise_success_rate"] == ratio(len(ent_approved), len(ent_decided))
        with_rate = [r for r in disbursed if r["annual_rate_pct"] is not None]
        amount = sum((r["amount_disbursed"] for r in with_rate), Decimal(0))
        weighted = sum((r["amount_disbursed"] * r["annual_rate_pct"] for r in with_rate), Decimal(0))
        assert h["weighted_rate_pct"] == ratio(weighted, amount, 4)

        days = [r["days_to_disbursement"] for r in policy
                if r["disbursed_year"] == h["eval_year"] and in_region(r["city_code"])]
        assert h["policy_days_p50"] == (q(statistics.median(days), 2) if days else None)
        checked += 1
    assert checked > 20


def test_financing_monthly_reconciles_with_loans(marts: psycopg.Connection) -> None:
    monthly = rows(marts, """
        select scheme_code, eval_year, sum(applications_decided) as decided,
               sum(applications_approved) as approved, sum(loans_disbursed) as loans,
               sum(amount_disbursed) as amount, sum(rate_pct_x_amount) as rate_x,
               sum(amount_with_rate) as amount_with_rate, sum(default_balance) as default_balance,
               sum(outstanding_balance) as balance
        from marts.fct_financing_monthly group by 1, 2""")
    loans = rows(marts, "select * from marts.fct_loan_applications")
    assert monthly
    for m in monthly:
        ln = [r for r in loans if r["scheme_code"] == m["scheme_code"]]
        decided = [r for r in ln if r["is_decided"] and r["decision_year"] == m["eval_year"]]
        disbursed = [r for r in ln if r["is_disbursed"] and r["disbursed_year"] == m["eval_year"]]
        assert m["decided"] == len(decided)
        assert m["approved"] == sum(r["is_approved"] for r in decided)
        assert m["loans"] == len(disbursed)
        assert m["amount"] == sum((r["amount_disbursed"] for r in disbursed), Decimal(0))
        assert m["default_balance"] == sum((r["outstanding_balance"] for r in disbursed if r["is_default"]), Decimal(0))
        # re-aggregating the stored numerator/denominator gives the weighted rate of the detail rows
        with_rate = [r for r in disbursed if r["annual_rate_pct"] is not None]
        detail_rate = ratio(sum((r["amount_disbursed"] * r["annual_rate_pct"] for r in with_rate), Decimal(0)),
                            sum((r["amount_disbursed"] for r in with_rate), Decimal(0)), 4)
        assert ratio(m["rate_x"], m["amount_with_rate"], 4) == detail_rate


def test_score_auc_matches_brute_force_pairs(marts: psycopg.Connection) -> None:
    aucs = rows(marts, "select * from marts.fct_score_auc where bank_code = 'ALL'")
    loans = rows(marts, "select scheme_code, applied_year, city_code, total_points_at_application as score, "
                        "is_default from marts.fct_loan_applications where has_outcome "
                        "and total_points_at_application is not null")
    assert aucs
    for a in aucs:
        sample = [r for r in loans if r["scheme_code"] == a["scheme_code"] and r["applied_year"] == a["eval_year"]
                  and (a["region_code"] == PROVINCE or r["city_code"] == a["region_code"])]
        bad = [r["score"] for r in sample if r["is_default"]]
        good = [r["score"] for r in sample if not r["is_default"]]
        assert (a["loans_default"], a["loans_good"]) == (len(bad), len(good))
        if not bad or not good:
            assert a["auc"] is None
            continue
        wins = sum(Decimal(1) if g > b else Decimal("0.5") if g == b else Decimal(0) for g in good for b in bad)
        assert a["auc"] == ratio(wins, len(good) * len(bad))


def test_policy_on_time_follows_promised_days(marts: psycopg.Connection) -> None:
    apps = rows(marts, "select * from marts.fct_policy_applications")
    assert any(r["is_disbursed"] for r in apps)
    for r in apps:
        if r["is_disbursed"]:
            assert r["is_on_time"] == (r["days_to_disbursement"] <= r["promised_days"])
            assert r["backlog_age_days"] is None
        else:
            assert r["is_on_time"] is None
        assert r["is_backlog"] == (r["approved_date"] is not None and r["disbursed_date"] is None)


def test_grade_at_application_is_point_in_time(built_warehouse: Settings, marts: psycopg.Connection) -> None:
    """Every loan's grade at application, recomputed from the scores and the publications: the grade in
    the scheme's latest publication on or before applied_date (no grade when it does not list the
    enterprise); before any publication, the score of the latest evaluation year strictly before the
    year of application; else none."""
    loans = rows(marts, "select scheme_code, loan_app_id, uscc, applied_date, grade_at_application, "
                        "total_points_at_application, grade_source, grade_eval_year, grade_publication_id "
                        "from marts.fct_loan_applications")
    scores: dict[tuple[str, str], dict[int, Row]] = defaultdict(dict)
    for r in rows(marts, "select scheme_code, eval_year, uscc, total_points, grade from marts.fct_enterprise_scores"):
        scores[(r["scheme_code"], r["uscc"])][r["eval_year"]] = r
    with db.connect("admin", built_warehouse, autocommit=True, row_factory=dict_row) as admin:
        # the grade a bank had: final lists only (publicity lists are never pushed)
        publications = rows(admin, "select publication_id, scheme_code, eval_year, published_at "
                                   "from audit.publications where kind = 'final'")
        published = {(r["publication_id"], r["uscc"]): r for r in rows(
            admin, "select publication_id, uscc, total_points, grade from staging.stg_publications__scores")}
    china = ZoneInfo("Asia/Shanghai")  # the server's time zone: the day a publication was made
    assert loans
    for loan in loans:
        before = [p for p in publications if p["scheme_code"] == loan["scheme_code"]
                  and p["published_at"].astimezone(china).date() <= loan["applied_date"]]
        if before:
            pub = max(before, key=lambda p: (p["published_at"], p["publication_id"]))
            hit = published.get((pub["publication_id"], loan["uscc"]))
            expected = ("publication" if hit else "not_in_publication", pub["eval_year"], pub["publication_id"],
                        hit and hit["grade"], hit and hit["total_points"])
        else:
            by_year = scores.get((loan["scheme_code"], loan["uscc"]), {})
            prior = [y for y in by_year if y < loan["applied_date"].year]
            if prior:
                s = by_year[max(prior)]
                expected = ("prior_year_score", max(prior), None, s["grade"], s["total_points"])
            else:
                expected = ("none", None, None, None, None)
        got = (loan["grade_source"], loan["grade_eval_year"], loan["grade_publication_id"],
               loan["grade_at_application"], loan["total_points_at_application"])
        assert got == expected, loan["loan_app_id"]
    sources = {r["grade_source"] for r in loans}
    assert "prior_year_score" in sources and "none" in sources


def test_risk_pool_exposure_is_capped_share_of_defaulted_balances(marts: psycopg.Connection) -> None:
    pool = rows(marts, "select * from marts.fct_risk_pool")
    assert pool
    for r in pool:
        assert r["exposure_yuan"] <= r["exposure_uncapped_yuan"]
        # per-loan rounding to the fen: the sum differs from the rounded product by at most 0.005 per loan
        gap = abs(r["exposure_uncapped_yuan"] - r["default_balance"] * r["compensation_share"])
        assert gap <= Decimal("0.005") * max(r["loans_default"], 1)
        assert r["exposure_yuan"] <= r["loans_default"] * r["cap_per_loan_yuan"]


def test_financing_yearly_enterprise_success_rate_per_bank(marts: psycopg.Connection) -> None:
    """The enterprise success rate per (scheme, year, bank), summed over cities, recomputed from the loans:
    enterprises with an approved application decided in the year / enterprises with a decided application.
    Somewhere on the demo data a bank's enterprise rate differs from its application rate (the old
    dashboard showed them equal because it summed monthly distinct counts)."""
    yearly = rows(
        marts,
        "select scheme_code, eval_year, bank_code, sum(enterprises_decided) as ent_decided, "
        "sum(enterprises_approved) as ent_approved, sum(applications_decided) as app_decided, "
        "sum(applications_approved) as app_approved from marts.fct_financing_yearly group by 1, 2, 3",
    )
    decided: dict[tuple[str, int, str], list[Row]] = defaultdict(list)
    for r in rows(
        marts,
        "select scheme_code, decision_year, bank_code, uscc, is_approved "
        "from marts.fct_loan_applications where is_decided",
    ):
        decided[(r["scheme_code"], r["decision_year"], r["bank_code"])].append(r)
    by_key = {(y["scheme_code"], y["eval_year"], y["bank_code"]): y for y in yearly}
    assert set(decided) <= set(by_key)
    differs = []
    for key, y in by_key.items():
        apps = decided.get(key, [])
        ent_decided = {r["uscc"] for r in apps}
        ent_approved = {r["uscc"] for r in apps if r["is_approved"]}
        assert (y["ent_decided"], y["ent_approved"]) == (len(ent_decided), len(ent_approved)), key
        enterprise_rate = ratio(len(ent_approved), len(ent_decided))
        application_rate = ratio(sum(r["is_approved"] for r in apps), len(apps))
        assert ratio(y["ent_approved"], y["ent_decided"]) == enterprise_rate, key
        assert ratio(y["app_approved"], y["app_decided"]) == application_rate, key
        if enterprise_rate != application_rate:
            differs.append(key)
    assert differs, "no bank where the enterprise and application success rates differ"


def test_financing_funnel_follows_each_years_applications(marts: psycopg.Connection) -> None:
    """Each stage of the funnel recomputed from the loans applied for in the year: all, decided,
    approved, disbursed; never increasing."""
    funnel = rows(marts, "select * from marts.fct_financing_funnel")
    expected: dict[tuple[str, int, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows(
        marts,
        "select scheme_code, applied_date, city_code, bank_code, decision, decision_date, disbursed_date "
        "from marts.fct_loan_applications",
    ):
        counts = expected[(r["scheme_code"], r["applied_date"].year, r["city_code"], r["bank_code"])]
        decided = r["decision"] in ("approved", "rejected") and r["decision_date"] is not None
        approved = decided and r["decision"] == "approved"
        for i, reached in enumerate((True, decided, approved, approved and r["disbursed_date"] is not None)):
            counts[i] += reached
    got: dict[tuple[str, int, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    names = {}
    for f in funnel:
        key = (f["scheme_code"], f["eval_year"], f["city_code"], f["bank_code"])
        got[key][f["stage_order"] - 1] = f["applications"]
        names[f["stage_order"]] = f["stage_zh"]
    assert got == expected
    assert names == {1: "提交申请", 2: "完成审批", 3: "获得批准", 4: "实际放款"}
    assert all(c[0] >= c[1] >= c[2] >= c[3] for c in got.values())


def test_financing_monthly_lpr_is_the_rate_in_force(marts: psycopg.Connection) -> None:
    """lpr_1y_pct of a month = the lpr_1y seed row with the latest month on or before it."""
    seed = sorted((row["effective_month"], row["lpr_1y_pct"]) for row in seeds.load("lpr_1y"))
    months = rows(
        marts, "select month, array_agg(distinct lpr_1y_pct) as lpr from marts.fct_financing_monthly group by 1"
    )
    assert months
    for m in months:
        in_force = [rate for month, rate in seed if month <= m["month"].strftime("%Y-%m")]
        assert m["lpr"] == [in_force[-1] if in_force else None], m["month"]
