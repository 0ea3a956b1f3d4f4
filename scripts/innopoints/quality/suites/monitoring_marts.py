"""Suites on the monitoring marts the dashboards read: the metrics stay within sane ranges.

A share or a rate of success is a fraction 0..1; a loan rate is a percentage within what Chinese
lending law allows (MAX_RATE_PCT, four times the LPR is about 14%); days are not negative and not
absurd (MAX_DAYS). A metric outside these is a modelling or unit error, not news for leadership.
"""

from __future__ import annotations

import great_expectations as gx

from innopoints.quality.suites import SuiteSpec, UnexpectedRows, check

E = gx.expectations

MAX_RATE_PCT = 24.0
MAX_SPREAD_BP = 2000
MAX_DAYS = 3650


def _share(c: str) -> object:
    return check(E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1,
                                                 description=f"{c} is a fraction between 0 and 1"), "share_range", c)


def _rate(c: str) -> object:
    return check(E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=MAX_RATE_PCT,
                                                 description=f"{c} is an annual rate between 0 and {MAX_RATE_PCT}%"),
                 "rate_range", c)


def _days(c: str) -> object:
    return check(E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=MAX_DAYS,
                                                 description=f"{c} is between 0 and {MAX_DAYS} days"), "days_range", c)


def _count_le(small: str, big: str) -> object:
    return check(UnexpectedRows(
        unexpected_rows_query=f"select {small}, {big} from {{batch}} where {small} > {big}",
        description=f"{small} is never more than {big}"), "count_consistent", small)


def suites() -> list[SuiteSpec]:
    headline = [
        *(_share(c) for c in ("grade_a_share", "grade_b_share", "grade_c_share", "grade_d_share", "grade_v_share",
                              "enterprise_success_rate", "application_success_rate", "policy_on_time_share")),
        *(_rate(c) for c in ("weighted_rate_pct", "weighted_all_in_rate_pct")),
        check(E.ExpectColumnValuesToBeBetween(column="weighted_spread_bp", min_value=-MAX_SPREAD_BP,
                                              max_value=MAX_SPREAD_BP,
                                              description="spread over the LPR within ±2000 bp"),
              "spread_range", "weighted_spread_bp"),
        *(_days(c) for c in ("policy_days_p50", "approval_days_p50")),
        _count_le("enterprises_scored", "enterprises_evaluated"),
        _count_le("applications_approved", "applications_decided"),
        _count_le("enterprises_approved", "enterprises_decided"),
        _count_le("policy_disbursed_on_time", "policy_applications_disbursed"),
    ]
    monthly = [
        *(_share(c) for c in ("enterprise_success_rate", "application_success_rate", "overdue_rate_by_count",
                              "overdue_rate_by_balance", "default_rate_by_count", "default_rate_by_balance")),
        *(_rate(c) for c in ("weighted_rate_pct", "weighted_all_in_rate_pct")),
        *(_days(c) for c in ("approval_days_p50", "approval_days_p90")),
        _count_le("applications_approved", "applications_decided"),  # (received and decided fall in different months)
    ]
    policy = [
        _share("on_time_share"),
        *(_days(c) for c in ("days_to_disbursement_p50", "days_to_disbursement_p90", "backlog_age_days_max")),
        _count_le("disbursed_on_time", "applications_disbursed"),
    ]
    return [
        SuiteSpec(name="marts_leadership_headline", area="marts", purpose="monitoring",
                  schema="marts", table="fct_leadership_headline",
                  expectations=tuple(headline), notes="领导驾驶舱 headline metrics within sane ranges."),
        SuiteSpec(name="marts_financing_monthly", area="marts", purpose="monitoring",
                  schema="marts", table="fct_financing_monthly",
                  expectations=tuple(monthly), notes="融资监测 monthly metrics within sane ranges."),
        SuiteSpec(name="marts_policy_delivery", area="marts", purpose="monitoring",
                  schema="marts", table="fct_policy_delivery",
                  expectations=tuple(policy), notes="政策兑现 metrics within sane ranges."),
    ]
