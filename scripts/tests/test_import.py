"""The one-click import against a real PostgreSQL: every kind of bad input, conversions, batches,
reconciliation, atomicity and the command's exit codes. Test files are built here, small."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import psycopg
import pytest
from innopoints.config import Settings
from innopoints.importer import ImportReport, import_path
from innopoints.uscc import make_uscc

ROOT = Path(__file__).resolve().parents[2]
REG_HEADER = ["统一社会信用代码", "企业名称", "法定代表人", "成立日期", "注销日期", "所属地市代码",
              "国民经济行业代码", "注册资本"]
TORCH_HEADER = ["统一社会信用代码", "年度", "营业收入", "净利润", "从业人员期末人数", "研发人员数", "研发费用",
                "高新技术产品（服务）收入", "技术合同成交额", "省内技术合同吸纳额", "股权融资额"]
_rng = random.Random()
_counter = itertools.count(1)


def uscc() -> str:
    """A valid, fresh USCC (so files of different tests never share content)."""
    return make_uscc("210100", f"{_rng.randrange(10**7):07d}{next(_counter) % 10}")


def reg_row(code: str | None = None, name: str | None = None, **kw: str) -> list[str]:
    row = {"uscc": code or uscc(), "name": name or f"沈阳测试科技有限公司{_rng.randrange(10**9)}",
           "legal_rep": "张三", "established": "2015-06-01", "deregistered": "", "city": "210100",
           "industry": "C3985", "capital": "500"}
    row.update(kw)
    return list(row.values())


def torch_row(code: str | None = None, year: str = "2023", **kw: str) -> list[str]:
    row = {"uscc": code or uscc(), "year": year, "revenue": "1000", "net_profit": "-20", "employees": "50",
           "rd_staff": "10", "rd_expense": "80", "hitech": "300", "contract": "0", "absorbed": "0",
           "equity": "0"}
    row.update(kw)
    return list(row.values())


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def run(path: Path) -> ImportReport:
    report = import_path(path)
    for f in report.files:
        assert f.reconciles, f.lines()
    return report


def one(report: ImportReport):
    assert len(report.files) == 1, report.summary()
    return report.files[0]


def refused(report: ImportReport, *words: str) -> str:
    f = one(report)
    assert f.status == "refused", report.summary()
    assert report.files_refused == 1
    for w in words:
        assert w.lower() in f.reason.lower(), f.reason
    return f.reason


def quarantine(conn: psycopg.Connection, batch_id: int) -> list[tuple]:
    return conn.execute(
        "select line, field, value, reason from audit.quarantine where batch_id = %s order by line", (batch_id,)
    ).fetchall()


def refusal_recorded(conn: psycopg.Connection, file_name: str) -> str:
    row = conn.execute(
        "select reason from audit.import_refusals where file_name = %s order by refusal_id desc limit 1",
        (file_name,),
    ).fetchone()
    assert row, f"no refusal recorded for {file_name}"
    return row[0]


# ------------------------------------------------------------------ bad input, one test each


def test_wrong_encoding_utf16_is_refused(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "reg_utf16.csv", REG_HEADER, [reg_row()], encoding="utf-16")
    refused(run(p), "UTF-16", "save it as UTF-8")
    assert "UTF-16" in refusal_recorded(admin_conn, "reg_utf16.csv")


def test_wrong_encoding_bytes_invalid_in_utf8_and_gb18030(warehouse: Settings, admin_conn,
                                                          tmp_path: Path) -> None:
    # GB18030 decodes most byte strings; Latin-1 'é' (0xE9) followed by ',' is not one of them.
    p = write_csv(tmp_path / "reg_latin1.csv", ["uscc", "name", "established_date", "city_code"],
                  [[uscc(), "Café", "2015-01-01", "210100"]], encoding="latin-1")
    reason = refused(run(p), "neither UTF-8 nor GB18030", "e9")
    assert admin_conn.execute("select count(*) from audit.import_batches where file_name = 'reg_latin1.csv'"
                              ).fetchone()[0] == 0
    assert reason == refusal_recorded(admin_conn, "reg_latin1.csv")


def test_unknown_feed_is_refused_with_headers_seen(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "weather.csv", ["城市", "气温", "湿度"], [["沈阳", "3", "40"]])
    refused(run(p), "unknown feed", "城市, 气温, 湿度")
    assert "unknown feed" in refusal_recorded(admin_conn, "weather.csv")


def test_missing_key_column_is_refused(warehouse: Settings, tmp_path: Path) -> None:
    header = REG_HEADER[1:]
    p = write_csv(tmp_path / "reg_nokey.csv", header, [reg_row()[1:]])
    refused(run(p), "registry", "统一社会信用代码 (uscc) [key]", "missing")


def test_duplicate_keys_within_a_file(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    code = uscc()
    rows = [torch_row(code, "2023"), torch_row(code, "2024"), torch_row(code, "2023", revenue="5"),
            torch_row(code, "2023", revenue="6")]
    f = one(run(write_csv(tmp_path / "torch_dup.csv", TORCH_HEADER, rows)))
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (4, 2, 2)
    q = quarantine(admin_conn, f.batch_id)
    assert [r[0] for r in q] == [4, 5]
    assert all("already on line 2" in r[3] for r in q), q
    loaded = admin_conn.execute("select year, revenue, _line from raw.torch where _batch_id = %s order by _line",
                                (f.batch_id,)).fetchall()
    assert [(r[0], r[2]) for r in loaded] == [(2023, 2), (2024, 3)]


def test_duplicate_keys_across_chunks_and_line_breaks_in_values(warehouse: Settings, admin_conn, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 rows: a duplicate in a later chunk names the first line, and a value spanning two
    lines shifts the line numbers of the rows after it."""
    from innopoints.importer import load

    monkeypatch.setattr(load, "CHUNK_ROWS", 3)
    a, b = uscc(), uscc()
    rows = [reg_row(a, name="两行\n名称"), reg_row(b), reg_row(), reg_row(), reg_row(b), reg_row(),
            reg_row(city="999999"), reg_row(a), []]
    f = one(run(write_csv(tmp_path / "reg_dup_chunks.csv", REG_HEADER, rows)))
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined, f.blank_lines) == (8, 5, 3, 1)
    q = quarantine(admin_conn, f.batch_id)
    assert [(r[0], r[1]) for r in q] == [(7, "uscc"), (9, "city_code"), (10, "uscc")]
    assert "already on line 4" in q[0][3] and "already on line 2" in q[2][3]
    loaded = admin_conn.execute("select uscc, _line from raw.registry where _batch_id = %s order by _line",
                                (f.batch_id,)).fetchall()
    assert [r[1] for r in loaded] == [2, 4, 5, 6, 8] and loaded[0][0] == a


def test_parallel_import_keeps_feed_order_and_reports_sorted(warehouse: Settings, admin_conn,
                                                             tmp_path: Path) -> None:
    code = uscc()
    write_csv(tmp_path / "t1_torch.csv", TORCH_HEADER, [torch_row(code, "2023", revenue="1"), torch_row()])
    write_csv(tmp_path / "t2_torch.csv", TORCH_HEADER, [torch_row(code, "2023", revenue="2")])
    write_csv(tmp_path / "t3_torch.csv", TORCH_HEADER, [torch_row(code, "2023", revenue="3")])
    write_csv(tmp_path / "a_registry.csv", REG_HEADER, [reg_row(), reg_row(city="999999")])
    write_csv(tmp_path / "z_unknown.csv", ["foo", "bar"], [["1", "2"]])
    report = import_path(tmp_path, jobs=2)
    assert [f.file for f in report.files] == ["a_registry.csv", "t1_torch.csv", "t2_torch.csv", "t3_torch.csv",
                                              "z_unknown.csv"]
    assert [f.status for f in report.files] == ["loaded"] * 4 + ["refused"]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (6, 5, 1)
    torch_batches = [f.batch_id for f in report.files[1:4]]
    assert torch_batches == sorted(torch_batches)  # the files of one feed go in sorted order
    got = admin_conn.execute("select revenue from raw.torch where uscc = %s order by _batch_id", (code,)).fetchall()
    assert [g[0] for g in got] == [1, 2, 3]
    assert all(f.reconciles for f in report.files)


def test_uscc_with_wrong_check_digit(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    good = uscc()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    f = one(run(write_csv(tmp_path / "reg_check.csv", REG_HEADER, [reg_row(good), reg_row(wrong)])))
    assert (f.rows_loaded, f.rows_quarantined) == (1, 1)
    [(line, field, value, reason)] = quarantine(admin_conn, f.batch_id)
    assert (line, field, value) == (3, "uscc", wrong)
    assert f"gives {good[17]!r}" in reason and "GB 32100" in reason


def test_negative_rd_expense(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    f = one(run(write_csv(tmp_path / "torch_neg.csv", TORCH_HEADER,
                          [torch_row(rd_expense="-5"), torch_row(net_profit="-9")])))
    assert (f.rows_loaded, f.rows_quarantined) == (1, 1)  # negative profit is allowed
    [(line, field, value, reason)] = quarantine(admin_conn, f.batch_id)
    assert (line, field, value) == (2, "rd_expense", "-5") and "must not be negative" in reason


def test_text_in_a_number_column(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    f = one(run(write_csv(tmp_path / "torch_text.csv", TORCH_HEADER,
                          [torch_row(revenue="约一百万"), torch_row(employees="12.5"), torch_row()])))
    assert (f.rows_loaded, f.rows_quarantined) == (1, 2)
    q = quarantine(admin_conn, f.batch_id)
    assert q[0][1:3] == ("revenue", "约一百万") and "not a number" in q[0][3]
    assert q[1][1:3] == ("employees", "12.5") and "whole number" in q[1][3]


def test_impossible_date_2024_13_01(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    f = one(run(write_csv(tmp_path / "reg_baddate.csv", REG_HEADER,
                          [reg_row(established="2024年13月1日"), reg_row(established="2023-02-30"),
                           reg_row(established="2024年2月29日")])))
    assert (f.rows_loaded, f.rows_quarantined) == (1, 2)
    q = quarantine(admin_conn, f.batch_id)
    assert q[0][1:3] == ("established_date", "2024年13月1日") and "not a real date" in q[0][3]
    assert "month" in q[0][3]
    assert q[1][2] == "2023-02-30" and "not a real date" in q[1][3]


def test_future_date(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    f = one(run(write_csv(tmp_path / "reg_future.csv", REG_HEADER, [reg_row(established=future)])))
    assert (f.rows_loaded, f.rows_quarantined) == (0, 1)
    [(_, field, value, reason)] = quarantine(admin_conn, f.batch_id)
    assert (field, value) == ("established_date", future) and "future" in reason
    # a certificate's expiry lies in the future by nature and loads
    hte = write_csv(tmp_path / "hte_future.csv", ["统一社会信用代码", "证书编号", "发证日期", "有效期至", "年报年度"],
                    [[uscc(), f"GR2023210{_rng.randrange(10**5)}", "2023-11-01", future, "2023"]])
    assert one(run(hte)).rows_loaded == 1


def test_empty_file_is_refused(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    refused(run(tmp_path / "empty.csv"), "empty file")
    (tmp_path / "bom_only.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    refused(run(tmp_path / "bom_only.csv"), "empty file")
    assert "empty" in refusal_recorded(admin_conn, "empty.csv")


def test_header_only_file_is_a_batch_with_zero_rows(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "consents_header_only.csv", ["统一社会信用代码", "银行代码", "授权日期", "撤销日期"], [])
    report = run(p)
    f = one(report)
    assert (f.status, f.feed, f.rows_read, f.rows_loaded) == ("loaded", "consents", 0, 0)
    assert "只有表头" in report.summary() and "header only" in report.summary()
    assert admin_conn.execute("select rows_read from audit.import_batches where batch_id = %s",
                              (f.batch_id,)).fetchone() == (0,)


def test_xlsx_with_extra_blank_sheet_serial_and_datetime_dates(warehouse: Settings, admin_conn,
                                                               tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "登记"
    ws.append(REG_HEADER)
    a, b, c = uscc(), uscc(), uscc()
    ws.append([a, "甲公司", "李四", dt.datetime(2016, 3, 1), None, 210200, "C3985", 1000000])
    ws.append([b, "乙公司", "王五", 45352, None, "210300", "I6510", 2500.5])  # Excel serial 45352 = 2024-03-01
    ws.append([c, "丙公司", None, "2019/7/8", None, 210100, None, None])
    wb.create_sheet("Sheet2")
    wb.save(tmp_path / "registry.xlsx")
    f = one(run(tmp_path / "registry.xlsx"))
    assert (f.status, f.feed, f.encoding, f.rows_loaded, f.rows_quarantined) == (
        "loaded", "registry", "xlsx", 3, 0)
    rows = admin_conn.execute(
        "select uscc, established_date, city_code, registered_capital, _line from raw.registry"
        " where _batch_id = %s order by _line", (f.batch_id,)).fetchall()
    assert rows[0][1:] == (dt.date(2016, 3, 1), "210200", 1000000, 2)
    assert rows[1][1:4] == (dt.date(2024, 3, 1), "210300", 2500.5)
    assert rows[2][1] == dt.date(2019, 7, 8) and rows[2][3] is None


def test_hostile_text_loads_verbatim(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    names = ["=cmd|' /C calc'!A0", "O'Brien \"Tech\"; drop table raw.registry; --",
             "back\\slash\ttab", "多行\n名称"]
    rows = [reg_row(name=n) for n in names]
    f = one(run(write_csv(tmp_path / "reg_hostile.csv", REG_HEADER, rows)))
    assert (f.rows_loaded, f.rows_quarantined) == (4, 0)
    got = admin_conn.execute("select name from raw.registry where _batch_id = %s order by _line",
                             (f.batch_id,)).fetchall()
    assert [g[0] for g in got] == names
    assert admin_conn.execute("select count(*) from raw.registry").fetchone()[0] >= 4


# ------------------------------------------------------------------ conversions


def test_gb18030_with_qianyuan_header_converts_to_yuan(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    header = ["统一社会信用代码", "统计年度", "营业收入(千元)", "净利润（千元）", "研发费用（千元）",
              "从业人员期末人数"]
    code = uscc()
    p = write_csv(tmp_path / "torch_gbk.csv", header, [[code, "2023", "1,234.50", "-0.5", "12", "８８"]],
                  encoding="gb18030")
    f = one(run(p))
    assert (f.feed, f.encoding, f.rows_loaded) == ("torch", "gb18030", 1)
    row = admin_conn.execute("select uscc, year, revenue, net_profit, rd_expense, employees from raw.torch"
                             " where _batch_id = %s", (f.batch_id,)).fetchone()
    assert row == (code, 2023, 1234500, -500, 12000, 88)


def test_wanyuan_full_width_and_utf8_bom(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    header = ["统一社会信用代码", "企业名称", "成立日期", "所属地市代码", "注册资本（万元）"]
    p = write_csv(tmp_path / "reg_bom.csv", header,
                  [[uscc(), "丁公司", "２０２０年１月２日", "２１０９００", "１，２００．５"],
                   [uscc(), "戊公司", "20200103", "210900", "3"]], encoding="utf-8-sig")
    f = one(run(p))
    assert (f.encoding, f.rows_loaded, f.rows_quarantined) == ("utf-8-sig", 2, 0), f.lines()
    rows = admin_conn.execute("select established_date, city_code, registered_capital from raw.registry"
                              " where _batch_id = %s order by _line", (f.batch_id,)).fetchall()
    assert rows == [(dt.date(2020, 1, 2), "210900", 12005000), (dt.date(2020, 1, 3), "210900", 30000)]


def test_english_headers_codes_booleans_and_serial_dates_in_csv(warehouse: Settings, admin_conn,
                                                                tmp_path: Path) -> None:
    header = ["ip_no", "uscc", "ip_type", "application_date", "grant_date", "status", "is_pct"]
    no = f"CN{_rng.randrange(10**12)}"
    rows = [[no + "1", uscc(), "发明专利", "45000", "", "审中", "否"],
            [no + "2", uscc(), "utility", "2022/3/1", "2023-01-05", "valid", "Y"],
            [no + "3", uscc(), "外观", "2022/3/1", "", "有效", "是"]]
    f = one(run(write_csv(tmp_path / "ip_en.csv", header, rows)))
    assert (f.feed, f.rows_loaded, f.rows_quarantined) == ("ip", 2, 1)
    got = admin_conn.execute("select ip_type, application_date, status, is_pct from raw.ip where _batch_id = %s"
                             " order by _line", (f.batch_id,)).fetchall()
    assert got == [("invention", dt.date(2023, 3, 15), "pending", False),
                   ("utility", dt.date(2022, 3, 1), "valid", True)]
    [(_, field, value, reason)] = quarantine(admin_conn, f.batch_id)
    assert (field, value) == ("ip_type", "外观") and "发明专利 (invention)" in reason


def test_unknown_city_is_quarantined(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    f = one(run(write_csv(tmp_path / "reg_city.csv", REG_HEADER, [reg_row(city="110100")])))
    assert f.rows_quarantined == 1
    assert "Liaoning city" in quarantine(admin_conn, f.batch_id)[0][3]


def test_loans_and_policy_share_application_number(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    write_csv(tmp_path / "a_policy.csv",
                       ["申请编号", "统一社会信用代码", "政策类型", "申请日期", "批准日期", "批准金额", "兑现日期",
                        "兑现金额"],
                       [[f"P{_rng.randrange(10**9)}", uscc(), "研发后补助", "2023-05-01", "", "", "", ""]])
    write_csv(tmp_path / "b_loans.csv",
                      ["申请编号", "银行代码", "产品代码", "统一社会信用代码", "申请日期", "申请金额", "审批结果",
                       "审批日期", "批准金额", "年利率(%)", "期限（月）", "放款日期", "状态", "贷款余额", "数据日期"],
                      [[f"L{_rng.randrange(10**9)}", "BOC", "JFD", uscc(), "2023-05-01", "100", "批准",
                        "2023-05-03", "100", "3.85%", "12", "2023-05-10", "正常", "80", "2023-12-31"]])
    write_csv(tmp_path / "c_ambiguous.csv", ["统一社会信用代码", "年度"], [[uscc(), "2023"]])
    report = run(tmp_path)
    by = {f.file: f for f in report.files}
    assert by["a_policy.csv"].feed == "policy" and by["a_policy.csv"].rows_loaded == 1
    assert by["b_loans.csv"].feed == "loans" and by["b_loans.csv"].rows_loaded == 1
    assert by["c_ambiguous.csv"].status == "refused" and "ambiguous" in by["c_ambiguous.csv"].reason
    assert report.files_refused == 1
    rate = admin_conn.execute("select annual_rate_pct, term_months from raw.loans where _batch_id = %s",
                              (by["b_loans.csv"].batch_id,)).fetchone()
    assert rate == (Decimal("3.85"), 12)


# ------------------------------------------------------------------ batches, reconciliation, atomicity


def test_reimport_loads_once_and_newer_delivery_is_kept_alongside(warehouse: Settings, admin_conn,
                                                                  tmp_path: Path) -> None:
    code = uscc()
    (tmp_path / "d1").mkdir()
    first = write_csv(tmp_path / "d1" / "torch.csv", TORCH_HEADER, [torch_row(code, revenue="100")])
    f1 = one(run(first))
    assert f1.status == "loaded"
    again = one(run(first))
    assert again.status == "skipped" and again.batch_id == f1.batch_id and "already imported" in again.reason
    (tmp_path / "d2").mkdir()
    newer = write_csv(tmp_path / "d2" / "torch.csv", TORCH_HEADER, [torch_row(code, revenue="120")])
    f2 = one(run(newer))
    assert f2.status == "loaded" and f2.batch_id > f1.batch_id
    rows = admin_conn.execute("select _batch_id, revenue from raw.torch where uscc = %s order by _batch_id",
                              (code,)).fetchall()
    assert rows == [(f1.batch_id, 100), (f2.batch_id, 120)]
    n = admin_conn.execute("select count(*) from audit.import_batches where content_sha256 = "
                           "(select content_sha256 from audit.import_batches where batch_id = %s)",
                           (f1.batch_id,)).fetchone()[0]
    assert n == 1


def test_every_batch_reconciles(warehouse: Settings, admin_conn, tmp_path: Path) -> None:
    rows = [torch_row(), torch_row(rd_expense="-1"), torch_row(year="1800"), ["x"], torch_row(), []]
    f = one(run(write_csv(tmp_path / "torch_mixed.csv", TORCH_HEADER, rows)))
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined, f.blank_lines) == (5, 2, 3, 1)
    bad = admin_conn.execute("""
        select b.batch_id from audit.import_batches b
        where b.rows_quarantined <> (select count(*) from audit.quarantine q where q.batch_id = b.batch_id)
           or b.rows_loaded <> (select count(*) from raw.torch r where r._batch_id = b.batch_id)
                             + (select count(*) from raw.registry r where r._batch_id = b.batch_id)
                             + (select count(*) from raw.ip r where r._batch_id = b.batch_id)
                             + (select count(*) from raw.hte r where r._batch_id = b.batch_id)
                             + (select count(*) from raw.loans r where r._batch_id = b.batch_id)
                             + (select count(*) from raw.policy r where r._batch_id = b.batch_id)
                             + (select count(*) from raw.consents r where r._batch_id = b.batch_id)
    """).fetchall()
    assert bad == []
    with pytest.raises(psycopg.errors.CheckViolation):
        admin_conn.execute("insert into audit.import_batches (feed, file_name, content_sha256, rows_read,"
                           " rows_loaded, rows_quarantined) values ('torch', 'x', 'x', 3, 1, 1)")


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("raw.torch", "audit.quarantine", "audit.import_batches")}


@pytest.mark.parametrize("where", ["python", "postgres"])
def test_a_failure_mid_file_leaves_nothing(warehouse: Settings, admin_conn, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """The third COPY chunk fails (a converter raises, or PostgreSQL rejects a value): nothing stays."""
    from innopoints.importer import load

    monkeypatch.setattr(load, "CHUNK_ROWS", 10)  # two chunks are sent through COPY before the failure
    calls = itertools.count()
    if where == "python":
        real_chunk = load._FileLoad._chunk

        def failing_chunk(self, *args, **kw):
            if next(calls) == 2:
                raise RuntimeError("disk on fire")
            return real_chunk(self, *args, **kw)

        monkeypatch.setattr(load._FileLoad, "_chunk", failing_chunk)
    else:
        real_fast_for = load.fast_for

        def bad_fast_for(c, conv):
            fast = real_fast_for(c, conv)
            if c.field.name != "employees":
                return fast

            def maybe_bad(col):
                return (["not-a-number"] * len(col), []) if next(calls) == 2 else fast(col)

            return maybe_bad

        monkeypatch.setattr(load, "fast_for", bad_fast_for)
    rows = [torch_row() for _ in range(80)] + [torch_row(rd_expense="-1")]
    rows.insert(3, torch_row(rd_expense="-2"))  # a quarantined row before the failure
    before = _counts(admin_conn)
    name = f"torch_atomic_{where}.csv"
    report = run(write_csv(tmp_path / name, TORCH_HEADER, rows))
    reason = refused(report, "rolled back", "disk on fire" if where == "python" else "not-a-number")
    assert _counts(admin_conn) == before
    assert reason == refusal_recorded(admin_conn, name)
    monkeypatch.undo()
    ok = one(run(tmp_path / name))  # fixed: the same file now loads, once
    assert (ok.status, ok.rows_loaded, ok.rows_quarantined) == ("loaded", 80, 2)


def test_folder_import_is_recursive_sorted_and_skips_manifest(warehouse: Settings, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    write_csv(tmp_path / "b" / "torch.csv", TORCH_HEADER, [torch_row()])
    write_csv(tmp_path / "a" / "registry.csv", REG_HEADER, [reg_row()])
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "README.md").write_text("# files")
    report = run(tmp_path)
    assert [f.file for f in report.files] == ["a/registry.csv", "b/torch.csv"]
    assert report.files_refused == 0 and report.rows_loaded == 2


# ------------------------------------------------------------------ the command


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("innopoints")
    return subprocess.run([str(exe), "import", *args], capture_output=True, text=True, env=dict(os.environ),
                          timeout=300, cwd=ROOT)


def test_cli_exit_codes(warehouse: Settings, tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    good = write_csv(tmp_path / "ok" / "reg.csv", REG_HEADER, [reg_row(), reg_row(established="2024年13月1日")])
    r = _cli(str(good))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "读取 2 行 = 入库 1 行 + 隔离 1 行 (quarantined)" in r.stdout
    assert "导入完成 (import done): 1 个文件" in r.stdout
    r = _cli(str(good))
    assert r.returncode == 0 and "跳过 (SKIPPED)" in r.stdout
    strict = write_csv(tmp_path / "ok" / "reg2.csv", REG_HEADER, [reg_row(), reg_row(city="999999")])
    r = _cli("--strict", str(strict))
    assert r.returncode == 8, r.stdout + r.stderr
    (tmp_path / "bad").mkdir()
    write_csv(tmp_path / "bad" / "a.csv", REG_HEADER, [reg_row()])
    write_csv(tmp_path / "bad" / "b.csv", ["foo", "bar"], [["1", "2"]])
    r = _cli(str(tmp_path / "bad"))
    assert r.returncode == 8, r.stdout + r.stderr
    assert "拒收 (REFUSED)  b.csv" in r.stdout and "unknown feed" in r.stdout and "入库 (LOADED)   a.csv" in r.stdout
    r = _cli(str(tmp_path / "nope"))
    assert r.returncode == 7 and "不存在 (does not exist)" in r.stderr
