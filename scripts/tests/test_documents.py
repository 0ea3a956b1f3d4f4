"""The documents of a publication: each enterprise's 积分报告单 (PDF) and the publicity lists (XLSX + PDF).

On a real publication of the test warehouse (validate → publish LN-2025, private copy of the built
warehouse): the report of a top enterprise, a vetoed one and one on a ranked list opens, has 1–2 pages,
and its text read back from the PDF holds the figures of an independent query of audit.publication_*
(total, grade label, ranks, every indicator's points and points lost, the sha256); the bulk run writes one
private file per enterprise and a manifest whose hashes match; the publicity list the final list rests on
(`innopoints publicize`, its period dated in the past) gives per region an XLSX
and a PDF with the list, the period and the office; formula-like names are neutralised; Chinese renders
(pages rasterised with pdftoppm into artifacts/documents/, not blank, the embedded font the CJK one).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from innopoints import db
from innopoints.config import Settings
from innopoints.documents import fonts, write_publicity_documents, write_reports
from innopoints.documents.publicity import COLUMNS, build_xlsx, notice
from innopoints.documents.read import Reference
from innopoints.errors import NotFound, UsageError
from innopoints.publication.publish import publicize, publish
from innopoints.quality.runner import validate
from openpyxl import load_workbook
from pypdf import PdfReader

from .test_quality_support import admin, private_copy

OPENS, CLOSES = date(2025, 6, 3), date(2025, 6, 9)


@pytest.fixture(scope="module")
def wh(built_warehouse: Settings, demo_dir: Path) -> Iterator[Settings]:
    yield from private_copy(built_warehouse, demo_dir)


@pytest.fixture(scope="module")
def publicity(wh: Settings) -> int:
    """The publicity list of LN-2025's latest year, its period (OPENS to CLOSES) closed."""
    out = validate()
    assert out.success, out.report()
    year = admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = 'LN-2025'")[0][0]
    p = publicize("LN-2025", year, (CLOSES - OPENS).days + 1, OPENS)
    assert p.kind == "publicity" and p.closes_on == CLOSES
    return p.publication_id


@pytest.fixture(scope="module")
def publication(publicity: int) -> Any:
    """The final list resting on that publicity list (no objections were raised)."""
    year = admin("select max(eval_year) from marts.fct_enterprise_scores where scheme_code = 'LN-2025'")[0][0]
    final = publish("LN-2025", year)
    assert final.publicity_publication_id == publicity
    return final


def score(pid: int, uscc: str) -> dict[str, Any]:
    with db.connect("admin", autocommit=True) as conn:
        cur = conn.execute("select * from audit.publication_scores where publication_id = %s and uscc = %s",
                           (pid, uscc))
        return dict(zip([d.name for d in cur.description], cur.fetchone(), strict=True))


def pick(pid: int, where: str) -> str:
    return admin(f"select uscc from audit.publication_scores where publication_id = %s and {where} "
                 "order by rank_in_region, uscc limit 1", (pid,))[0][0]


def pdf_text(path: Path) -> tuple[str, int]:
    reader = PdfReader(path)
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def rasterise(pdf: Path, png: Path) -> Path:
    """Page 1 of ``pdf`` as a PNG (poppler's pdftoppm) into artifacts/documents/."""
    assert shutil.which("pdftoppm"), "pdftoppm missing: make documents installs poppler-utils"
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)
    return png


def ink(png: Path) -> float:
    """Share of pixels that are not near-white."""
    from PIL import Image

    im = Image.open(png).convert("L")
    hist = im.histogram()
    return sum(hist[:200]) / (im.width * im.height)


def embedded_fonts(path: Path) -> set[tuple[str, bool]]:
    """(BaseFont, has an embedded TrueType program) of every font the pages use."""
    out = set()
    for page in PdfReader(path).pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            desc = f.get("/FontDescriptor")
            embedded = bool(desc and "/FontFile2" in desc.get_object())
            out.add((str(f["/BaseFont"]), embedded))
    return out


def check_report(pid: int, uscc: str, path: Path) -> str:
    s = score(pid, uscc)
    text, pages = pdf_text(path)
    assert 1 <= pages <= 2
    pub = admin("select content_sha256, max_points, kind from audit.publications where publication_id = %s",
                (pid,))[0]
    assert pub[0] in text and f"innopoints publish --verify {pid}" in text
    assert ("正式发布" if pub[2] == "final" else "公示名单") in text
    assert s["enterprise_name"] in text and uscc in text and s["city_name_zh"] in text
    assert f"{s['total_points']:.2f} / {pub[1]:g}" in text
    assert s["grade_label_zh"] in text
    assert f"第 {s['rank_in_region']:,} 名 / 共 {s['evaluated_in_region']:,} 家" in text
    if s["is_vetoed"]:
        reasons = dict(admin("select veto_code, description_zh from seeds.veto_rules"))
        for code in s["veto_codes"]:
            assert reasons[code] in text
        assert "不参与阶段排名" in text
        return text
    assert f"第 {s['rank_in_stage']:,} 名 / 共 {s['ranked_in_stage']:,} 家" in text
    if s["band_name_zh"]:
        assert s["band_name_zh"] in text
    if s["points_to_next_grade"] is None:
        assert "已是最高等级" in text
    else:
        assert f"还需 {s['points_to_next_grade']:.2f} 分" in text
    lines = text.splitlines()
    rows = admin("select indicator_code, indicator_name_zh, weight, points from audit.publication_indicator_points "
                 "where publication_id = audit.indicator_rows_id(%s) and uscc = %s", (pid, uscc))
    assert rows
    for code, name, weight, points in rows:
        line = next(ln for ln in lines if ln.startswith(f"{code} {name}"))
        assert line.split()[-2:] == [f"{points:.2f}", f"{weight - points:.2f}"], line
    total_w = sum((r[2] for r in rows), Decimal(0))
    assert f"合计 {total_w:g} {s['total_points']:.2f} {total_w - s['total_points']:.2f}" in text
    return text


@pytest.mark.parametrize("kind", ["top", "vetoed", "ranked list"])
def test_report_holds_the_published_figures(publication: Any, tmp_path: Path, kind: str, artifacts: Path) -> None:
    pid = publication.publication_id
    where = {"top": "not is_vetoed", "vetoed": "is_vetoed",
             "ranked list": "band_code is not null and rank_in_stage > 1 and points_to_next_grade is not null"}[kind]
    uscc = pick(pid, where)
    res = write_reports(pid, tmp_path, uscc=uscc)
    assert len(res.files) == 1 and res.manifest is None
    path = tmp_path / res.files[0].file
    assert path.parent.name == score(pid, uscc)["city_name_zh"] and path.name == f"{uscc}.pdf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == res.files[0].sha256
    check_report(pid, uscc, path)
    png = rasterise(path, artifacts / "documents" / f"report_{kind.replace(' ', '_')}.png")
    assert ink(png) > 0.01, "the page is blank"
    assert embedded_fonts(path) and all("+" + fonts.postscript_name() in name and embedded
                                        for name, embedded in embedded_fonts(path))


def test_report_refuses_an_unknown_enterprise_or_publication(publication: Any, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="没有统一社会信用代码"):
        write_reports(publication.publication_id, tmp_path, uscc="91210100MA0XXXXX00")
    with pytest.raises(NotFound, match="没有编号为"):
        write_reports(999_999, tmp_path)


def test_bulk_writes_every_enterprise_and_a_manifest_that_matches(publication: Any, tmp_path: Path) -> None:
    pid = publication.publication_id
    seen: list[tuple[int, int]] = []
    res = write_reports(pid, tmp_path, jobs=2, chunk=50, progress=lambda d, t: seen.append((d, t)))
    expected = {u: c for u, c in admin("select uscc, city_name_zh from audit.publication_scores "
                                       "where publication_id = %s", (pid,))}
    assert seen[0][0] == 0 and seen[-1] == (len(expected), len(expected))
    assert len(res.peak_rss_workers_kib) == 2
    pdfs = sorted(tmp_path.rglob("*.pdf"))
    assert {p.stem for p in pdfs} == set(expected)
    assert all(p.parent.name == expected[p.stem] for p in pdfs)
    assert not [p for p in tmp_path.rglob("*.tmp")]
    with open(tmp_path / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        manifest = list(csv.DictReader(fh))
    assert len(manifest) == len(expected)
    names = dict(admin("select uscc, enterprise_name from audit.publication_scores where publication_id = %s", (pid,)))
    for row in manifest:
        f = tmp_path / row["file"]
        assert hashlib.sha256(f.read_bytes()).hexdigest() == row["sha256"]
        assert row["name"] == names[row["uscc"]]
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "manifest.csv").stat().st_mode) == 0o600
    # one report of the bulk run is the same document as the single one
    one = manifest[len(manifest) // 2]
    check_report(pid, one["uscc"], tmp_path / one["file"])


def test_publicity_documents_hold_the_list_the_period_and_the_office(publicity: int, tmp_path: Path,
                                                                     artifacts: Path) -> None:
    paths = write_publicity_documents(publicity, tmp_path)
    offices = {r[0]: r[1:] for r in admin("select region_code, office_name_zh, address_zh "
                                          "from seeds.ref_objection_offices")}
    cities = admin("select distinct city_code, city_name_zh from audit.publication_scores where publication_id = %s",
                   (publicity,))
    assert len(paths) == 2 * (1 + len(cities))
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
    province = [p for p in paths if "_210000_" in p.name]
    xlsx = next(p for p in province if p.suffix == ".xlsx")
    pdf = next(p for p in province if p.suffix == ".pdf")
    rows = admin("select uscc, enterprise_name, is_vetoed, rank_in_region, rank_in_stage, band_name_zh, total_points "
                 "from audit.publication_scores where publication_id = %s", (publicity,))
    wb = load_workbook(xlsx)
    ws = wb["公示名单"]
    table = list(ws.iter_rows(values_only=True))
    assert list(table[0]) == list(COLUMNS)
    assert len(table) - 1 == len(rows)
    by_uscc = {r[2]: r for r in table[1:]}
    for uscc, name, vetoed, rank, stage_rank, band, total in rows:
        got = by_uscc[uscc]
        assert got[1] == name and got[5] == pytest.approx(float(total))
        if vetoed:
            assert got[6] == "一票否决" and got[7] is None and got[8] is None
        else:
            assert got[7] == rank and got[8] == stage_rank and (got[9] or None) == band
    ranks = [r[7] for r in table[1:] if r[7] is not None]
    assert ranks == sorted(ranks) and [r[0] for r in table[1:]] == list(range(1, len(rows) + 1))
    vetoed_at = [i for i, r in enumerate(table[1:]) if r[6] == "一票否决"]
    assert vetoed_at and vetoed_at == list(range(len(rows) - len(vetoed_at), len(rows)))  # vetoed last
    info = "\n".join(str(r[0]) for r in wb["公示说明"].iter_rows(values_only=True) if r[0])
    period = "公示期：2025年6月3日至2025年6月9日"
    assert period in info and offices["210000"][0] in info and "辽宁省企业创新积分评价结果公示" in info
    text, pages = pdf_text(pdf)
    flat = text.replace("\n", "")
    assert "辽宁省企业创新积分评价结果公示（" in flat and period in flat and offices["210000"][0] in flat
    assert f"第 1 页 共 {pages} 页" in text and f"第 {pages} 页 共 {pages} 页" in text
    assert pages > 1 and text.count("统一社会信用代码") >= pages  # the header on every page
    for uscc, *_ in rows:
        assert uscc in text
    # a city's list: its enterprises only, its own office
    code, name = cities[0]
    city_xlsx = next(p for p in paths if f"_{code}_" in p.name and p.suffix == ".xlsx")
    city_rows = list(load_workbook(city_xlsx)["公示名单"].iter_rows(values_only=True))[1:]
    assert {r[3] for r in city_rows} == {name}
    assert len(city_rows) == admin("select count(*) from audit.publication_scores where publication_id = %s "
                                   "and city_code = %s", (publicity, code))[0][0]
    city_pdf = city_xlsx.with_suffix(".pdf")
    city_text = pdf_text(city_pdf)[0].replace("\n", "")
    assert f"{name}企业创新积分评价结果公示" in city_text and offices[code][0] in city_text
    png = rasterise(pdf, artifacts / "documents" / "publicity_province_page1.png")
    assert ink(png) > 0.02
    rasterise(city_pdf, artifacts / "documents" / f"publicity_{code}_page1.png")
    assert all("+" + fonts.postscript_name() in name and embedded for name, embedded in embedded_fonts(pdf))


def test_publicity_documents_only_for_a_publicity_list(publication: Any, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="不是公示名单"):
        write_publicity_documents(publication.publication_id, tmp_path)


def test_a_formula_in_a_name_is_never_run(publicity: int) -> None:
    from innopoints.documents import read
    from innopoints.documents.publicity import Region

    with db.connect(db.PUBLISHER) as conn:
        pub = read.publication(conn, publicity)
        ref: Reference = read.reference(conn)
        rows = read.listed(conn, publicity)[:6]
    evil = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-3", "@SUM(A1)", "＝1+1", "\u200b=1"]
    for r, name in zip(rows, evil, strict=True):
        r["enterprise_name"] = name
    data = build_xlsx(notice(pub, ref, Region("210000", "辽宁省", None), len(rows)), rows)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    ws = load_workbook(io.BytesIO(data))["公示名单"]
    for i, name in enumerate(evil, start=2):
        cell = ws.cell(row=i, column=2)
        assert cell.value == name and cell.data_type == "s" and cell.quotePrefix


def test_report_command(publication: Any, tmp_path: Path) -> None:
    from innopoints.cli import main

    pid = publication.publication_id
    uscc = pick(pid, "not is_vetoed")
    assert main(["report", "--publication", str(pid), "--uscc", uscc, "--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.rglob(f"{uscc}.pdf"))) == 1
    assert main(["report", "--publication", str(pid), "--uscc", uscc[:-1] + "0", "--out", str(tmp_path)]) == 2


def test_a_long_publicity_pdf_numbers_its_pages_repeats_its_header_and_keeps_a_row_on_one_line() -> None:
    """A list of several pages (synthetic rows, as ``innopoints bench publicity`` feeds them): every page
    carries the table's header and "第 n 页 共 m 页" with the right m; an enterprise name too long for its
    column is drawn smaller or cut with "…" on its row's line, ending before the next column."""
    from innopoints.documents import publicity, publicity_bench
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows = list(publicity_bench.synthetic_rows(150, 7))
    long_name = "辽宁" + "高端装备制造与工业互联网解决方案" * 4 + "有限公司"
    rows[5]["enterprise_name"] = long_name
    doc = publicity_bench.documents(150, 7)[0]  # the province's list
    reader = PdfReader(io.BytesIO(publicity.build_pdf(doc.notice, rows)))
    pages = len(reader.pages)
    assert pages > 3
    seen: list[str] = []
    for n, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert " ".join(COLUMNS) in text, f"page {n} has no header row"
        assert f"第 {n} 页 共 {pages} 页" in text
        seen += [r["uscc"] for r in rows if r["uscc"] in text]
    assert seen == [r["uscc"] for r in rows]  # every row once, in order
    assert "辽宁省企业创新积分评价结果公示（" in reader.pages[0].extract_text()
    assert "内容哈希" in reader.pages[-1].extract_text()

    drawn: list[tuple[str, float, float, float]] = []  # (text, x, baseline, size) on page 1

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            drawn.append((text, float(tm[4]), float(tm[5]), float(size)))

    reader.pages[0].extract_text(visitor_text=visit)
    uscc = rows[5]["uscc"]
    (_, uscc_x, line, _), = [d for d in drawn if d[0].strip() == uscc]
    assert uscc_x >= publicity.EDGES[2]
    # what is drawn on the row's line inside the name column: the name, smaller and cut, and nothing else
    name = [d for d in drawn if abs(d[2] - line) < 0.5 and publicity.EDGES[1] <= d[1] < publicity.EDGES[2]]
    text = "".join(d[0] for d in name).strip()
    assert text.endswith("…") and long_name.startswith(text[:-1]) and len(text) > 20
    size = max(d[3] for d in name)
    assert size < publicity.ROW_SIZE
    assert name[0][1] + stringWidth(text, fonts.register(), size) <= publicity.EDGES[2]  # ends in its column
    assert not [d for d in drawn if d[0].startswith(long_name[len(text) - 1:][:2]) and d[2] < line - 0.5]


def test_two_processes_write_the_same_documents_as_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long list's documents are written by two processes (the province's, the cities'): they are the
    documents one pass over the list writes (the same cells; the same pages and text), each region's XLSX
    then PDF, in the regions' order."""
    import functools

    from innopoints.documents import publicity
    from innopoints.documents.publicity_bench import documents, synthetic_rows

    n = 3_000
    docs = documents(n, 11)
    assert len(docs) > 2 and docs[0].region.city_code is None
    source = functools.partial(synthetic_rows, n, 11)
    one = publicity.write_documents(docs, source, tmp_path / "one", jobs=1)
    monkeypatch.setattr(publicity, "PARALLEL_FROM", 1_000)
    two = publicity.write_documents(docs, source, tmp_path / "two", jobs=2)
    assert [p.name for p in two] == [p.name for p in one] == [f"{d.stem}.{k}" for d in docs for k in ("xlsx", "pdf")]
    for a, b in zip(one, two, strict=True):
        assert a.parent.name == "one" and b.parent.name == "two"
        if a.suffix == ".pdf":
            # the same pages and text; not byte for byte: the font subset numbers glyphs in the order a
            # process first draws them, and the two processes are spawned fresh
            assert pdf_text(a) == pdf_text(b), a.name
        else:
            sheets_a, sheets_b = load_workbook(a), load_workbook(b)
            assert sheets_a.sheetnames == sheets_b.sheetnames
            for name in sheets_a.sheetnames:
                assert list(sheets_a[name].iter_rows(values_only=True)) == \
                    list(sheets_b[name].iter_rows(values_only=True)), (a.name, name)
        assert stat.S_IMODE(b.stat().st_mode) == 0o600
    province = load_workbook(two[0])["公示名单"]
    assert province.max_row == n + 1


def test_when_one_process_fails_no_document_of_the_list_is_left(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The cities' process fails (a city's list is announced one row longer than it is): the province's
    documents, written by the other process, are removed too; the error is the failing process's."""
    import dataclasses
    import functools

    from innopoints.documents import publicity
    from innopoints.documents.publicity_bench import documents, synthetic_rows

    n = 3_000
    docs = documents(n, 11)
    docs[-1] = dataclasses.replace(docs[-1], rows=docs[-1].rows + 1)
    monkeypatch.setattr(publicity, "PARALLEL_FROM", 1_000)
    out = tmp_path / "lists"
    with pytest.raises(RuntimeError, match="announced"):
        publicity.write_documents(docs, functools.partial(synthetic_rows, n, 11), out, jobs=2)
    assert list(out.iterdir()) == []
