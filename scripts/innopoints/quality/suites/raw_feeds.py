"""Suites on every raw feed (raw.<feed>, every delivery with its _batch_id), generated from the feed
contract in innopoints.feeds so that a new field is checked the day it is added.

Per feed:
- the table has exactly the contract's columns (plus _batch_id, _line, _loaded_at);
- key and required fields are present (not null);
- USCC fields match the GB 32100 pattern, and their check character is right (SQL, audit.uscc_is_valid);
- values in range: money and counts not negative (unless the field allows it) and not absurdly
  large, percentages 0..100, years plausible and not after this year, dates real and not in the
  future (except validity ends), date pairs in order, codes in their code lists, city and bank
  codes in the reference seeds;
- the natural key is unique within each delivery (_batch_id);
- every row's _batch_id is an import batch of this feed (audit.import_batches);
- the latest delivery of each scope (year, bank: DELIVERY_SCOPE) has more than ROW_COUNT_MIN_RATIO of
  the rows of the previous delivery of the same feed and scope ("half its rows missing");
- distribution shift of the main money fields: the median of the latest delivery of each scope lies
  inside a plausible absolute range and within ×MEDIAN_SHIFT of the median of the earlier (plausible)
  deliveries of the feed (catches 元 delivered where 千元 was expected: a thousandfold jump).
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx

from innopoints import seeds
from innopoints.feeds import FEEDS, RAW_META_COLUMNS, Feed, Field
from innopoints.quality.suites import (
    RowRule,
    SuiteSpec,
    UnexpectedRows,
    braces,
    check,
    row_rules_expectation,
    sql_list,
)

E = gx.expectations

# GB 32100-2015: 18 characters of 0-9 and A-Z without I, O, S, V, Z.
USCC_REGEX = r"^[0-9A-HJ-NPQRTUWXY]{18}$"

ROW_AT = 10_000_000_000  # (batch, line) as one bigint: batch × ROW_AT + line (a line is an int4)

# Feeds scoring cannot do without: an empty one fails the gate.
REQUIRED_FEEDS = ("registry", "torch")

# Latest delivery vs the previous delivery of the same feed.
ROW_COUNT_MIN_RATIO = 0.5
MEDIAN_SHIFT = 5.0  # the latest median must lie within [reference / 5, reference × 5]

# What one delivery of a feed covers: feeds delivered per year or per bank are compared with the
# previous delivery of the same year / bank (a file per bank of loans is not "half missing" because
# a smaller bank reports fewer loans). Unlisted feeds: every delivery covers the whole feed.
DELIVERY_SCOPE: dict[str, str] = {
    "torch": "year",
    "credit": "year",
    "tax": "year",
    "tsme": "year",
    "loans": "bank_code",
}

# Money fields whose distribution is watched, with a plausible range of the median (yuan) of one
# delivery of a province's technology enterprises. 元 delivered as 千元 multiplies by 1000.
MEDIAN_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("torch", "revenue"): (1e5, 5e9),
    ("torch", "rd_expense"): (1e3, 5e8),
    ("tax", "taxes_paid"): (1e2, 5e8),
}

MONEY_MAX = 1e12  # no enterprise of the programme has a trillion yuan of anything
INT_RANGES: dict[str, tuple[int, int]] = {
    "employees": (0, 1_000_000),
    "rd_staff": (0, 1_000_000),
    "admin_penalties": (0, 10_000),
    "term_months": (1, 600),
}
INT_DEFAULT = (0, 10_000_000)
YEAR_MIN = 1949
DATE_MIN = "1900-01-01"
# dates that may legitimately lie in the future
FUTURE_DATES_OK = {("hte", "expiry_date")}
# (feed, earlier, later): the later date, when present, is not before the earlier one
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("registry", "established_date", "deregistered_date"),
    ("hte", "certified_date", "expiry_date"),
    ("ip", "application_date", "grant_date"),
    ("consents", "granted_date", "revoked_date"),
    ("loans", "applied_date", "decision_date"),
    ("policy", "applied_date", "disbursed_date"),
)
YEAR_ORDER: tuple[tuple[str, str, str], ...] = (("sci_records", "year", "end_year"),)
# years that may lie after the current year (an end of validity)
FUTURE_YEARS_OK = {("sci_records", "end_year")}


def city_codes() -> list[str]:
    return sorted(seeds.column("regions", "region_code", level="city"))


def bank_codes() -> list[str]:
    return sorted(seeds.column("ref_banks", "bank_code"))


def product_codes() -> list[str]:
    return sorted(seeds.column("ref_loan_products", "product_code"))


def _field_rules(feed: Feed, f: Field) -> list[RowRule]:
    out = []
    c, rc = f.name, f"r.{f.name}"
    between = "expect_column_values_to_be_between"
    unexpected = "unexpected_rows_expectation"
    if f.is_required:
        out.append(RowRule("not_null", c, f"{rc} is null", f"{f.zh} ({c}) is present in every row",
                           "expect_column_values_to_not_be_null"))
    if f.kind == "uscc":
        out.append(RowRule("uscc_pattern", c, f"{rc} !~ '{braces(USCC_REGEX)}'",
                           f"{f.zh} ({c}) has the GB 32100 pattern: 18 characters of 0-9A-Z without I O S V Z",
                           "expect_column_values_to_match_regex"))
        out.append(RowRule("uscc_check_digit", c, f"{rc} is not null and not audit.uscc_is_valid({rc})",
                           f"{f.zh} ({c}) has a right GB 32100-2015 check character", unexpected))
    elif f.kind == "money":
        lo = -MONEY_MAX if f.allow_negative else 0
        out.append(RowRule("range", c, f"({rc} < {lo:.0f} or {rc} > {MONEY_MAX:.0f})",
                           f"{f.zh} ({c}) in yuan between {lo:,.0f} and {MONEY_MAX:,.0f}", between))
    elif f.kind == "int":
        lo, hi = INT_RANGES.get(c, INT_DEFAULT)
        out.append(RowRule("range", c, f"({rc} < {lo} or {rc} > {hi})", f"{f.zh} ({c}) between {lo} and {hi}",
                           between))
    elif f.kind == "pct":
        out.append(RowRule("range", c, f"({rc} < 0 or {rc} > 100)", f"{f.zh} ({c}) is a percentage 0..100",
                           between))
    elif f.kind == "year":
        out.append(RowRule("range", c, f"({rc} < {YEAR_MIN} or {rc} > 2100)", f"{f.zh} ({c}) is a plausible year",
                           between))
        if (feed.name, c) not in FUTURE_YEARS_OK:
            out.append(RowRule("not_future", c, f"{rc} > extract(year from current_date)",
                               f"{f.zh} ({c}) is not after the current year", unexpected))
    elif f.kind == "date":
        out.append(RowRule("range", c, f"{rc} < date '{DATE_MIN}'", f"{f.zh} ({c}) is not before {DATE_MIN}",
                           unexpected))
        if (feed.name, c) not in FUTURE_DATES_OK:
            out.append(RowRule("not_future", c, f"{rc} > current_date", f"{f.zh} ({c}) is not in the future",
                               unexpected))
    elif f.kind == "code" and f.codes:
        out.append(RowRule("in_set", c, f"{rc}::text not in ({sql_list(sorted(set(f.codes.values())))})",
                           f"{f.zh} ({c}) is one of its canonical codes", "expect_column_values_to_be_in_set"))
    elif f.kind == "region":
        out.append(RowRule("in_set", c, f"{rc}::text not in ({sql_list(city_codes())})",
                           f"{f.zh} ({c}) is a city of the province (seeds/reference/regions.csv)",
                           "expect_column_values_to_be_in_set"))
    if c == "bank_code":
        out.append(RowRule("in_set", c, f"{rc}::text not in ({sql_list(bank_codes())})",
                           "银行代码 (bank_code) is a partner bank (seeds/reference/ref_banks.csv)",
                           "expect_column_values_to_be_in_set"))
    if c == "product_code":
        out.append(RowRule("in_set", c, f"{rc}::text not in ({sql_list(product_codes())})",
                           "产品代码 (product_code) is a known product (seeds/reference/ref_loan_products.csv)",
                           "expect_column_values_to_be_in_set"))
    return out


def row_rules(feed: Feed) -> list[RowRule]:
    """Every rule a single row of the feed keeps: its fields' rules, its date pairs in order, and its
    batch being an import batch of this feed."""
    out = [r for f in feed.fields for r in _field_rules(feed, f)]
    for fname, early, late in DATE_ORDER + YEAR_ORDER:
        if fname == feed.name:
            out.append(RowRule("date_order", late, f"r.{late} < r.{early}", f"{late} is not before {early}",
                               "unexpected_rows_expectation"))
    out.append(RowRule(
        "batch_known", None,
        f"r._batch_id not in (select batch_id from audit.import_batches where feed = '{feed.name}')",
        f"every row came in an import batch of the {feed.name} feed", "unexpected_rows_expectation"))
    return out


def _row_rules_check(feed: Feed) -> Any:
    rules = row_rules(feed)
    return row_rules_expectation(
        rules, f"r._batch_id * {ROW_AT} + r._line",
        f"format('batch %s line %s', {{first}} / {ROW_AT}, {{first}} % {ROW_AT})",
        f"every row of raw.{feed.name} keeps its {len(rules)} row rules (presence, format, check character, "
        "range, code lists, date order, known batch), checked in one pass; each rule is reported on its own")


def _scope_sql(feed: Feed, alias: str = "") -> str:
    """SQL naming a delivery's scope: the distinct scope values of its rows ('all' for unscoped feeds)."""
    col = DELIVERY_SCOPE.get(feed.name)
    if col is None:
        return "'all'"
    c = f"{alias}{col}"
    return f"string_agg(distinct {c}::text, ',' order by {c}::text)"


def _row_count_check(feed: Feed) -> Any:
    """A full delivery much smaller than the previous one of the same scope lost rows. A feed delivered
    as changes (new and changed rows only) is exempt: a bank re-sending ten changed loans is not a
    collapse; a feed that stops arriving is caught by freshness."""
    scope = f" ({DELIVERY_SCOPE[feed.name]})" if feed.name in DELIVERY_SCOPE else ""
    return check(UnexpectedRows(
        unexpected_rows_query=(
            "with deliveries as ("
            " select b.batch_id, b.file_name, count(r._batch_id) as n_rows,"
            f" coalesce({_scope_sql(feed, 'r.')}, '(empty)') as scope"
            " from audit.import_batches as b"
            " left join {batch} as r on r._batch_id = b.batch_id"
            f" where b.feed = '{feed.name}' group by b.batch_id, b.file_name),"
            " ordered as ("
            " select batch_id, file_name, scope, n_rows,"
            " lag(batch_id) over (partition by scope order by batch_id) as previous_batch_id,"
            " lag(n_rows) over (partition by scope order by batch_id) as previous_n_rows,"
            " row_number() over (partition by scope order by batch_id desc) as recency from deliveries)"
            " select batch_id, file_name, scope, n_rows, previous_batch_id, previous_n_rows from ordered"
            f" where recency = 1 and previous_n_rows > 0 and n_rows <= {ROW_COUNT_MIN_RATIO} * previous_n_rows"),
        description=(f"the latest delivery of each scope has more than {ROW_COUNT_MIN_RATIO:.0%} of the rows of "
                     f"the previous delivery of the same feed and scope{scope}")),
        "row_count_vs_previous")


def _delivery_checks(feed: Feed) -> list:
    key = ", ".join(feed.key)
    out = [
        check(UnexpectedRows(
            unexpected_rows_query=(
                f"select {key}, _batch_id, count(*) as n_rows from {{batch}} "
                f"group by {key}, _batch_id having count(*) > 1"),
            description=f"the natural key ({key}) is unique within each delivery (_batch_id)"),
            "key_unique_per_batch"),
    ]
    if feed.delivery == "full":
        out.append(_row_count_check(feed))
    for (fname, col), (lo, hi) in MEDIAN_RANGES.items():
        if fname != feed.name:
            continue
        out.append(check(UnexpectedRows(
            unexpected_rows_query=(
                "with per_batch as ("
                f" select _batch_id, percentile_cont(0.5) within group (order by {col}) as median_value,"
                f" {_scope_sql(feed)} as scope"
                f" from {{batch}} where {col} > 0 group by _batch_id),"
                " latest as ("
                " select _batch_id, scope, median_value,"
                " row_number() over (partition by scope order by _batch_id desc) as recency from per_batch),"
                " compared as ("
                " select l._batch_id, l.scope, l.median_value,"
                " (select percentile_cont(0.5) within group (order by p.median_value) from per_batch as p"
                f" where p._batch_id < l._batch_id and p.median_value between {lo} and {hi}) as reference_median"
                " from latest as l where l.recency = 1)"
                " select _batch_id, scope, median_value, reference_median from compared"
                f" where median_value not between {lo} and {hi}"
                f" or median_value > {MEDIAN_SHIFT} * reference_median"
                f" or median_value < reference_median / {MEDIAN_SHIFT}"),
            description=(f"median {col} of the latest delivery of each scope lies between {lo:,.0f} and "
                         f"{hi:,.0f} yuan and within ×{MEDIAN_SHIFT:g} of the earlier deliveries' (a unit error "
                         "such as 元 sent as 千元 moves it a thousandfold)")),
            "median_shift", col))
    return out


def feed_suite(feed: Feed) -> SuiteSpec:
    columns = [*feed.names, *(name for name, _ in RAW_META_COLUMNS)]
    exps = [
        check(E.ExpectTableColumnsToMatchSet(
            column_set=columns, exact_match=True,
            description=f"raw.{feed.name} has exactly the columns of the feed contract (innopoints.feeds)"),
            "columns"),
    ]
    if feed.name in REQUIRED_FEEDS:
        exps.append(check(E.ExpectTableRowCountToBeBetween(
            min_value=1, description=f"the {feed.name} feed has been delivered (scoring needs it)"),
            "not_empty"))
    exps.append(_row_rules_check(feed))
    exps.extend(_delivery_checks(feed))
    return SuiteSpec(
        name=f"raw_{feed.name}", area="raw", schema="raw", table=feed.name, feed=feed.name, purpose=feed.purpose,
        expectations=tuple(exps),
        notes=f"Raw {feed.system_zh} ({feed.name}) deliveries: contract, values, keys per delivery, drift.",
    )


def suites() -> list[SuiteSpec]:
    return [feed_suite(f) for f in FEEDS.values()]
