"""The cockpit's headline, year-on-year and policy-cohort marts over the generated province. Each
figure is recomputed here in Python from the detail marts (fct_enterprise_scores,
fct_loan_applications, fct_policy_applications) and compared with the mart, for the province, one
city and a set of cities added up the way the cockpit's charts add them (sum of numerators over sum
of denominators)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from innopoints import db
from innopoints.config import Settings
from psycopg.rows import dict_row

Row = dict[str, Any]
SCHEME = "LN-2025"
PROVINCE = "210000"
CITY = "210900"  # Fuxin: also the region of the city scheme FX-2025
SOME_CITIES = ("210100", "210200", "210900")
FIGURES_ZH = [
    "参评企业数", "平均创新积分（不含否决企业）", "A级企业数", "放款金额（亿元）", "获贷企业数",
    "融资成功率（企业，%）", "贷款加权平均利率（%）", "政策兑现金额（万元）", "政策按时兑现率（%）",
]


@pytest.fixture(scope="module")
def marts(built_warehouse: Settings) -> Iterator[psycopg.Connection]:
    """The built demo warehouse, read as the reporting role (what Superset and analysts use)."""
    with db.connect(db.REPORTER, built_warehouse, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def rows(conn: psycopg.Connection, query: str, params: tuple[Any, ...] = ()) -> list[Row]:
    return list(conn.execute(query, params).fetchall())


def close(actual: Decimal | None, expected: Decimal | None) -> bool:
    """Equal, or equal to 12 significant digits (PostgreSQL and Python divide to different precision)."""
    if actual is None or expected is None:
        return actual is expected
    return abs(Decimal(actual) - expected) <= abs(expected) * Decimal("1e-12") + Decimal("1e-15")


def value(num: Decimal | int | None, den: Decimal | int | None) -> Decimal | None:
    """The figure as the cockpit computes it: numerator / coalesce(denominator, 1), null on 0."""
    if num is None:
        return None
    den = Decimal(1) if den is None else Decimal(den)
    return None if den == 0 else Decimal(num) / den


@pytest.fixture(scope="module")
def detail(marts: psycopg.Connection) -> dict[str, list[Row]]:
    return {
        "scores": rows(marts, "select eval_year, city_code, is_vetoed, total_points, grade "
                              "from marts.fct_enterprise_scores where scheme_code = %s", (SCHEME,)),
        "loans": rows(marts, "select * from marts.fct_loan_applications where scheme_code = %s", (SCHEME,)),
        "policy": rows(marts, "select * from marts.fct_policy_applications"),
        "cities": [r["region_code"] for r in rows(
            marts, "select region_code from marts.dim_region where parent_code = %s", (PROVINCE,))],
    }


def figures_from_detail(detail: dict[str, list[Row]], year: int,
                        cities: set[str]) -> dict[str, tuple[Decimal, Decimal | None]]:
    """The nine figures of `cities` in `year`, as (numerator, denominator), from the definitions."""
    scores = [r for r in detail["scores"] if r["eval_year"] == year and r["city_code"] in cities]
    scored = [r["total_points"] for r in scores if not r["is_vetoed"]]
    loans = [r for r in detail["loans"] if r["city_code"] in cities]
    disbursed = [r for r in loans if r["is_disbursed"] and r["disbursed_year"] == year]
    decided = [r for r in loans if r["is_decided"] and r["decision_year"] == year]
    with_rate = [r for r in disbursed if r["annual_rate_pct"] is not None]
    paid = [r for r in detail["policy"] if r["is_disbursed"] and r["disbursed_year"] == year
            and r["city_code"] in cities]
    return {
        "参评企业数": (Decimal(len(scores)), None),
        "平均创新积分（不含否决企业）": (sum(scored, Decimal(0)), Decimal(len(scored))),
        "A级企业数": (Decimal(sum(r["grade"] == "A" for r in scores)), None),
        "放款金额（亿元）": (sum((r["amount_disbursed"] for r in disbursed), Decimal(0)) / Decimal(10) ** 8, None),
        "获贷企业数": (Decimal(len({r["uscc"] for r in disbursed})), None),
        "融资成功率（企业，%）": (Decimal(100 * len({r["uscc"] for r in decided if r["is_approved"]})),
                             Decimal(len({r["uscc"] for r in decided}))),
        "贷款加权平均利率（%）": (sum((r["amount_disbursed"] * r["annual_rate_pct"] for r in with_rate), Decimal(0)),
                            sum((r["amount_disbursed"] for r in with_rate), Decimal(0))),
        "政策兑现金额（万元）": (sum((r["amount_disbursed"] for r in paid), Decimal(0)) / Decimal(10) ** 4, None),
        "政策按时兑现率（%）": (Decimal(100 * sum(bool(r["is_on_time"]) for r in paid)), Decimal(len(paid))),
    }


def chart(yoy: list[Row], year: int, pick: Callable[[Row], bool]) -> dict[str, dict[str, Decimal | None]]:
    """What a cockpit chart shows over the picked rows: per figure, sums of the additive columns and
    the values computed from them."""
    out: dict[str, dict[str, Decimal | None]] = {}
    for figure in FIGURES_ZH:
        picked = [r for r in yoy if r["eval_year"] == year and r["figure_zh"] == figure and pick(r)]
        assert picked, (year, figure)

        def total(column: str, picked: list[Row] = picked) -> Decimal | None:
            values = [r[column] for r in picked if r[column] is not None]
            return sum(values, Decimal(0)) if values else None

        this = value(total("numerator_this_year"), total("denominator_this_year"))
        last = value(total("numerator_last_year"), total("denominator_last_year"))
        out[figure] = {"this": this, "last": last,
                       "yoy": None if this is None or not last else this / last - 1}
    return out


def test_yoy_has_the_nine_figures_in_order(marts: psycopg.Connection) -> None:
    got = rows(marts, "select distinct figure_order, figure_zh from marts.fct_leadership_yoy order by 1")
    assert [r["figure_zh"] for r in got] == FIGURES_ZH
    headline = marts.execute("select count(*) as n from marts.fct_leadership_headline").fetchone()["n"]
    yoy = marts.execute("select count(*) as n from marts.fct_leadership_yoy").fetchone()["n"]
    assert yoy == 9 * headline


@pytest.mark.parametrize("year", [2023, 2024])
def test_yoy_province_city_and_chosen_cities_match_the_detail(
        marts: psycopg.Connection, detail: dict[str, list[Row]], year: int) -> None:
    yoy = rows(marts, "select * from marts.fct_leadership_yoy where scheme_code = %s", (SCHEME,))
    years = {r["eval_year"] for r in yoy}
    province = set(detail["cities"])
    cases: list[tuple[str, set[str], Callable[[Row], bool]]] = [
        ("province row", province, lambda r: r["region_code"] == PROVINCE),
        ("all city rows (no city chosen)", province, lambda r: r["region_level"] == "city"),
        ("one city", {CITY}, lambda r: r["region_code"] == CITY),
        ("three cities chosen", set(SOME_CITIES),
         lambda r: r["region_level"] == "city" and r["region_code"] in SOME_CITIES),
    ]
    for label, cities, pick in cases:
        shown = chart(yoy, year, pick)
        this = figures_from_detail(detail, year, cities)
        last = figures_from_detail(detail, year - 1, cities) if year - 1 in years else None
        for figure in FIGURES_ZH:
            expected_this = value(*this[figure])
            expected_last = value(*last[figure]) if last else None
            assert close(shown[figure]["this"], expected_this), (label, year, figure)
            assert close(shown[figure]["last"], expected_last), (label, year, figure)
            expected_yoy = (None if expected_this is None or not expected_last
                            else expected_this / expected_last - 1)
            assert close(shown[figure]["yoy"], expected_yoy), (label, year, figure)
    # a single row's own value columns are the same figures (province row, one city row)
    for region, cities in ((PROVINCE, province), (CITY, {CITY})):
        this = figures_from_detail(detail, year, cities)
        for r in (r for r in yoy if r["eval_year"] == year and r["region_code"] == region):
            assert close(r["value_this_year"], value(*this[r["figure_zh"]])), (region, r["figure_zh"])
    assert any(r["value_last_year"] is not None for r in yoy if r["eval_year"] == 2024)
    assert all(r["value_last_year"] is None for r in yoy if r["eval_year"] == min(years))


def test_headline_additive_sums_match_the_detail(marts: psycopg.Connection, detail: dict[str, list[Row]]) -> None:
    headline = rows(marts, "select * from marts.fct_leadership_headline where scheme_code = %s", (SCHEME,))
    checked = 0
    for h in headline:
        cities = set(detail["cities"]) if h["region_level"] == "province" else {h["region_code"]}
        assert h["city_name_zh"] == h["region_name_zh"]
        scores = [r for r in detail["scores"] if r["eval_year"] == h["eval_year"] and r["city_code"] in cities]
        scored = [r["total_points"] for r in scores if not r["is_vetoed"]]
        assert h["points_sum_scored"] == sum(scored, Decimal(0))
        assert h["points_sum_evaluated"] == sum((Decimal(0) if r["is_vetoed"] else r["total_points"]
                                                 for r in scores), Decimal(0))
        if scored:
            assert abs(h["mean_points"] - sum(scored, Decimal(0)) / len(scored)) <= Decimal("0.005")
            assert abs(h["mean_points_incl_vetoed"] - h["points_sum_evaluated"] / len(scores)) <= Decimal("0.005")
        paid = [r for r in detail["policy"] if r["is_disbursed"] and r["disbursed_year"] == h["eval_year"]
                and r["city_code"] in cities]
        assert h["policy_amount_disbursed"] == sum((r["amount_disbursed"] for r in paid), Decimal(0))
        assert h["policy_days_sum"] == sum(r["days_to_disbursement"] for r in paid)
        assert h["policy_applications_disbursed"] == len(paid)
        checked += 1
    assert checked >= 30


POLICY_TYPE = "科技项目立项"


def test_policy_yearly_is_the_applied_year_cohort(marts: psycopg.Connection) -> None:
    yearly = rows(marts, "select * from marts.fct_policy_yearly where policy_type = %s", (POLICY_TYPE,))
    apps = rows(marts, "select * from marts.fct_policy_applications where policy_type = %s "
                       "and city_code is not null", (POLICY_TYPE,))
    assert yearly and apps
    keys = {(r["applied_date"].year, r["city_code"]) for r in apps}
    assert {(r["eval_year"], r["city_code"]) for r in yearly} == keys
    for y in yearly:
        cohort = [r for r in apps if r["applied_date"].year == y["eval_year"] and r["city_code"] == y["city_code"]]
        approved = [r for r in cohort if r["approved_date"] is not None]
        paid = [r for r in approved if r["disbursed_date"] is not None]
        unpaid = [r for r in approved if r["disbursed_date"] is None]
        as_of = y["as_of_date"]
        assert y["applications_received"] == len(cohort)
        assert y["applications_approved"] == len(approved)
        assert y["applications_disbursed"] == len(paid)
        assert y["amount_disbursed"] == sum((r["amount_disbursed"] for r in paid), Decimal(0))
        days = [(r["disbursed_date"] - r["applied_date"]).days for r in paid]
        assert y["days_to_disbursement_sum"] == sum(days)
        assert y["disbursed_on_time"] == sum(d <= r["promised_days"] for d, r in zip(days, paid, strict=True))
        assert y["backlog"] == len(unpaid)
        assert y["backlog_amount"] == sum((r["amount_approved"] for r in unpaid), Decimal(0))
        assert y["backlog_overdue"] == sum((as_of - r["applied_date"]).days > r["promised_days"] for r in unpaid)
        assert y["applications_disbursed"] <= y["applications_approved"] <= y["applications_received"]
        assert y["policy_type_name_zh"] == POLICY_TYPE and y["city_name_zh"]
        if paid:
            assert abs(y["days_mean"] - Decimal(sum(days)) / len(paid)) <= Decimal("0.005")
            assert abs(y["on_time_share"] - Decimal(y["disbursed_on_time"]) / len(paid)) <= Decimal("0.0000005")


def test_backlog_is_one_stock_whatever_the_cut(marts: psycopg.Connection) -> None:
    """积压（截至统计日）: the big number (all cohorts) equals the by-type table's total and the detail's
    is_backlog count, and every backlog application is approved and unpaid."""
    total = marts.execute("select sum(backlog) as n from marts.fct_policy_yearly").fetchone()["n"]
    by_type = rows(marts, "select policy_type, sum(backlog) as n from marts.fct_policy_yearly group by 1")
    detail = rows(marts, "select policy_type, approved_date, disbursed_date, eval_year, applied_year "
                         "from marts.fct_policy_applications where is_backlog and city_code is not null")
    assert total == sum(r["n"] for r in by_type) == len(detail)
    assert all(r["approved_date"] is not None and r["disbursed_date"] is None for r in detail)
    assert all(r["eval_year"] == r["applied_year"] for r in detail)
    for t in by_type:
        assert t["n"] == sum(r["policy_type"] == t["policy_type"] for r in detail)
