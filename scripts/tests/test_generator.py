"""The demo data generator: every feed, in the shapes promised, valid, deterministic, broken on purpose.

The files are read back here with a small reader of their own (not the importer), so these tests
check what is on disk: headers that feeds.py recognises, encodings, units, dates, codes.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from innopoints import seeds
from innopoints.feeds import FEEDS, Feed
from innopoints.generator import Manifest, generate
from innopoints.uscc import is_valid_uscc

YEARS = (2022, 2024)
UNIT_RE = re.compile(r"^(.*?)[（(](千元|万元)[）)]$")
UNIT_FACTOR = {"千元": 1000.0, "万元": 10000.0}


# --- a small independent reader ------------------------------------------------------------------


def header_map(feed: Feed) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in feed.fields:
        for h in (f.name, f.zh, *f.aliases):
            out[h] = f.name
    return out


def recognise(headers: list[str]) -> tuple[str, list[str], dict[str, float]]:
    """The one feed whose fields these headers name exactly (units stripped), and each column's unit."""
    matches = []
    for feed in FEEDS.values():
        names, units, hm = [], {}, header_map(feed)
        for h in headers:
            m = UNIT_RE.match(h)
            base = m.group(1) if m else h
            name = hm.get(base)
            if name is None:
                break
            names.append(name)
            if m:
                units[name] = UNIT_FACTOR[m.group(2)]
        else:
            if names == list(feed.names):
                matches.append((feed.name, names, units))
    assert len(matches) == 1, f"headers {headers} match {len(matches)} feeds"
    return matches[0]


def read_rows(path: Path, encoding: str) -> tuple[list[str], list[list[Any]]]:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        width = len(rows[0])
        rows = [r + [None] * (width - len(r)) for r in rows]  # trailing empty cells are not stored
    else:
        with path.open(encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
    return [str(h) for h in rows[0]], rows[1:]


def parse_number(v: Any) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return float(v.replace(",", ""))


def parse_date(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, int):
        return date(1899, 12, 30) + timedelta(days=v)
    m = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", v)
    assert m, f"unexpected date spelling {v!r}"
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def load_feed(out: Path, manifest: dict[str, Any], feed: str) -> list[dict[str, Any]]:
    """All rows of a feed as dicts of canonical names: numbers in yuan, dates as dates, raw codes."""
    result = []
    kinds = {f.name: f.kind for f in FEEDS[feed].fields}
    for info in manifest["files"]:
        if info["feed"] != feed:
            continue
        headers, rows = read_rows(out / info["file"], info["encoding"])
        _, names, units = recognise(headers)
        for row in rows:
            rec: dict[str, Any] = {}
            for name, v in zip(names, row, strict=True):
                kind = kinds[name]
                if kind in ("money", "pct", "int", "year"):
                    x = parse_number(v)
                    rec[name] = None if x is None else x * units.get(name, 1.0)
                elif kind == "date":
                    rec[name] = parse_date(v)
                else:
                    rec[name] = None if v in (None, "") else str(v)
            result.append(rec)
    return result


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest, dict[str, Any]]:
    out = tmp_path_factory.mktemp("gen_clean")
    m = generate(out, enterprises=300, years=YEARS, seed=11)
    return out, m, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest, dict[str, Any]]:
    out = tmp_path_factory.mktemp("gen_bad")
    m = generate(out, enterprises=200, years=YEARS, seed=5, bad_rows=0.03)
    return out, m, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --- tests --------------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", enterprises=120, years=YEARS, seed=3, bad_rows=0.02)
    generate(tmp_path / "b", enterprises=120, years=YEARS, seed=3, bad_rows=0.02)
    generate(tmp_path / "c", enterprises=120, years=YEARS, seed=4, bad_rows=0.02)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert {"manifest.json", "bad_rows.jsonl", "BAD_ROWS.md"} <= set(names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a" / "registry.csv").read_bytes() != (tmp_path / "c" / "registry.csv").read_bytes()
    assert a.bad_rows > 0


def test_every_feed_present_with_recognisable_headers(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, m, man = clean
    assert {f.feed for f in m.files} == set(FEEDS)
    english = 0
    for info in man["files"]:
        headers, rows = read_rows(out / info["file"], info["encoding"])
        feed, _, units = recognise(headers)
        assert feed == info["feed"], info["file"]
        assert headers == info["headers"]
        assert len(rows) == info["rows"] > 0, info["file"]
        assert {k: {1000.0: "千元", 10000.0: "万元"}[v] for k, v in units.items()} == info["money_units"]
        english += info["header_language"] == "en"
    assert english >= 2
    # units are where the systems put them
    assert all(f.shape["money_units"].get("rd_expense") == "千元" for f in m.files if f.feed == "torch")
    assert m.file("registry.csv").shape["money_units"] == {"registered_capital": "万元"}
    assert m.file("tax.csv").shape["money_units"] == {"rd_super_deduction": "万元", "taxes_paid": "万元"}


def test_encodings_are_as_claimed(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, m, _ = clean
    seen = set()
    for f in m.files:
        raw = (out / f.file).read_bytes()
        enc = f.shape["encoding"]
        seen.add(enc)
        if enc == "xlsx":
            with zipfile.ZipFile(out / f.file) as z:
                assert all(i.date_time == (2020, 1, 1, 0, 0, 0) for i in z.infolist())
                core = z.read("docProps/core.xml").decode()
                assert "2020-01-01T00:00:00Z" in core
        elif enc == "gb18030":
            assert not raw.startswith(b"\xef\xbb\xbf")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert "统一社会信用代码" in raw.decode("gb18030")
        elif enc == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")
        else:
            assert enc == "utf-8" and not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")
    assert seen == {"xlsx", "gb18030", "utf-8-sig", "utf-8"}


def test_spellings_vary_across_files(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, m, _ = clean
    text = {
        f.file: (out / f.file).read_text(encoding=f.shape["encoding"]) for f in m.files if f.shape["encoding"] != "xlsx"
    }
    everything = "\n".join(text.values())
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", everything)
    assert re.search(r"\b20\d\d/\d{1,2}/\d{1,2}\b", everything)
    assert re.search(r"20\d\d年\d{1,2}月\d{1,2}日", everything)
    assert re.search(r'"\d{1,3}(,\d{3})+\.\d\d"', everything)  # thousands separators
    assert "发明专利" in text["ip.csv"] and "是" in text["ip.csv"]
    loans_en = text["loans_BOCLN.csv"]
    assert "approved" in loans_en and "批准" not in loans_en
    wb = openpyxl.load_workbook(out / "loans_SJBFX.xlsx", read_only=True)
    row = next(wb.worksheets[0].iter_rows(min_row=2, max_row=2, values_only=True))
    wb.close()
    assert isinstance(row[4], int) and 40000 < row[4] < 50000  # applied_date as an Excel serial


def test_usccs_valid_unique_and_referenced(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, _, man = clean
    registry = load_feed(out, man, "registry")
    codes = [r["uscc"] for r in registry]
    assert len(codes) == 300 == len(set(codes))
    assert all(is_valid_uscc(c) for c in codes)
    known = set(codes)
    for feed in FEEDS:
        rows = load_feed(out, man, feed)
        assert all(r["uscc"] in known for r in rows), feed
        keys = [tuple(r[k] for k in FEEDS[feed].key) for r in rows]
        assert len(keys) == len(set(keys)), f"duplicate keys in clean {feed}"
        for r in rows:
            for f in FEEDS[feed].fields:
                if f.is_required:
                    assert r[f.name] is not None, (feed, f.name)


def test_cities_industries_and_reference_codes(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, _, man = clean
    registry = load_feed(out, man, "registry")
    by_city: dict[str, int] = {}
    for r in registry:
        by_city[r["city_code"]] = by_city.get(r["city_code"], 0) + 1
    assert len(by_city) == 14
    assert by_city["210900"] == 15  # Fuxin: 5 % of 300
    assert max(by_city, key=lambda c: by_city[c]) == "210100"
    assert sorted(by_city.values())[-2] == by_city["210200"]
    assert all(re.fullmatch(r"[A-T]\d{4}", r["industry_code"]) for r in registry)
    sections = [r["industry_code"][0] for r in registry]
    assert sections.count("C") > len(sections) / 2 and "I" in sections and "M" in sections

    def seed(name: str, column: str) -> set[str]:
        return set(seeds.column(name, column))

    loans = load_feed(out, man, "loans")
    assert {r["bank_code"] for r in loans} == seed("ref_banks", "bank_code")
    assert {r["product_code"] for r in loans} <= seed("ref_loan_products", "product_code")
    guarantors = {r["guarantee_org"] for r in loans} - {None}
    assert guarantors and guarantors <= seed("ref_guarantors", "guarantor_name")
    assert {r["policy_type"] for r in load_feed(out, man, "policy")} == seed(
        "ref_policy_types", "policy_type"
    )
    sci = load_feed(out, man, "sci_records")
    assert {r["record_type"] for r in sci} == set(FEEDS["sci_records"].field("record_type").codes)
    ladder = {r["name"] for r in sci if r["record_type"] == "梯度培育"}
    assert ladder and ladder <= seed("ladder_tiers", "ladder_name")
    for feed in FEEDS.values():
        rows = load_feed(out, man, feed.name)
        for f in feed.fields:
            if f.kind == "code":
                allowed = set(f.codes) | set(f.codes.values())
                assert {r[f.name] for r in rows} - {None} <= allowed, (feed.name, f.name)
            if f.kind == "bool":
                assert {r[f.name] for r in rows} - {None} <= {"是", "否", "true", "false"}


def test_dates_are_real_and_not_in_the_future(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, m, man = clean
    assert m.cutoff_date == date(2025, 6, 30)
    for feed in FEEDS.values():
        for r in load_feed(out, man, feed.name):
            for f in feed.fields:
                if f.kind == "date" and r[f.name] is not None and f.name != "expiry_date":
                    assert r[f.name] <= m.cutoff_date, (feed.name, f.name, r)
    loans = load_feed(out, man, "loans")
    assert min(r["applied_date"] for r in loans) >= date(2022, 1, 1)
    for r in loans:
        if r["decision_date"]:
            assert r["decision_date"] >= r["applied_date"]
        if r["disbursed_date"]:
            assert r["decision"] in ("批准", "approved") and r["disbursed_date"] >= r["decision_date"]
    policy = load_feed(out, man, "policy")
    delays = [(r["disbursed_date"] - r["applied_date"]).days for r in policy if r["disbursed_date"]]
    assert delays and 20 < sorted(delays)[len(delays) // 2] < 200


def stages(out: Path, man: dict[str, Any], year: int) -> dict[str, dict[str, int]]:
    """Non-vetoed evaluated enterprises per stage (scoring.md), province and Fuxin; and the others."""
    registry = {r["uscc"]: r for r in load_feed(out, man, "registry")}
    torch = {r["uscc"]: r for r in load_feed(out, man, "torch") if r["year"] == year}
    listed = {
        r["uscc"]
        for r in load_feed(out, man, "credit")
        if r["year"] == year and r["dishonest_listed"] in ("是", "true")
    }
    end = date(year, 12, 31)
    out_counts: dict[str, dict[str, int]] = {"province": {}, "fuxin": {}, "other": {}}
    for code, reg in registry.items():
        gone = reg["deregistered_date"] is not None and reg["deregistered_date"] <= end
        if reg["established_date"] > end or gone:
            key = "deregistered" if gone else "not_established"
            out_counts["other"][key] = out_counts["other"].get(key, 0) + 1
            continue
        t = torch.get(code)
        if t is None:
            out_counts["other"]["no_torch"] = out_counts["other"].get("no_torch", 0) + 1
            continue
        if not t["rd_expense"] or code in listed:
            out_counts["other"]["vetoed"] = out_counts["other"].get("vetoed", 0) + 1
            continue
        est = reg["established_date"]
        age = year - est.year  # whole years from the founding date to Dec 31 of the year
        rev = t["revenue"] or 0.0
        stage = "startup" if age < 3 or rev < 5e6 else ("mature" if age >= 8 and rev >= 1e8 else "growth")
        for region in ("province", "fuxin") if reg["city_code"] == "210900" else ("province",):
            out_counts[region][stage] = out_counts[region].get(stage, 0) + 1
    return out_counts


def test_stage_mix_vetoes_and_coverage(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, _, man = clean
    for year in (2023, 2024):
        c = stages(out, man, year)
        assert set(c["province"]) == {"startup", "growth", "mature"}
        assert min(c["province"].values()) >= 10, c
        assert c["other"].get("vetoed", 0) >= 5, c
        assert c["other"].get("no_torch", 0) >= 5, c
    assert stages(out, man, 2024)["other"].get("deregistered", 0) >= 1
    # at this small size Fuxin (15 enterprises) has cohorts below min_cohort_size 5
    assert min(stages(out, man, 2024)["fuxin"].get(s, 0) for s in ("startup", "growth", "mature")) < 5


def test_quality_drives_loan_outcomes(clean: tuple[Path, Manifest, dict[str, Any]]) -> None:
    """Enterprises with more R&D per yuan of revenue get approved more often (the hidden quality)."""
    out, _, man = clean
    torch = {r["uscc"]: r for r in load_feed(out, man, "torch") if r["year"] == 2024}
    decided = []
    for r in load_feed(out, man, "loans"):
        t = torch.get(r["uscc"])
        if t and t["revenue"] and r["decision"] in ("批准", "approved", "拒绝", "rejected"):
            decided.append(((t["rd_expense"] or 0) / t["revenue"], r["decision"] in ("批准", "approved")))
    decided.sort()
    half = len(decided) // 2
    low = sum(a for _, a in decided[:half]) / half
    high = sum(a for _, a in decided[half:]) / (len(decided) - half)
    assert len(decided) >= 40 and high > low + 0.1, (low, high, len(decided))


def test_bad_rows_are_exactly_where_the_list_says(broken: tuple[Path, Manifest, dict[str, Any]]) -> None:
    out, m, man = broken
    listed = [json.loads(line) for line in (out / "bad_rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(listed) == m.bad_rows == man["bad_rows"] > 0
    assert (
        {b["kind"] for b in listed}
        == set(man["bad_rows_by_kind"])
        == {
            "bad_uscc",
            "negative_number",
            "text_in_number",
            "bad_date",
            "future_date",
            "missing_key",
            "duplicate_key",
        }
    )
    md = (out / "BAD_ROWS.md").read_text(encoding="utf-8")
    assert "bad_rows.jsonl" in md and "duplicate_key" in md
    by_file: dict[str, dict[int, dict[str, Any]]] = {}
    for b in listed:
        by_file.setdefault(b["file"], {})[b["line"]] = b
    for info in man["files"]:
        headers, rows = read_rows(out / info["file"], info["encoding"])
        _, names, _ = recognise(headers)
        feed = FEEDS[info["feed"]]
        bad = by_file.get(info["file"], {})
        assert len(bad) == info["bad_rows"]
        seen_keys: set[tuple[Any, ...]] = set()
        for line, row in enumerate(rows, start=2):
            rec = dict(zip(names, row, strict=True))
            key = tuple(rec[k] for k in feed.key)
            b = bad.get(line)
            if b is None:
                # a row not listed is clean: valid USCCs, keys present and unique, numbers and dates parse
                for f in feed.fields:
                    v = rec[f.name]
                    if f.kind == "uscc":
                        assert is_valid_uscc(v), (info["file"], line)
                    if f.is_required:
                        assert v not in (None, ""), (info["file"], line, f.name)
                    if f.kind in ("money", "int", "pct", "year") and v not in (None, ""):
                        x = parse_number(v)
                        assert x is not None and (x >= 0 or f.allow_negative), (info["file"], line, f.name)
                    if f.kind == "date" and v not in (None, "") and f.name != "expiry_date":
                        d = parse_date(v)
                        assert d is not None and d <= m.cutoff_date
                assert key not in seen_keys, (info["file"], line)
                seen_keys.add(key)
                continue
            value = rec[b["field"]]
            text = "" if value is None else (value.date().isoformat() if isinstance(value, datetime) else str(value))
            assert text == b["value"], (info["file"], line, b)
            kind = b["kind"]
            if kind == "bad_uscc":
                assert not is_valid_uscc(value) and len(value) == 18
            elif kind == "missing_key":
                assert value in (None, "") and b["field"] in feed.key
            elif kind == "duplicate_key":
                first = rows[b["duplicate_of"] - 2]
                assert tuple(dict(zip(names, first, strict=True))[k] for k in feed.key) == key
                assert b["duplicate_of"] not in bad
            elif kind == "negative_number":
                assert parse_number(value) < 0  # type: ignore[operator]
                if feed.name == "torch":
                    assert b["field"] == "rd_expense"
            elif kind == "text_in_number":
                with pytest.raises(ValueError):
                    float(str(value).replace(",", ""))
            elif kind == "bad_date":
                with pytest.raises(ValueError):
                    parse_date(value)
            elif kind == "future_date":
                assert parse_date(value).year == 2099  # type: ignore[union-attr]
        assert not set(bad) - set(range(2, len(rows) + 2))


def test_cli_generate_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from innopoints.cli import main

    assert main(["generate", "--enterprises", "40", "--years", "2023-2024", "--seed", "1", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "registry.csv" in printed and "40 enterprises" in printed
    man = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert man["years"] == [2023, 2024] and {f["file"] for f in man["files"]} >= {"torch_2023.xlsx", "torch_2024.csv"}


def test_refuses_future_years_and_silly_shares(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="future"):
        generate(tmp_path, enterprises=10, years=(2030, 2031), seed=1, today=date(2026, 1, 1))
    with pytest.raises(ValueError, match="bad-rows"):
        generate(tmp_path, enterprises=10, years=YEARS, seed=1, bad_rows=0.9)
