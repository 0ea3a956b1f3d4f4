"""Converters without a database: the column fast paths agree with the per-cell converters, header
recognition, the USCC shortcut agrees with innopoints.uscc, the duplicate-key index agrees with a
dict, and chunked CSV reading gives the same start lines as reading row by row."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from innopoints.feeds import FEEDS
from innopoints.importer.convert import Bad, converter_for, fast_is_valid_uscc
from innopoints.importer.fastcols import fast_for
from innopoints.importer.headers import Column, Unrecognised, recognise
from innopoints.importer.keys import KeyIndex
from innopoints.importer.sources import CsvRows
from innopoints.uscc import USCC_CHARSET, is_valid_uscc, make_uscc

TODAY = dt.date(2025, 6, 30)
SAMPLES = {
    "money": ["", "0", "12", "12.5", "12.50", "0.125", "-3.25", "1,234.50", "１２３", " 7 ", "abc", "1e3",
              "123456789012345678", "99999999999999999.99", "1.2.3", ".5", "-", "12.", "NaN"],
    "int": ["", "0", "7", "007", "12.0", "12.5", "-1", "１２", "1,000", "x", "9999999999"],
    "pct": ["", "3.85", "3.85%", "100000", "-1", "4"],
    "date": ["", "2024-03-01", "2024/3/1", "2024年3月1日", "20240301", "45352", "2024-13-01", "2024年13月1日",
             "2025-07-01", "1900-01-01", "2024-02-30", "２０２４－０３－０１", "yesterday"],
    "year": ["", "2024", "2024年", "1800", "2030", "abc"],
    "bool": ["", "是", "否", "true", "FALSE", "1", "0", "Y", "n", "maybe"],
}


@pytest.mark.parametrize(("feed", "field", "kind"), [
    ("torch", "revenue", "money"), ("torch", "net_profit", "money"), ("registry", "registered_capital", "money"),
    ("torch", "employees", "int"), ("loans", "annual_rate_pct", "pct"), ("registry", "established_date", "date"),
    ("torch", "year", "year"), ("ip", "is_pct", "bool"),
])
@pytest.mark.parametrize("factor", [1, 1000, 10000])
def test_fast_paths_agree_with_per_cell_converters(feed: str, field: str, kind: str, factor: int) -> None:
    f = FEEDS[feed].field(field)
    fac = Decimal(factor if kind == "money" else 1)
    col = Column(0, f.zh, f, fac)
    conv = converter_for(FEEDS[feed], f, fac, TODAY)
    rng = random.Random(factor)
    values = SAMPLES[kind]
    for trial in range(60):
        chunk = tuple(rng.choice(values) for _ in range(rng.randint(1, 8))) if trial else tuple(values)
        expected: list[str | None] = []
        for v in chunk:
            try:
                expected.append(conv(v))
            except Bad:
                expected.append(None)
        res = fast_for(col, conv)(chunk)
        if res is None:  # the caller falls back to the per-cell converter
            continue
        vals, failed = res
        got = [None if i in failed else vals[i] for i in range(len(chunk))]
        assert [_norm(x, kind) for x in got] == [_norm(x, kind) for x in expected], chunk


def _norm(x: str | None, kind: str) -> object:
    if x is None or x == "\\N" or kind not in ("money", "pct", "int"):
        return x
    return Decimal(x)


def test_money_units_and_full_width() -> None:
    f = FEEDS["torch"].field("rd_expense")
    conv = converter_for(FEEDS["torch"], f, Decimal(1000), TODAY)
    assert Decimal(conv("1,234.50")) == Decimal("1234500")
    assert Decimal(conv("１２．５")) == Decimal("12500")
    with pytest.raises(Bad, match="negative"):
        conv("-5")


def test_uscc_shortcut_agrees_with_the_reference() -> None:
    rng = random.Random(5)
    for _ in range(20000):
        code = make_uscc("210100", "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)))
        if rng.random() < 0.6:
            pos = rng.randrange(18)
            code = code[:pos] + rng.choice(USCC_CHARSET + "IOZSV a中") + code[pos + 1:]
        assert fast_is_valid_uscc(code) == is_valid_uscc(code), code


def test_recognise_units_brackets_and_aliases() -> None:
    m = recognise(["统一社会信用代码", "统计年度", "营业收入（千元）", "高新技术产品(服务)收入(万元)", "备注"])
    assert m.feed.name == "torch"
    units = {c.field.name: c.factor for c in m.columns}
    assert units == {"uscc": 1, "year": 1, "revenue": 1000, "hitech_product_revenue": 10000}
    assert m.ignored == ["备注"]
    with pytest.raises(Unrecognised, match="unknown money unit"):
        recognise(["统一社会信用代码", "年度", "营业收入(美元)", "净利润"])
    with pytest.raises(Unrecognised, match="both mean"):
        recognise(["uscc", "统一社会信用代码", "年度", "营业收入", "净利润"])


def test_thousands_separators_and_text_on_the_fast_path() -> None:
    cases = {
        ("torch", "revenue", 1000): ["1,234.50", "12,345,678.9", "", "7", "0.125", "1,000"],
        ("torch", "net_profit", 10000): ["-1,234.5", "", "3", "1,234,567", ""],
        ("torch", "employees", 1): ["1,204", "3", "", "12,345"],
        ("registry", "name", 1): ["  甲公司 ", "=cmd|' /C calc'!A0", "O'Brien \"Tech\"; --", "\u3000乙\u3000"],
    }
    for (feed, field, factor), chunk in cases.items():
        f = FEEDS[feed].field(field)
        fac = Decimal(factor)
        conv = converter_for(FEEDS[feed], f, fac, TODAY)
        res = fast_for(Column(0, f.zh, f, fac), conv)(tuple(chunk))
        assert res is not None, (field, chunk)  # these columns must not need the per-cell path
        vals, failed = res
        kind = "money" if f.kind == "money" else f.kind
        expected = [_norm(conv(v), kind) for v in chunk]
        assert ([_norm(v, kind) for v in vals], failed) == (expected, []), field
    f = FEEDS["registry"].field("name")
    conv = converter_for(FEEDS["registry"], f, Decimal(1), TODAY)
    for hostile in (["a\tb", "x"], ["back\\slash"], ["多行\n名称"], ["cr\rx"]):
        assert fast_for(Column(0, f.zh, f, Decimal(1)), conv)(tuple(hostile)) is None  # escaped per cell
    rev = FEEDS["torch"].field("revenue")
    for wrong in (["1,23"], ["12,3456"], [",123"]):  # not grouped by three: the per-cell path decides
        assert fast_for(Column(0, rev.zh, rev, Decimal(1)), converter_for(FEEDS["torch"], rev, Decimal(1), TODAY))(
            tuple(wrong)) is None


def test_key_index_finds_every_duplicate_across_chunks() -> None:
    rng = random.Random(3)
    keys = KeyIndex()
    first_seen: dict[int, int] = {}
    line = 2
    for size in [1, 5, 300, 2000, 1, 4000, 700, 3000, 10, 5000]:
        hashes = [rng.randrange(-(2**40), 2**40) if rng.random() < 0.7 else rng.choice(list(first_seen) or [1])
                  for _ in range(size)]
        lines = range(line, line + size) if size % 2 else [line + i for i in range(size)]
        expected = []
        for h, ln in zip(hashes, lines, strict=True):
            expected.append(first_seen.get(h, 0))
            first_seen.setdefault(h, ln)
        got = keys.resolve(np.array(hashes, dtype=np.int64), lines)
        assert (list(got) if got is not None else [0] * size) == expected
        line += size
    assert len(keys) == len(first_seen)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chunks_give_the_start_line_of_rows_with_line_breaks_inside(tmp_path, newline: str) -> None:
    text = newline.join(['a,b', '1,x', '2,"two', 'lines"', '', '3,"three', '', 'lines"', '4,y', '5,"z"']) + newline
    p = tmp_path / "t.csv"
    p.write_bytes(text.encode())
    rows = CsvRows(p, "utf-8")
    rows.header()
    by_row = [(ln, r) for ln, r in rows.rows()]
    rows.close()
    for size in (1, 2, 3, 100):
        rows = CsvRows(p, "utf-8")
        rows.header()
        got = [(ln, r) for chunk, lines in rows.chunks(size) for ln, r in zip(lines, chunk, strict=True)]
        rows.close()
        assert got == by_row
    assert [ln for ln, _ in by_row] == [2, 3, 5, 6, 9, 10]
