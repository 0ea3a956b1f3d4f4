"""The publicity documents (公示) of a publicity list, per region (the province's list and each city's):
an XLSX (sheet 公示名单: the list; sheet 公示说明: heading, period, where and how to object) with every
text cell typed as text (``innopoints.spreadsheet``), and a printable A4 landscape PDF with the heading
("辽宁省企业创新积分评价结果公示（2024年度）"), the period (公示期：…至…), the office that receives
objections (seeds.ref_objection_offices of that region) and the list, its header repeated on every
page, pages numbered "第 n 页 共 m 页".

The list: the ranked enterprises by rank in the region, then the vetoed ones (一票否决, no rank, no
ranked list) by name: a publicity list shows every evaluated enterprise, so a vetoed one can object too.

Sized for a national list (900,000 rows) in bounded memory: rows are streamed from PostgreSQL
(``read.iter_listed``), read once per process, each row passed to the province's documents and to
its city's (``write_lists``); the XLSX is an openpyxl write-only workbook whose list rows go through
``spreadsheet.StreamedRows``; the PDF is drawn on the canvas line by line at a fixed row height
(``page_plan`` knows every page's rows, hence "共 m 页", before drawing), its text written as PDF
operators (``Glyphs``), each page compressed when done. The documents of a long list are written by
two processes, the province's in one and the cities' in the other (``write_documents``): PDF and XLSX
side by side made one process wait for the other, the PDF taking three times as long.
``innopoints bench publicity`` measures it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from innopoints import db, statefile
from innopoints.documents import fonts, read
from innopoints.documents.report import cn_date, verify_sentence
from innopoints.errors import UsageError
from innopoints.spreadsheet import StreamedRows, typed_cells

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")
COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属地市", "发展阶段", "创新积分", "等级", "区域排名", "阶段排名",
           "榜单")
VETO = "一票否决"


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    city_code: str | None  # None: the province's list (every enterprise)


@dataclass(frozen=True)
class Notice:
    """What the heading part of a publicity document says, for one region."""

    title: str
    scheme_line: str
    intro: str
    period: str
    objection: str
    note: str
    provenance: str
    verify: str
    footer: str


def notice(pub: read.Publication, ref: read.Reference, region: Region, n: int) -> Notice:
    office = ref.offices.get(region.code) or ref.offices.get(pub.cohort_region_code or "")
    if office is not None:
        objection = (f"异议受理：公示期内，对评价结果有异议的企业，请向{office.office_name_zh}提出书面异议。"
                     f"受理地址：{office.address_zh}。受理方式：{office.contact_zh}。逾期提出的异议不予受理。")
    else:
        objection = ("异议受理：公示期内，对评价结果有异议的企业，请向所在地科技主管部门提出书面异议，"
                     "注明企业名称、统一社会信用代码、异议指标与证明材料。逾期提出的异议不予受理。")
    cohort = pub.cohort_region_name_zh or "本地区"
    period = (f"公示期：{cn_date(pub.opens_on)}至{cn_date(pub.closes_on)}"
              if pub.opens_on and pub.closes_on else "公示期：—")
    return Notice(
        title=f"{region.name_zh}企业创新积分评价结果公示（{pub.eval_year}年度）",
        scheme_line=f"评价方案：{pub.scheme_name_zh}（满分 {pub.max_points:g} 分）",
        intro=(f"现将{region.name_zh}{n:,}家参评企业{pub.eval_year}年度企业创新积分评价结果予以公示，"
               "接受社会监督。"),
        period=period,
        objection=objection,
        note=(f"说明：区域排名为在{cohort}全部参评企业中的名次，阶段排名为在{cohort}同一发展阶段企业中的名次"
              f"（并列同名次）；榜单按发展阶段评出：{ref.ranked_lists_note()}；被一票否决的企业列于表末，"
              "不参与排名。"),
        provenance=(f"{pub.kind_zh}　发布编号 {pub.publication_id}　发布日期 "
                    f"{cn_date(pub.published_at.astimezone(TZ))}　内容哈希（SHA-256）{pub.content_sha256}"),
        verify=verify_sentence(pub),
        footer=(f"{region.name_zh}企业创新积分评价结果公示（{pub.eval_year}年度）　{pub.kind_zh} "
                f"发布编号 {pub.publication_id}"),
    )


def row_values(r: dict[str, Any], number: int) -> list[Any]:
    """One list row as values (numbers as numbers; None where a vetoed enterprise has no rank)."""
    vetoed = r["is_vetoed"]
    return [
        number, r["enterprise_name"] or "", r["uscc"], r["city_name_zh"] or r["city_code"] or "",
        r["stage_name_zh"] or "", float(r["total_points"]),
        VETO if vetoed else f"{r['grade']} {r['grade_label_zh'] or ''}".strip(),
        None if vetoed else r["rank_in_region"], None if vetoed else r["rank_in_stage"],
        None if vetoed else (r["band_name_zh"] or ""),
    ]


# --- XLSX: an openpyxl write-only workbook, the list's rows streamed to a temporary file -------------------

XLSX_WIDTHS = (6, 36, 22, 10, 10, 10, 12, 10, 10, 10)


class XlsxList:
    """The XLSX of one region's list, written row by row: sheet 公示名单 (bold header, frozen at C2,
    column widths, totals 0.00, an autofilter over the list, the header row printed on every page),
    then sheet 公示说明. The workbook is openpyxl's in write-only mode; the list's rows go through
    ``spreadsheet.StreamedRows`` (text typed as ``type_text`` types it) into a temporary file, so memory
    does not grow with the rows."""

    def __init__(self, n: Notice) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.notice = n
        self.rows = 0
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet("公示名单")
        self.info = self.wb.create_sheet("公示说明")
        # write-only: the sheet's top (views, column widths) is written with its first row
        self.ws.freeze_panes = "C2"
        for letter, width in zip("ABCDEFGHIJ", XLSX_WIDTHS, strict=True):
            self.ws.column_dimensions[letter].width = width
        self.ws.print_title_rows = "1:1"
        self.ws.append(typed_cells(self.ws, list(COLUMNS), Font(bold=True)))
        self.body = StreamedRows(self.ws, first_row=2, number_formats={5: "0.00"})

    def add(self, r: dict[str, Any]) -> None:
        self.rows += 1
        self.body.append(row_values(r, self.rows))

    def save(self, fh: IO[bytes]) -> None:
        from openpyxl.styles import Alignment, Font

        self.ws.auto_filter.ref = f"A1:J{self.rows + 1}"  # written with the sheet's tail, after the rows
        self.info.column_dimensions["A"].width = 120
        n = self.notice
        wrap = Alignment(wrap_text=True, vertical="top")
        for i, line in enumerate((n.title, n.scheme_line, n.intro, n.period, n.objection, n.note, n.provenance,
                                  n.verify)):
            self.info.append(typed_cells(self.info, [line], Font(bold=True, size=14) if i == 0 else None, wrap))
        buf = io.BytesIO()
        self.wb.save(buf)
        self.body.splice(buf.getvalue(), fh)


def build_xlsx(n: Notice, rows: Iterable[dict[str, Any]]) -> bytes:
    """The XLSX of a list, as bytes (for a short list; ``write_publicity_documents`` streams to a file)."""
    doc = XlsxList(n)
    for r in rows:
        doc.add(r)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- PDF: drawn straight on a reportlab canvas, one fixed-height line per enterprise -------------------

MM = 72 / 25.4
PAGE_W, PAGE_H = 297 * MM, 210 * MM  # A4 landscape
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM, FOOTER_Y = 12 * MM, 12 * MM, 14 * MM, 7 * MM
WIDTHS = tuple(w * MM for w in (12, 72, 42, 18, 18, 18, 20, 26, 24, 16))
TABLE_W = sum(WIDTHS)
TABLE_X = (PAGE_W - TABLE_W) / 2
EDGES = tuple(TABLE_X + sum(WIDTHS[:i]) for i in range(len(WIDTHS) + 1))
ALIGN = ("right", "left", "left", "left", "left", "right", "centre", "centre", "centre", "centre")
TEXT_W = PAGE_W - 2 * MARGIN_X - 12  # the heading's paragraphs
HEAD_H, ROW_H = 15.0, 13.0
HEAD_SIZE, ROW_SIZE, MIN_SIZE = 9.0, 8.5, 6.5  # a long name shrinks down to MIN_SIZE, then is cut with …
PAD = 3.0
GRID, HEAD_BG, ALT_BG = (0.6, 0.6, 0.6), (0.859, 0.89, 0.937), (0.957, 0.965, 0.976)
VETO_RGB, GREY_RGB = (0.545, 0.102, 0.102), (0.267, 0.267, 0.267)
VETO_OP = "0.545 0.102 0.102 rg"
CACHED = frozenset({3, 4, 6, 9})  # columns of a few values that repeat (city, stage, grade, list)


@dataclass(frozen=True)
class Line:
    text: str
    size: float
    leading: float
    align: str = "left"
    bold: bool = False
    colour: tuple[float, float, float] = (0, 0, 0)
    gap_before: float = 0.0


def _lines(pen: Any, text: str, size: float, leading: float, **kw: Any) -> list[Line]:
    return [Line(t, size, leading, **kw) for t in pen.wrap(text, size, TEXT_W)]


def heading_lines(pen: Any, n: Notice) -> list[Line]:
    out = [Line(n.title, 18, 26, "centre", bold=True), Line(n.scheme_line, 10.5, 15, "centre", colour=GREY_RGB)]
    intro = _lines(pen, n.intro, 10, 15)
    out += [Line(intro[0].text, 10, 15, gap_before=5 * MM), *intro[1:]]
    out += _lines(pen, n.period, 10, 15, bold=True) + _lines(pen, n.objection, 10, 15)
    out += _lines(pen, n.note, 8.5, 12, colour=GREY_RGB)
    return out


def tail_lines(pen: Any, n: Notice) -> list[Line]:
    out = _lines(pen, n.provenance, 8.5, 12, colour=GREY_RGB)
    out[0] = Line(out[0].text, 8.5, 12, colour=GREY_RGB, gap_before=4 * MM)
    return out + _lines(pen, n.verify, 8.5, 12, colour=GREY_RGB)


def _height(lines: list[Line]) -> float:
    return sum(ln.leading + ln.gap_before for ln in lines)


def page_plan(rows: int, heading_h: float, tail_h: float) -> list[int]:
    """Rows on each page, known before drawing (so "共 m 页" is known too): page 1 holds the heading and
    as many rows as fit under it, the others a full page each; the last page must also hold the tail
    (provenance and verify lines): when it does not, its last rows go to one more page."""
    room = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - HEAD_H
    first = max(0, int((room - heading_h - 4 * MM) // ROW_H))
    per_page = int(room // ROW_H)
    pages = [min(rows, first)]
    left = rows - pages[0]
    while left > 0:
        pages.append(min(left, per_page))
        left -= pages[-1]
    above = heading_h + 4 * MM if len(pages) == 1 else 0.0
    with_tail = max(1, int((room - above - tail_h) // ROW_H))
    if pages[-1] > with_tail:
        pages.append(pages[-1] - with_tail)
        pages[-2] = with_tail
    return pages


class PdfList:
    """The PDF of one region's list (A4 landscape), drawn row by row: a page is drawn once its rows are in,
    compressed and kept by the canvas, so memory holds one page of rows and the compressed pages."""

    def __init__(self, n: Notice, rows: int, fh: IO[bytes]) -> None:
        from innopoints.documents.layout import Pen

        self.notice = n
        self.canvas = _canvas(fh, n)
        self.pen = Pen(self.canvas)
        self.font = self.pen.font
        self.heading = heading_lines(self.pen, n)
        self.tail = tail_lines(self.pen, n)
        self.plan = page_plan(rows, _height(self.heading), _height(self.tail))
        self.expected = rows
        self.page: list[tuple[list[str], bool]] = []
        self.page_no = 0
        self.rows = 0
        self.glyphs = Glyphs(self.canvas, self.font)

    def add(self, r: dict[str, Any]) -> None:
        self.rows += 1
        self.page.append((_pdf_cells(r, self.rows), bool(r["is_vetoed"])))
        if len(self.page) == self.plan[self.page_no]:
            self._page()

    def save(self) -> None:
        if self.rows != self.expected:
            raise RuntimeError(f"publicity PDF: {self.rows} rows given, {self.expected} announced")
        while self.page_no < len(self.plan):  # the heading-only first page of an empty list
            self._page()
        self.canvas.save()

    def _page(self) -> None:
        self.page_no += 1
        c = self.canvas
        top = PAGE_H - MARGIN_TOP
        if self.page_no == 1:
            top = self._lines(self.heading, top) - 4 * MM
        if self.page:
            top = self._table(top)
        if self.page_no == len(self.plan):
            self._lines(self.tail, top)
        c.setFont(self.font, 8)
        c.setFillColorRGB(0.35, 0.35, 0.35)
        c.drawString(MARGIN_X, FOOTER_Y, self.notice.footer)
        c.drawRightString(PAGE_W - MARGIN_X, FOOTER_Y, f"第 {self.page_no} 页 共 {len(self.plan)} 页")
        c.showPage()
        self.page = []

    def _lines(self, lines: list[Line], top: float) -> float:
        for ln in lines:
            top -= ln.gap_before
            base = top - ln.leading / 2 - ln.size * 0.35
            x = {"left": MARGIN_X + 6, "centre": PAGE_W / 2}[ln.align]
            self.pen.text(x, base, ln.text, ln.size, align=ln.align, bold=ln.bold, colour=ln.colour)
            top -= ln.leading
        return top

    def _table(self, top: float) -> float:
        c, rows, g = self.canvas, self.page, self.glyphs
        bottom = top - HEAD_H - len(rows) * ROW_H
        c.setFillColorRGB(*HEAD_BG)
        c.rect(TABLE_X, top - HEAD_H, TABLE_W, HEAD_H, stroke=0, fill=1)
        if len(rows) > 1:
            c.setFillColorRGB(*ALT_BG)
            p = c.beginPath()
            for i in range(1, len(rows), 2):
                p.rect(TABLE_X, top - HEAD_H - (i + 1) * ROW_H, TABLE_W, ROW_H)
            c.drawPath(p, stroke=0, fill=1)
        c.setStrokeColorRGB(*GRID)
        c.setLineWidth(0.3)
        ys = [top] + [top - HEAD_H - i * ROW_H for i in range(len(rows) + 1)]
        c.lines([(TABLE_X, y, TABLE_X + TABLE_W, y) for y in ys] + [(x, top, x, bottom) for x in EDGES])
        # the text of the table in one text object, written as PDF operators (reportlab's text object
        # re-encodes and measures every string: most of the time of a long list), in a saved graphics state
        ops = ["q BT 0 0 0 rg"]
        g.current = None
        base = top - HEAD_H / 2 - HEAD_SIZE * 0.35
        for i, label in enumerate(COLUMNS):
            g.show(ops, label, HEAD_SIZE, EDGES[i] + (WIDTHS[i] - g.width(label, HEAD_SIZE)) / 2, base, True)
        y = top - HEAD_H
        for cells, vetoed in rows:
            base = y - ROW_H / 2 - ROW_SIZE * 0.35
            for i, text in enumerate(cells):
                if not text:
                    continue
                room = WIDTHS[i] - 2 * PAD
                size = ROW_SIZE
                w = g.width(text, ROW_SIZE)
                if w > room:
                    text, size, w = self._fit(text, room)
                align = ALIGN[i]
                x = (EDGES[i] + PAD if align == "left" else EDGES[i + 1] - PAD - w if align == "right"
                     else EDGES[i] + (WIDTHS[i] - w) / 2)
                if vetoed and i == 6:
                    ops.append(VETO_OP)
                    g.show(ops, text, size, x, base, True)
                    ops.append("0 0 0 rg")
                else:
                    g.show(ops, text, size, x, base, i in CACHED)
            y -= ROW_H
        ops.append("ET Q")
        c._code.append("\n".join(ops))
        return bottom

    def _fit(self, text: str, room: float) -> tuple[str, float, float]:
        """A text too wide for its column on one line: smaller type down to MIN_SIZE, then cut with "…"."""
        w = self.glyphs.width(text, MIN_SIZE)
        if w <= room:
            size = ROW_SIZE
            while size > MIN_SIZE and self.glyphs.width(text, size) > room:
                size = round(size - 0.25, 2)
            return text, size, self.glyphs.width(text, size)
        lo, hi = 0, len(text)  # the longest prefix that fits with the ellipsis
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.glyphs.width(text[:mid] + "…", MIN_SIZE) <= room:
                lo = mid
            else:
                hi = mid - 1
        cut = text[:lo].rstrip() + "…"
        return cut, MIN_SIZE, self.glyphs.width(cut, MIN_SIZE)


class Glyphs:
    """Text as PDF text operators in the subsets of the embedded TrueType font, as reportlab's text object
    writes them (each character's subset and code assigned by reportlab's own ``splitString``, so the
    font is subset and embedded at ``save`` as usual), each character's code cached: a string is coded by
    ``str.translate`` and cut into runs of one subset by a regular expression, not character by character."""

    def __init__(self, canvas: Any, font_name: str) -> None:
        from reportlab.pdfbase import pdfmetrics

        self.font = pdfmetrics.getFont(font_name)
        self.doc = canvas._doc
        self.coded: dict[int, str] = {}  # a character -> the character numbered subset * 256 + code
        self.byte: dict[int, str] = {}  # that character -> the character numbered code (one byte)
        self.known: set[str] = set()
        self.names: list[str] = []  # the font resource of each subset
        self.runs_re = re.compile("[\x00-\xff]+")
        self.cache: dict[str, list[tuple[int, str]]] = {}
        self.current: tuple[int, float] | None = None  # the subset and size the text object is set in
        self.width = self.font.stringWidth

    def _learn(self, text: str) -> None:
        for ch in set(text) - self.known:
            ((subset, code),) = self.font.splitString(ch, self.doc)
            n = subset << 8 | code[0]
            self.coded[ord(ch)] = chr(n)
            self.byte[n] = chr(code[0])
            self.known.add(ch)
            while len(self.names) <= subset:
                self.names.append(self.font.getSubsetInternalName(len(self.names), self.doc))
                self.runs_re = re.compile("|".join(f"[{chr(k << 8)}-{chr(k << 8 | 0xFF)}]+"
                                                   for k in range(len(self.names))).replace("\x00", "\\x00"))

    def runs(self, text: str) -> list[tuple[int, str]]:
        """(subset, the codes in hexadecimal) of each run of ``text`` in one subset."""
        if not self.known.issuperset(text):
            self._learn(text)
        coded = text.translate(self.coded)
        if coded < "\u0100" and max(coded) < "\u0100":
            return [(0, coded.encode("latin-1").hex())]
        return [(ord(run[0]) >> 8, run.translate(self.byte).encode("latin-1").hex())
                for run in self.runs_re.findall(coded)]

    def show(self, ops: list[str], text: str, size: float, x: float, y: float, cache: bool = False) -> None:
        """Append to ``ops`` what draws ``text`` at (x, y) in ``size`` (``cache``: a value that repeats)."""
        ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
        if cache:
            runs = self.cache.get(text)
            if runs is None:
                runs = self.cache[text] = self.runs(text)
        else:
            runs = self.runs(text)
        for subset, hexa in runs:
            if (subset, size) != self.current:
                ops.append(f"{self.names[subset]} {size:g} Tf")
                self.current = (subset, size)
            ops.append(f"<{hexa}> Tj")


def _canvas(fh: IO[bytes], n: Notice) -> Any:
    """A deterministic canvas (invariant) in the CJK font only, each page's content compressed as soon as
    the page is done (reportlab would keep every page's operators as text until ``save``)."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream, PDFZCompress
    from reportlab.pdfgen.canvas import Canvas

    class PageCompressingCanvas(Canvas):
        def showPage(self) -> None:  # reportlab's name
            super().showPage()
            page = self._doc.Pages.pages[-1]
            page.Contents = PDFStream(PDFDictionary({"Filter": PDFName("FlateDecode")}),
                                      PDFZCompress.encode(page.stream))
            page.stream = None

    font = fonts.register()
    c = PageCompressingCanvas(fh, pagesize=(PAGE_W, PAGE_H), invariant=1, initialFontName=font,
                              pageCompression=0)
    c.setTitle(n.title)
    c.setAuthor("innopoints")
    return c


def _pdf_cells(r: dict[str, Any], number: int) -> list[str]:
    v = row_values(r, number)
    rank = "—" if r["is_vetoed"] else f"{r['rank_in_region']:,} / {r['evaluated_in_region']:,}"
    stage_rank = ("—" if r["is_vetoed"] or r["rank_in_stage"] is None
                  else f"{r['rank_in_stage']:,} / {r['ranked_in_stage']:,}")
    band = "—" if r["is_vetoed"] else (r["band_name_zh"] or "")
    return [str(number), v[1], v[2], v[3], v[4], f"{r['total_points']:.2f}", v[6], rank, stage_rank, band]


def build_pdf(n: Notice, rows: list[dict[str, Any]]) -> bytes:
    """The PDF of a list, as bytes (for a short list; ``write_publicity_documents`` streams to a file)."""
    buf = io.BytesIO()
    doc = PdfList(n, len(rows), buf)
    for r in rows:
        doc.add(r)
    doc.save()
    return buf.getvalue()


def regions(conn: Any, pub: read.Publication, ref: read.Reference) -> list[Region]:
    """The province's list, then each city's, for the cities with enterprises in the publication."""
    province = [(code, name) for code, (name, level) in ref.regions.items() if level == "province"]
    out = [Region(code, name, None) for code, name in sorted(province)[:1]]
    out += [Region(code, name, code) for code, name in read.cities(conn, pub.publication_id)]
    return out



# --- every region's documents from one pass over the province's list -----------------------------------

KINDS = ("xlsx", "pdf")
PARALLEL_FROM = 20_000  # rows in the province's list from which the documents are written by two processes
RowSource = Callable[[], Iterable[dict[str, Any]]]  # the province's rows in list order; picklable


@dataclass(frozen=True)
class Document:
    """One region's list: what its heading says, how many rows it has, its file name without suffix."""

    region: Region
    notice: Notice
    rows: int
    stem: str


def write_lists(documents: list[Document], source: RowSource, out_dir: Path) -> list[Path]:
    """Write the XLSX and the PDF of every region in ``documents`` in one pass over ``source`` (the
    province's list in order; a city's list is its rows, in the same order): each row goes to the
    province's documents and to its city's, when they are among ``documents``. Files are written
    atomically, mode 0600; on an error none is left behind. Returns for each region its XLSX then its
    PDF, in the order of ``documents``."""
    paths = [out_dir / f"{d.stem}.{kind}" for d in documents for kind in KINDS]
    with contextlib.ExitStack() as stack:
        writers: dict[str | None, list[tuple[Any, IO[bytes]]]] = {}
        for d in documents:
            xlsx_fh = stack.enter_context(statefile.atomic_file(out_dir / f"{d.stem}.xlsx"))
            pdf_fh = stack.enter_context(statefile.atomic_file(out_dir / f"{d.stem}.pdf"))
            writers[d.region.city_code] = [(XlsxList(d.notice), xlsx_fh), (PdfList(d.notice, d.rows, pdf_fh), pdf_fh)]
        province = writers.get(None, [])
        for r in source():
            for w, _ in province:
                w.add(r)
            city = r["city_code"]
            if city is not None:
                for w, _ in writers.get(city, ()):
                    w.add(r)
        for (xlsx, xlsx_fh), (pdf, _) in writers.values():
            xlsx.save(xlsx_fh)
            pdf.save()
    return paths


def write_documents(documents: list[Document], source: RowSource, out_dir: Path, jobs: int = 2) -> list[Path]:
    """Both documents of every region: for a long list and ``jobs`` > 1, the province's in one process
    and the cities' in another (as many rows each: a city's list is a part of the province's), each
    reading the rows once; else all in one pass here. Returns for each region its XLSX then its PDF."""
    total = max((d.rows for d in documents), default=0)
    province = [d for d in documents if d.region.city_code is None]
    cities = [d for d in documents if d.region.city_code is not None]
    if jobs > 1 and total >= PARALLEL_FROM and province and cities:
        written: list[Path] = []
        failed: BaseException | None = None
        # spawned, not forked: `innopoints run` writes a list's documents in a thread beside the next
        # list's insert, and a fork would copy that thread's state (its connection, held locks)
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(write_lists, part, source, out_dir) for part in (province, cities)]
            for f in futures:
                try:
                    written += f.result()
                except BaseException as exc:  # re-raised below, once the other part's files are gone
                    failed = failed or exc
        if failed is not None:  # all of the list's documents or none
            for p in written:
                p.unlink(missing_ok=True)
            raise failed
        by_path = {p.name: p for p in written}
        return [by_path[f"{d.stem}.{kind}"] for d in documents for kind in KINDS]
    return write_lists(documents, source, out_dir)


def _published_rows(publication_id: int) -> Iterator[dict[str, Any]]:
    """The province's list of a publication, streamed from PostgreSQL (a server-side cursor)."""
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        yield from read.iter_listed(conn, publication_id)


def write_publicity_documents(publication_id: int, out_dir: Path, jobs: int = 2) -> list[Path]:
    """Write the XLSX and PDF of the publicity list ``publication_id`` for the province and each city into
    ``out_dir`` (atomically, mode 0600); returns the paths written. Refused for a publication that is not a
    publicity list. The rows are streamed from PostgreSQL (never all in memory), the province's list read
    once per process and the cities' lists taken from it."""
    out_dir = statefile.ensure_private_dir(Path(out_dir))
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        pub = read.publication(conn, publication_id)
        if pub.kind != "publicity":
            raise UsageError(f"发布 {publication_id} 是{pub.kind_zh}，不是公示名单 (publication {publication_id} is "
                             f"of kind {pub.kind!r}, not a publicity list): 公示文件只为公示名单生成")
        ref = read.reference(conn)
        counts = read.counts(conn, publication_id)
        documents = [
            Document(region, notice(pub, ref, region, counts.get(region.city_code, 0)),
                     counts.get(region.city_code, 0),
                     f"公示名单_{pub.scheme_code}_{pub.eval_year}_{region.code}_{region.name_zh}")
            for region in regions(conn, pub, ref) if counts.get(region.city_code, 0)]
    written = write_documents(documents, functools.partial(_published_rows, publication_id), out_dir, jobs)
    for d in documents:
        log.info("publicity list %s %s: %d enterprises", publication_id, d.region.name_zh, d.rows)
    return written
