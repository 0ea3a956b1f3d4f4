"""Bank push: only enterprises whose consent to that bank is in force on the push date, a revocation
imported after a push respected by the next one, Chinese columns, a cover sheet, formula-safe cells
(CSV: a leading apostrophe; XLSX: the name as written, typed as text), files for their owner only, and
a record of every push with the files' hashes. Private copy of the built warehouse."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from innopoints.config import Settings
from innopoints.publication.push import PushError, build_csv, build_xlsx, looks_like_formula, push, safe_text
from innopoints.quality.runner import validate
from openpyxl import load_workbook

from .conftest import publish_final
from .test_quality_support import admin, import_file, private_copy, write_csv

STATE: dict[str, Any] = {}


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


@pytest.fixture(scope="module")
def publication(wh: Settings) -> Any:
    out = validate()
    assert out.success, out.report()
    year = admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = 'LN-2025'")[0][0]
    return publish_final("LN-2025", year)


def consented(bank: str, on: date) -> set[str]:
    """Consent in force on a date, computed here in Python from every raw delivery (latest wins)."""
    latest: dict[str, tuple[int, int, date, date | None]] = {}
    for uscc, b, granted, revoked, batch, line in admin(
            "select uscc, bank_code, granted_date, revoked_date, _batch_id, _line from raw.consents"):
        if b != bank:
            continue
        if uscc not in latest or (batch, line) > latest[uscc][:2]:
            latest[uscc] = (batch, line, granted, revoked)
    return {u for u, (_, _, g, r) in latest.items() if g <= on and (r is None or r > on)}


def published(pid: int) -> set[str]:
    return {r[0] for r in admin("select uscc from audit.publication_scores where publication_id = %s", (pid,))}


def busiest_bank(pid: int, on: date) -> str:
    banks = [r[0] for r in admin("select distinct bank_code from raw.consents order by 1")]
    return max(banks, key=lambda b: (len(consented(b, on) & published(pid)), b))


def test_push_holds_exactly_the_consented_enterprises(publication: Any, tmp_path: Path) -> None:
    on = date(publication.eval_year + 1, 6, 30)
    bank = busiest_bank(publication.publication_id, on)
    expected = consented(bank, on) & published(publication.publication_id)
    assert expected and len(expected) < len(published(publication.publication_id))
    r = push(bank, publication.publication_id, tmp_path, on)
    assert r.n_enterprises == len(expected)
    rec = admin("select bank_code, publication_id, push_date, n_enterprises, xlsx_file, xlsx_sha256, csv_file, "
                "csv_sha256 from audit.bank_pushes where push_id = %s", (r.push_id,))[0]
    assert rec[:4] == (bank, publication.publication_id, on, len(expected))
    assert {u for (u,) in admin("select uscc from audit.bank_push_enterprises where push_id = %s",
                                (r.push_id,))} == expected
    for path, name, digest in ((r.xlsx, rec[4], rec[5]), (r.csv, rec[6], rec[7])):
        assert path.name == name and hashlib.sha256(path.read_bytes()).hexdigest() == digest

    data = r.csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    for col in ("统一社会信用代码", "企业名称", "所属地市", "创新积分", "满分", "等级", "排名",
                "技术创新指标得分", "成长经营指标得分", "辅助指标得分", "辽宁特色指标得分"):
        assert col in header, header
    assert {row[header.index("统一社会信用代码")] for row in rows[1:]} == expected

    wb = load_workbook(r.xlsx)
    assert wb.sheetnames == ["封面", "科技型企业积分情况表"]
    cover = {row[0]: row[1] for row in wb["封面"].iter_rows(values_only=True) if row[0]}
    assert cover["发布编号"] == publication.publication_id
    assert cover["推送日期"] == on.isoformat()
    assert bank in cover["接收银行"]
    assert str(publication.eval_year) == str(cover["评价年度"]) and "LN-2025" in cover["积分方案"]
    grades = [row[0] for row in wb["封面"].iter_rows(values_only=True)]
    assert {"A", "B", "C", "D", "V"} <= set(grades)
    table = list(wb["科技型企业积分情况表"].iter_rows(values_only=True))
    assert list(table[0]) == header and len(table) == len(expected) + 1
    i_total, i_uscc = header.index("创新积分"), header.index("统一社会信用代码")
    scores = dict(admin("select uscc, total_points from audit.publication_scores where publication_id = %s",
                        (publication.publication_id,)))
    for row in table[1:]:
        assert isinstance(row[i_total], int | float)  # numbers stay numbers
        assert Decimal(str(row[i_total])).quantize(Decimal("0.01")) == scores[row[i_uscc]]
    # each category's points: the sum of the enterprise's published indicator points in it, added up
    # here from every indicator row of the publication
    by_category: dict[tuple[str, str], Decimal] = {}
    names: dict[str, str] = {}
    for uscc, code, name, points in admin(
            "select uscc, category_code, category_name_zh, points from audit.publication_indicator_points "
            "where publication_id = audit.indicator_rows_id(%s)", (publication.publication_id,)):
        by_category[(uscc, code)] = by_category.get((uscc, code), Decimal("0")) + points
        names[code] = name
    assert len(names) == 4
    for row in table[1:]:
        for code, name in names.items():
            cell = row[header.index(f"{name}得分")]
            assert Decimal(str(cell)).quantize(Decimal("0.01")) == by_category.get((row[i_uscc], code), Decimal("0")), \
                (row[i_uscc], code)
    STATE.update(bank=bank, on=on, first=r, expected=expected)


def test_a_consent_revoked_after_a_push_is_respected_by_the_next_push(publication: Any, tmp_path: Path) -> None:
    bank, on, first, expected = STATE["bank"], STATE["on"], STATE["first"], STATE["expected"]
    gone = sorted(expected)[0]
    granted = admin("select granted_date from raw.consents where uscc = %s and bank_code = %s "
                    "order by _batch_id desc, _line desc limit 1", (gone, bank))[0][0]
    revoked = on + timedelta(days=1)
    header = ["统一社会信用代码", "银行代码", "授权日期", "撤销日期"]
    import_file(write_csv(tmp_path / "consents_revocation.csv", header,
                          [[gone, bank, granted.isoformat(), revoked.isoformat()]]))
    after = push(bank, publication.publication_id, tmp_path / "after", revoked)
    sent = {u for (u,) in admin("select uscc from audit.bank_push_enterprises where push_id = %s", (after.push_id,))}
    assert gone not in sent and sent == expected - {gone}
    # on the day before the revocation the consent was still in force
    before = push(bank, publication.publication_id, tmp_path / "before", on)
    assert {u for (u,) in admin("select uscc from audit.bank_push_enterprises where push_id = %s",
                                (before.push_id,))} == expected
    # and what the first push sent is still on record
    assert gone in {u for (u,) in admin("select uscc from audit.bank_push_enterprises where push_id = %s",
                                        (first.push_id,))}


def test_push_command(publication: Any, wh: Settings, tmp_path: Path) -> None:
    exe = wh.project_root / ".venv" / "bin" / "innopoints"
    r = subprocess.run([str(exe), "push", "--bank", STATE["bank"], "--publication", str(publication.publication_id),
                        "--out", str(tmp_path), "--date", STATE["on"].isoformat()],
                       capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    assert "推送完成 (push done)" in r.stdout, r.stdout
    assert len(list(tmp_path.glob("*.xlsx"))) == 1 and len(list(tmp_path.glob("*.csv"))) == 1
    bad = subprocess.run([str(exe), "push", "--bank", "NOSUCH", "--publication", str(publication.publication_id),
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert bad.returncode == 11 and "unknown bank" in bad.stderr and "BOCLN" in bad.stderr, bad.stderr
    assert "没有银行代码 'NOSUCH'" in bad.stderr


def test_unknown_publication_is_refused(publication: Any, tmp_path: Path) -> None:
    with pytest.raises(PushError, match=r"没有编号为 999999 的发布 \(no publication"):
        push(STATE["bank"], 999_999, tmp_path)
    assert not list(tmp_path.iterdir())


HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]


def test_cells_are_safe_against_formula_injection(tmp_path: Path) -> None:
    assert safe_text("=1") == "'=1" and safe_text("正常企业") == "正常企业" and safe_text(12.5) == 12.5
    pub = {"publication_id": 1, "scheme_code": "LN-2025", "scheme_name_zh": "=x", "eval_year": 2024,
           "max_points": Decimal("150"), "published_at": __import__("datetime").datetime.now().astimezone(),
           "dq_run_id": "r", "code_version": "-v", "content_sha256": "h",
           "grade_bands": [{"grade": "A", "min_share_of_max": 0.45, "label_zh": "优秀"}]}
    rows = [{"rank_in_region": i + 1, "uscc": "91210100MA0000000X", "enterprise_name": name, "city_name_zh": "@沈阳",
             "stage_name_zh": "成长期", "total_points": Decimal("-1.50") if i == 0 else Decimal("88.20"),
             "max_points": Decimal("150.00"), "grade": "A", "grade_label_zh": "优秀", "evaluated_in_region": 9,
             "top_share": Decimal("0.111111"), "points_to_next_grade": None, "veto": "", "cat_T": Decimal("40.10")}
            for i, name in enumerate(HOSTILE)]
    cats = [("T", "技术创新指标")]
    path = tmp_path / "x.xlsx"
    path.write_bytes(build_xlsx(pub, ("BOCLN", "=bank"), date(2025, 6, 30), rows, cats, 7))
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert c.data_type == "s" and c.number_format == "@", (ws.title, c.coordinate)
                    assert c.quotePrefix == looks_like_formula(c.value), (ws.title, c.coordinate)
    cover = {row[0]: row[1] for row in wb["封面"].iter_rows(values_only=True) if row[0]}
    assert cover["积分方案"] == "LN-2025 =x" and cover["程序版本"] == "-v"  # as written
    table = list(wb["科技型企业积分情况表"].iter_rows(values_only=True))
    names = [r[table[0].index("企业名称")] for r in table[1:]]
    assert names == [h.replace("\r", "\n") for h in HOSTILE]  # as written (XML reads \r back as \n)
    totals = [r[table[0].index("创新积分")] for r in table[1:]]
    assert totals[0] == -1.5 and isinstance(totals[1], float)  # a number, even a negative one, stays a number
    text = build_csv(rows, cats).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    for row in parsed[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                Decimal(cell)  # only numbers may start with a minus sign
    assert [r[parsed[0].index("企业名称")] for r in parsed[1:]] == ["'" + h for h in HOSTILE]


# every form of a formula in an enterprise name: ASCII, full-width, and behind invisible characters
ATTACKS = [
    "=SUM(A1)有限公司", "+1+1科技有限公司", "-2+3科技有限公司", "@SUM(A1)科技有限公司",
    "＝1+1科技有限公司", "＋cmd科技有限公司", "－1科技有限公司", "＠SUM(A1)科技有限公司",
    "\u200b=HYPERLINK(\"http://x\",\"y\")", "\ufeff=1+1科技有限公司", "\u3000=1+1科技有限公司",
    "\t=1+1科技有限公司", " \t+cmd科技有限公司", "\u2060@SUM(A1)科技有限公司", "\u200f-1+1科技有限公司",
]


def test_safe_text_covers_full_width_and_invisible_prefixes() -> None:
    for name in ATTACKS:
        assert looks_like_formula(name) and safe_text(name) == "'" + name, repr(name)
    for plain in ("沈阳正常科技有限公司", " 前有空格的公司", "A-1 公司", "公司=1", "'已加引号"):
        assert not looks_like_formula(plain) and safe_text(plain) == plain, repr(plain)
    for number in (Decimal("-1.50"), -3, 0.5, date(2025, 6, 30), None):
        assert safe_text(number) == number  # numbers and dates untouched


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_hostile_enterprise_names_reach_the_bank_harmless(publication: Any, tmp_path: Path) -> None:
    """Names as an enterprise could register them, published from the warehouse and pushed: in the CSV
    each carries a leading apostrophe, in the XLSX each is a text cell equal to the name."""
    bank, on = STATE["bank"], STATE["on"]
    year = publication.eval_year
    victims = sorted(consented(bank, on) & published(publication.publication_id))[:len(ATTACKS)]
    assert len(victims) == len(ATTACKS)
    renamed = dict(zip(victims, ATTACKS, strict=True))
    for uscc, name in renamed.items():
        admin("update marts.fct_enterprise_scores set enterprise_name = %s "
              "where uscc = %s and scheme_code = 'LN-2025' and eval_year = %s", (name, uscc, year))
    out = validate()  # the gate publishes only validated marts
    assert out.success, out.report()
    pub = publish_final("LN-2025", year)
    assert pub.created
    folder = tmp_path / "pushes" / bank
    r = push(bank, pub.publication_id, folder, on)

    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700  # created here, private
    assert _mode(r.csv) == 0o600 and _mode(r.xlsx) == 0o600
    assert not [p for p in folder.iterdir() if p not in (r.csv, r.xlsx)]  # no temporary files left

    rows = list(csv.reader(io.StringIO(r.csv.read_bytes().decode("utf-8-sig"))))
    i_uscc, i_name = rows[0].index("统一社会信用代码"), rows[0].index("企业名称")
    in_csv = {row[i_uscc]: row[i_name] for row in rows[1:]}
    for uscc, name in renamed.items():
        assert in_csv[uscc] == "'" + name, (uscc, in_csv[uscc])
    for row in rows[1:]:
        for cell in row:
            assert not looks_like_formula(cell) or _is_number(cell), cell

    ws = load_workbook(r.xlsx)["科技型企业积分情况表"]
    header = [c.value for c in ws[1]]
    j_uscc, j_name = header.index("统一社会信用代码"), header.index("企业名称")
    in_xlsx = {row[j_uscc].value: row[j_name] for row in ws.iter_rows(min_row=2)}
    for uscc, name in renamed.items():
        cell = in_xlsx[uscc]
        assert cell.data_type == "s" and cell.value == name, (uscc, cell.data_type, cell.value)
        assert cell.number_format == "@" and cell.quotePrefix
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_shows_the_names_and_evaluates_nothing(tmp_path: Path) -> None:
    """A spreadsheet program's own reading of the XLSX: every name comes out as written (a formula
    cell would come out evaluated), numbers as numbers."""
    pub = {"publication_id": 1, "scheme_code": "LN-2025", "scheme_name_zh": "=1+1", "eval_year": 2024,
           "max_points": Decimal("150"), "published_at": __import__("datetime").datetime.now().astimezone(),
           "dq_run_id": "r", "code_version": "-v", "content_sha256": "h", "grade_bands": []}
    rows = [{"rank_in_region": i + 1, "uscc": f"91210100MA00000{i:02d}X", "enterprise_name": name,
             "total_points": Decimal("-1.50"), "veto": ""} for i, name in enumerate(ATTACKS)]
    (tmp_path / "push.xlsx").write_bytes(build_xlsx(pub, ("BOCLN", "=2+2"), date(2025, 6, 30), rows, [], 1))
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    every_sheet, "--outdir", str(tmp_path / "out"), str(tmp_path / "push.xlsx")],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)})
    table = list(csv.reader(io.StringIO((tmp_path / "out" / "push-科技型企业积分情况表.csv").read_text("utf-8"))))
    i_name, i_total = table[0].index("企业名称"), table[0].index("创新积分")
    assert [r[i_name] for r in table[1:]] == ATTACKS
    assert {r[i_total] for r in table[1:]} == {"-1.5"}
    cover = (tmp_path / "out" / "push-封面.csv").read_text("utf-8")
    assert "LN-2025 =1+1" in cover and "=2+2（BOCLN）" in cover


def test_a_table_wider_than_the_alphabet_keeps_every_column(tmp_path: Path) -> None:
    """The table is streamed as XML (``spreadsheet.StreamedRows``): with more categories than letters A-Z
    leave room for, the columns after Z are AA, AB, … and every value lands under its heading."""
    cats = [(f"K{i:02d}", f"类别{i:02d}") for i in range(20)]
    pub = {"publication_id": 1, "scheme_code": "LN-2025", "scheme_name_zh": "辽宁", "eval_year": 2024,
           "max_points": Decimal("150"), "published_at": __import__("datetime").datetime.now().astimezone(),
           "dq_run_id": "r", "code_version": "v", "content_sha256": "h", "grade_bands": []}
    rows = [{"rank_in_region": 1, "uscc": "91210100MA0000000X", "enterprise_name": "沈阳正常科技有限公司",
             "total_points": Decimal("88.20"), "veto": "",
             **{f"cat_{code}": Decimal(i) + Decimal("0.25") for i, (code, _) in enumerate(cats)}}]
    path = tmp_path / "wide.xlsx"
    path.write_bytes(build_xlsx(pub, ("BOCLN", "银行"), date(2025, 6, 30), rows, cats, 1))
    ws = load_workbook(path)["科技型企业积分情况表"]
    header = [c.value for c in ws[1]]
    assert len(header) == 13 + len(cats) > 26
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))
    for i, (_, name) in enumerate(cats):
        assert values[f"{name}得分"] == i + 0.25, name
    assert values["统一社会信用代码"] == "91210100MA0000000X" and values["创新积分"] == 88.2
    assert ws["AA2"].value is not None and ws.freeze_panes == "C2"


def test_streamed_rows_refuse_what_no_spreadsheet_could_open_and_keep_empty_text_blank(tmp_path: Path) -> None:
    """An empty text is a blank text-styled cell, as openpyxl writes it; a bool, a date or NaN is refused
    (written as it is, it would make a file no spreadsheet opens), as is splicing into a missing sheet."""
    from innopoints.spreadsheet import StreamedRows
    from openpyxl import Workbook

    for bad in (True, date(2025, 6, 30), float("nan"), Decimal("NaN")):
        wb = Workbook(write_only=True)
        rows = StreamedRows(wb.create_sheet("t"), first_row=1)
        with pytest.raises(TypeError, match="neither text nor a finite number"):
            rows.append(["a", bad])
        rows.close()
    wb = Workbook(write_only=True)
    rows = StreamedRows(wb.create_sheet("t"), first_row=1)
    rows.append(["", "x", 1, Decimal("2.50")])
    saved = io.BytesIO()
    wb.save(saved)
    with pytest.raises(ValueError, match=r"no xl/worksheets/sheet9\.xml"):
        rows.splice(saved.getvalue(), io.BytesIO(), sheet="xl/worksheets/sheet9.xml")
    path = tmp_path / "t.xlsx"
    with open(path, "wb") as fh:
        rows.splice(saved.getvalue(), fh)
    ws = load_workbook(path)["t"]
    assert [c.value for c in ws[1]] == [None, "x", 1, 2.5] and ws["A1"].number_format == "@"
