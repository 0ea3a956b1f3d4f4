"""Converters without a database: the column fast paths agree with the per-cell converters, header
recognition, and the USCC shortcut agrees with innopoints.uscc."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from innopoints.feeds import FEEDS
from innopoints.importer.convert import Bad, converter_for, fast_is_valid_uscc
from innopoints.importer.fastcols import fast_for
from innopoints.importer.headers import Column, Unrecognised, recognise
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
    if x is None or x == "\\N" or kind not in ("money", "pct"):
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
