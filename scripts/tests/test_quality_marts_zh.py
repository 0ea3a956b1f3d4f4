"""The data-quality marts in Chinese and in Beijing time (the 数据质量 dashboard).

Each figure is recomputed here from its inputs, not read back from itself:
- the reference seeds mirror the code they name (the feed contract, the gate's suites and checks, the
  importer's quarantine categories, whose messages the importer itself produces here);
- on a private copy of the built province, with a delivery of crafted bad rows imported and the gate
  run, the marts are read as the reporting role: every Chinese column a dashboard shows is filled
  with Chinese on every row, status_zh / check_name_zh / description_zh and the quarantine reason
  kinds and fields equal a Python recomputation from audit.* and the seed files, and every *_bj
  column is the UTC time plus 8 hours.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from innopoints import db, seeds
from innopoints.config import Settings
from innopoints.feeds import FEEDS, Field, feed_codes
from innopoints.importer import convert
from innopoints.uscc import USCC_CHARSET
from psycopg.rows import dict_row

from .test_quality_support import admin, import_file, private_copy, write_csv

CJK = re.compile(r"[\u4e00-\u9fff]")
BEIJING = dt.timedelta(hours=8)

# The Chinese columns each dashboard mart shows, filled on every row.
ZH_EVERY_ROW: dict[str, tuple[str, ...]] = {
    "fct_dq_results": ("suite_name_zh", "check_name_zh", "description_zh", "status_zh", "severity_zh",
                       "area_zh", "purpose_zh", "run_status_zh"),
    "fct_import_batches": ("feed_name_zh",),
    "fct_quarantine_summary": ("feed_name_zh", "reason_zh", "fields_zh"),
    "fct_feed_coverage": ("feed_name_zh", "city_name_zh"),
}
# (mart, timestamptz column, its Beijing-time column)
BJ_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("fct_dq_results", "run_started_at", "run_started_at_bj"),
    ("fct_dq_results", "run_finished_at", "run_finished_at_bj"),
    ("fct_dq_results", "run_time", "run_time_bj"),
    ("fct_dq_results", "source_loaded_at", "source_loaded_at_bj"),
    ("fct_import_batches", "loaded_at", "loaded_at_bj"),
    ("fct_quarantine_summary", "loaded_at", "loaded_at_bj"),
    ("fct_quarantine_summary", "first_quarantined_at", "first_quarantined_at_bj"),
    ("fct_quarantine_summary", "last_quarantined_at", "last_quarantined_at_bj"),
)


def seed(name: str) -> list[dict[str, Any]]:
    return seeds.load(name)


def classify(reason: str) -> str:
    """The reason kind of a quarantine message, as the seed defines it: first pattern in match_order
    that matches the first problem of the message."""
    first = reason.split("; also ", 1)[0]
    for r in sorted(seed("ref_quarantine_reasons"), key=lambda r: int(r["match_order"])):
        if re.search(r["match_pattern"], first):
            return r["reason_code"]
    raise AssertionError(f"no reason pattern matches {reason!r}")


# ---------------------------------------------------------------- the seeds mirror the code


def test_feed_seeds_mirror_the_feed_contract() -> None:
    assert [(r["feed"], r["feed_name_zh"], r["purpose"], r["delivery"]) for r in seed("ref_feeds")] == [
        (f.name, f.system_zh, f.purpose, f.delivery) for f in FEEDS.values()]
    assert [(r["feed"], r["field"], r["field_name_zh"], r["field_kind"], r["is_key"])
            for r in seed("ref_feed_fields")] == [
        (f.name, x.name, x.zh, x.kind, x.key) for f in FEEDS.values() for x in f.fields]
    # sources.md names the feeds this way, e.g. sci_records 科技局业务记录
    assert {r["feed"]: r["feed_name_zh"] for r in seed("ref_feeds")}["sci_records"] == "科技局业务记录"


def test_every_suite_and_check_of_the_gate_is_named_in_chinese() -> None:
    from innopoints.quality.suites import all_suites

    checks = {(r["check_name"], r["field_kind"]): r for r in seed("ref_dq_checks")}
    named = {c for c, _ in checks}
    assert all(k == "any" or (c, "any") in checks for c, k in checks), "every check needs an 'any' row"
    gate_checks = {"freshness", "never_delivered", "relation_exists", "data_unchanged"}  # runner.py
    # a one-pass expectation of row rules is reported as its rules (runner._row_rule_results)
    suite_checks = {c for s in all_suites() for e in s.expectations
                    for c in ([r["check"] for r in e.meta["rules"]] if (e.meta or {}).get("rules")
                              else [(e.meta or {}).get("check")])}
    assert None not in suite_checks
    assert suite_checks | gate_checks <= named, sorted((suite_checks | gate_checks) - named)
    for r in checks.values():
        assert CJK.search(r["check_name_zh"]) and CJK.search(r["description_zh"]), r
        assert set(re.findall(r"\{(\w+)\}", r["description_zh"])) <= {"object", "column"}, r
    suites = {r["suite_name"] for r in seed("ref_dq_suites")}
    for s in all_suites():  # a raw suite is named from its feed (ref_feeds), the others from ref_dq_suites
        assert (s.area == "raw" and s.feed in FEEDS) or s.name in suites, s.name
    assert {"dbt_source_freshness", "gate"} <= suites
    labels = {(r["vocabulary"], r["code"]) for r in seed("ref_dq_labels")}
    assert {("dq_area", s.area) for s in all_suites()} <= labels
    assert {("dq_purpose", p) for p in ("scoring", "monitoring")} | {("dq_severity", s) for s in ("error", "warn")} \
        | {("dq_status", s) for s in ("pass", "warn", "fail")} <= labels


def test_numbers_quoted_in_the_check_descriptions_are_the_suites_constants() -> None:
    from innopoints.quality.suites import monitoring_marts, raw_feeds, scoring_marts

    text = {(r["check_name"], r["field_kind"]): r["description_zh"] for r in seed("ref_dq_checks")}
    assert raw_feeds.ROW_COUNT_MIN_RATIO == 0.5 and "50%" in text["row_count_vs_previous", "any"]
    assert raw_feeds.MEDIAN_SHIFT == 5.0 and "1/5到5倍" in text["median_shift", "any"]
    assert raw_feeds.YEAR_MIN == 1949 and "1949年" in text["range", "year"]
    assert raw_feeds.DATE_MIN == "1900-01-01" and raw_feeds.DATE_MIN in text["range", "date"]
    assert raw_feeds.MONEY_MAX == 1e12 and "1万亿元" in text["range", "money"]
    assert scoring_marts.MAX_VETO_SHARE == 0.6 and "60%" in text["metrics_sane", "any"]
    assert scoring_marts.MEAN_SHARE_RANGE == (0.05, 0.95) and "5%到95%" in text["metrics_sane", "any"]
    assert monitoring_marts.MAX_RATE_PCT == 24.0 and "24%" in text["rate_range", "any"]
    assert monitoring_marts.MAX_SPREAD_BP == 2000 and "2000个基点" in text["spread_range", "any"]
    assert monitoring_marts.MAX_DAYS == 3650 and "3650天" in text["days_range", "any"]


def _wrong_check_digit(code: str) -> str:
    return code[:17] + next(c for c in USCC_CHARSET if c != code[17])


def test_quarantine_patterns_classify_every_message_the_importer_writes() -> None:
    """Each category of convert.Bad, produced by the importer's own converters, is classified back to
    itself by the seed's patterns; the reason kinds of load.py are checked on a real import below."""
    today = dt.date.today()

    def f(kind: str, **kw: Any) -> Field:
        return Field("x", "字段", kind, required=True, **kw)  # type: ignore[arg-type]

    money = convert.make_number(f("money"), Decimal(1), max_int_digits=18, scale_hint="at most 18 digits")
    cases: list[tuple[Callable[[str], str], str]] = [
        (convert.make_text(f("text")), ""),
        (money, "-5"),
        (money, "1e30"),
        (money, "abc"),
        (money, "Infinity"),
        (convert.make_int(f("int")), "1.5"),
        (convert.make_int(f("int")), "abc"),
        (convert.make_int(f("int")), "-3"),
        (convert.make_int(f("int")), "3000000000"),
        (convert.make_year(f("year"), today), "二零二三"),
        (convert.make_year(f("year"), today), "1800"),
        (convert.make_date(f("date"), today), "2023-02-30"),
        (convert.make_date(f("date"), today), "2023年2月30日"),
        (convert.make_date(f("date"), today), "someday"),
        (convert.make_date(f("date"), today), "2999-01-01"),
        (convert.make_date(f("date"), today), "1800-01-01"),
        (convert.make_bool(f("bool")), "maybe"),
        (convert.make_code(f("code", code_list=feed_codes("ip", "ip_type"))), "xyz"),
        (convert.make_text(f("text"), max_len=3), "abcdef"),
        (convert.make_text(f("text")), "a\x00b"),
        (convert.make_uscc(f("uscc")), _wrong_check_digit("91210100MA0XXXXXX1")),
        (convert.make_uscc(f("uscc")), "123"),
        (convert.make_uscc(f("uscc")), "9121010OMA0XXXXXX1"),
        (convert.make_region(f("region")), "110000"),
    ]
    seen = set()
    for conv, value in cases:
        with pytest.raises(convert.Bad) as info:
            conv(value)
        bad = info.value
        assert classify(bad.message) == bad.category, (value, bad.message)
        # the message as load.py stores it when the row has further problems
        assert classify(bad.message + "; also y: 字段 (y) is required but empty") == bad.category
        seen.add(bad.category)
    codes = {r["reason_code"] for r in seed("ref_quarantine_reasons")}
    row_level = {"duplicate key", "wrong number of fields", "unreadable row"}  # written by load.py
    assert seen | row_level | {"other"} == codes, sorted(codes ^ (seen | row_level | {"other"}))
    for r in seed("ref_quarantine_reasons"):
        assert CJK.search(r["reason_name_zh"]), r


# ---------------------------------------------------------------- the marts, as the reporting role

# line of the crafted tax file -> the reason kind its row must get
CRAFTED_KINDS = {3: "duplicate key", 4: "missing", 5: "negative", 6: "not a year", 7: "not a number",
                 8: "USCC check digit wrong", 9: "wrong number of fields", 10: "negative"}


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A private copy of the built province with a tax delivery of crafted bad rows, the gate run on it
    (the shrunken delivery fails row_count_vs_previous: a 未通过 row) and the quality marts rebuilt."""
    from innopoints.quality.runner import validate
    from innopoints.warehouse import dbt

    for settings in private_copy(built_warehouse, demo_dir):
        usccs = [r[0] for r in admin("select uscc from raw.registry order by uscc limit 6")]
        u = usccs
        rows: list[list[Any]] = [
            [u[0], 2022, "100", "10"],               # line 2: loads
            [u[0], 2022, "200", "20"],               # 3: duplicate key
            ["", 2023, "100", "10"],                 # 4: missing uscc
            [u[1], 2023, "-5", "10"],                # 5: negative
            [u[2], "二零二三", "1", "1"],            # 6: not a year
            [u[3], 2023, "abc", "1"],                # 7: not a number
            [_wrong_check_digit(u[4]), 2023, "1", "1"],  # 8: check digit
            [u[5], 2023, "1", "1", "extra", "more"],  # 9: wrong number of fields
            [u[5], 2023, "-1", "xyz"],               # 10: negative; also not a number
            [u[1], 2023, "100", "10"],               # 11, 12: load; with line 2 the delivery covers the
            [u[1], 2024, "100", "10"],               # three years of tax.csv, a fraction of its rows
        ]
        path = write_csv(tmp_path_factory.mktemp("zh") / "tax_crafted.csv",
                         ["uscc", "year", "taxes_paid", "rd_super_deduction"], rows)
        report = import_file(path)
        assert report.rows_quarantined == len(CRAFTED_KINDS), report.summary()
        validate()
        # the staging models are tables: rebuild everything that reads the gate's and the importer's records
        dbt(["build", "--select", "source:quality+", "source:audit+", "fct_feed_coverage"])
        yield settings


@pytest.fixture(scope="module")
def reporter(wh: Settings) -> Iterator[psycopg.Connection]:
    with db.connect(db.REPORTER, wh, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def read(conn: psycopg.Connection, query: str) -> list[dict[str, Any]]:
    return conn.execute(query).fetchall()


def test_every_chinese_column_a_dashboard_shows_is_chinese_on_every_row(reporter: psycopg.Connection) -> None:
    for mart, columns in ZH_EVERY_ROW.items():
        rows = read(reporter, f"select * from marts.{mart}")
        assert rows, f"{mart} is empty"
        for c in columns:
            bad = [r for r in rows if r[c] is None or not CJK.search(r[c])]
            assert not bad, f"{mart}.{c}: {len(bad)} of {len(rows)} rows not Chinese, e.g. {bad[0]}"
    dq = read(reporter, "select * from marts.fct_dq_results")
    assert {r["status_zh"] for r in dq} >= {"通过", "未通过"}
    assert {r["purpose_zh"] for r in dq} == {"评分", "监测"}
    fresh = [r for r in dq if r["area"] == "freshness"]
    assert fresh and all(r["freshness_status_zh"] and CJK.search(r["freshness_status_zh"]) for r in fresh)
    assert all(r["freshness_status_zh"] is None for r in dq if r["area"] != "freshness")
    raw_columns = [r for r in dq if r["area"] == "raw" and r["column_name"]]
    assert raw_columns and all(r["column_name_zh"] and CJK.search(r["column_name_zh"]) for r in raw_columns)
    names = {r["feed"]: r["feed_name_zh"] for r in read(reporter, "select distinct feed, feed_name_zh "
                                                                  "from marts.fct_feed_coverage")}
    assert names["sci_records"] == "科技局业务记录"


def test_dq_names_status_and_descriptions_equal_a_recomputation(wh: Settings, reporter: psycopg.Connection) -> None:
    """status_zh from success and severity, the names and the filled description from the seed files,
    for every result of audit.dq_results."""
    labels = {(r["vocabulary"], r["code"]): r["name_zh"] for r in seed("ref_dq_labels")}
    checks = {(r["check_name"], r["field_kind"]): r for r in seed("ref_dq_checks")}
    suites = {r["suite_name"]: r["suite_name_zh"] for r in seed("ref_dq_suites")}
    feeds = {r["feed"]: r["feed_name_zh"] for r in seed("ref_feeds")}
    fields = {(r["feed"], r["field"]): r for r in seed("ref_feed_fields")}
    audit = admin("select r.result_id, r.suite_name, r.area, r.feed, r.asset_name, "
                  "coalesce(r.check_name, r.expectation_type), r.column_name, r.success, r.severity, r.purpose, "
                  "u.success from audit.dq_results as r join audit.dq_runs as u using (run_id)")
    mart = {r["result_id"]: r for r in read(reporter, "select * from marts.fct_dq_results")}
    assert len(mart) == len(audit) > 0
    for rid, suite, area, feed, asset, check, column, success, severity, purpose, run_success in audit:
        m = mart[rid]
        status = "fail" if not success else "warn" if severity == "warn" else "pass"
        field = fields.get((feed, column))
        kind = checks.get((check, field["field_kind"])) if field else None
        row = kind or checks[check, "any"]
        column_label = f"{field['field_name_zh']}（{column}）" if field else (column or "")
        want = {
            "status": status,
            "status_zh": labels["dq_status", status],
            "run_status_zh": labels["dq_status", "pass" if run_success else "fail"],
            "area_zh": labels["dq_area", area],
            "purpose_zh": labels["dq_purpose", purpose],
            "severity_zh": labels["dq_severity", severity],
            "suite_name_zh": suites.get(suite) or f"{labels['dq_area', area]}：{feeds[feed]}",
            "check_name_zh": row["check_name_zh"],
            "description_zh": row["description_zh"].replace("{object}", feeds.get(feed) or asset or "")
                                                  .replace("{column}", column_label),
            "feed_name_zh": feeds.get(feed),
        }
        assert {k: m[k] for k in want} == want, rid
    assert {(r["status"], r["status_zh"]) for r in mart.values()} >= {("pass", "通过"), ("fail", "未通过")}
    failed = [r for r in mart.values() if r["check_name"] == "row_count_vs_previous" and not r["success"]]
    assert failed and failed[0]["suite_name_zh"] == "原始数据：税务"


def test_quarantine_kinds_and_fields_equal_a_recomputation(wh: Settings, reporter: psycopg.Connection) -> None:
    fields = {(r["feed"], r["field"]): r["field_name_zh"] for r in seed("ref_feed_fields")}
    names = {r["reason_code"]: r["reason_name_zh"] for r in seed("ref_quarantine_reasons")}
    whole_row = {(r["vocabulary"], r["code"]): r["name_zh"] for r in seed("ref_dq_labels")}["quarantine_field", "row"]
    groups: dict[tuple[int, str, str], dict[str, Any]] = defaultdict(lambda: {"n": 0, "fields": set()})
    crafted: dict[int, str] = {}
    for batch_id, feed, reason, field, line, file_name in admin(
            "select batch_id, feed, reason, field, line, file_name from audit.quarantine"):
        g = groups[batch_id, feed, reason]
        g["n"] += 1
        g["fields"].add(whole_row if field is None else
                        "、".join(fields.get((feed, p), p) for p in field.split(", ")))
        if file_name == "tax_crafted.csv":
            crafted[line] = classify(reason)
    assert crafted == CRAFTED_KINDS
    summary = read(reporter, "select * from marts.fct_quarantine_summary")
    mart = {(r["batch_id"], r["feed"], r["reason"]): r for r in summary}
    assert mart.keys() == groups.keys()
    for key, g in groups.items():
        m = mart[key]
        code = classify(key[2])
        assert (m["reason_code"], m["reason_zh"], m["rows_quarantined"], m["fields_zh"]) == (
            code, names[code], g["n"], "、".join(sorted(g["fields"]))), key
    dup = [m for m in mart.values() if m["reason_code"] == "duplicate key" and m["feed"] == "tax"]
    assert dup and dup[0]["fields_zh"] == "统一社会信用代码、年度"


def test_beijing_time_columns_are_utc_plus_eight_hours(reporter: psycopg.Connection) -> None:
    reporter.execute("set time zone 'America/New_York'")  # the session's zone must not matter
    try:
        for mart, utc, bj in BJ_PAIRS:
            rows = read(reporter, f"select {utc}, {bj} from marts.{mart} where {utc} is not null "
                                  f"order by {utc} desc limit 5")
            assert rows, (mart, utc)
            for r in rows:
                assert r[bj] == (r[utc].astimezone(dt.UTC) + BEIJING).replace(tzinfo=None), (mart, utc, r)
        for mart, utc, day in (("fct_dq_results", "run_started_at", "run_date"),
                               ("fct_import_batches", "loaded_at", "loaded_date"),
                               ("fct_quarantine_summary", "loaded_at", "loaded_date")):
            for r in read(reporter, f"select {utc}, {day} from marts.{mart} order by {utc} desc limit 5"):
                assert r[day] == (r[utc].astimezone(dt.UTC) + BEIJING).date(), (mart, r)
        for r in read(reporter, "select loaded_at, loaded_month from marts.fct_import_batches limit 5"):
            assert r["loaded_month"] == (r["loaded_at"].astimezone(dt.UTC) + BEIJING).date().replace(day=1)
    finally:
        reporter.execute("reset time zone")


def _refusal(path: Path) -> str:
    """The message the importer refuses a file with, produced by its own reading steps (no database)."""
    from innopoints.importer.headers import Unrecognised, recognise
    from innopoints.importer.sources import Refused, open_rows, sniff

    src = None
    try:
        src = open_rows(path, sniff(path))
        recognise(src.header())
        for _ in src.rows():
            pass
    except (Refused, Unrecognised) as exc:
        return str(exc)
    finally:
        if src is not None:
            src.close()
    raise AssertionError(f"{path.name} was not refused")


def test_refusal_patterns_name_every_file_the_importer_refuses(tmp_path: Path) -> None:
    """Files the importer refuses whole, each made here and read by the importer itself, are given their
    kind by ref_refusal_reasons (the first pattern in match_order), as fct_import_refusals does; every
    kind has a Chinese name and a remedy."""
    tax_header = "统一社会信用代码,年度,研发费用加计扣除额\n"
    files = {
        "empty file": ("tax_empty.csv", b""),
        "legacy xls": ("tax.xls", b"\xd0\xcf\x11\xe0 not really"),
        "not excel": ("tax.xlsx", b"plain text, not a workbook"),
        "utf-16": ("tax16.csv", tax_header.encode("utf-16")),
        "wrong encoding": ("tax_enc.csv", b"a,b\n\x81\x20,\xfa\n"),
        "unknown feed": ("list.csv", "名称,地址\n甲,乙\n".encode()),
        "header not in row 1": ("tax_blank.csv", b",,\n1,2,3\n"),
    }
    reasons = sorted(seed("ref_refusal_reasons"), key=lambda r: int(r["match_order"]))
    for expected, (name, content) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        message = _refusal(path)
        kind = next(r["reason_code"] for r in reasons if re.search(r["match_pattern"], message))
        assert kind == expected, (name, message, kind)
    for r in reasons:
        assert CJK.search(r["reason_name_zh"]) and CJK.search(r["remedy_zh"]), r


def test_monitoring_feed_coverage_equals_a_recomputation(wh: Settings, reporter: psycopg.Connection) -> None:
    """The loans, policy and consents rows of fct_feed_coverage (each counted by a model of its own)
    equal a count in Python from the staged feeds and the evaluated enterprises: loans and policy by
    applications made in the year, consents by a first consent of the year or earlier; 0 where none."""
    evaluated = admin("select scheme_code, eval_year, city_code, uscc from marts.fct_score_coverage "
                      "where is_evaluated")
    applied = {feed: set(admin(f"select distinct uscc, extract(year from applied_date)::int "
                               f"from staging.stg_{feed}__applications")) for feed in ("loans", "policy")}
    first_consent: dict[str, int] = {}
    for uscc, year in admin("select uscc, extract(year from granted_date)::int from staging.stg_consents__consents"):
        first_consent[uscc] = min(year, first_consent.get(uscc, year))
    expected: dict[tuple[str, int, str, str], int] = defaultdict(int)
    for scheme, year, city, uscc in evaluated:
        for feed in ("loans", "policy"):
            expected[(scheme, year, city, feed)] += (uscc, year) in applied[feed]
        expected[(scheme, year, city, "consents")] += first_consent.get(uscc, year + 1) <= year
    got = {(r["scheme_code"], r["eval_year"], r["city_code"], r["feed"]): r["enterprises_with_rows"]
           for r in read(reporter, "select scheme_code, eval_year, city_code, feed, enterprises_with_rows "
                                   "from marts.fct_feed_coverage where feed in ('loans', 'policy', 'consents')")}
    assert got == dict(expected)
    assert all(sum(v for k, v in got.items() if k[3] == feed) > 0 for feed in ("loans", "policy", "consents"))
