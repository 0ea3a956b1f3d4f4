"""The publicity documents (公示) of a publicity list, per region (the province's list and each city's):
an XLSX (sheet 公示名单: the list; sheet 公示说明: heading, period, where and how to object) with every
text cell typed as text (``innopoints.spreadsheet``), and a printable A4 landscape PDF with the heading
("辽宁省企业创新积分评价结果公示（2024年度）"), the period (公示期：…至…), the office that receives
objections (seeds.ref_objection_offices of that region) and the list, its header repeated on every
page, pages numbered "第 n 页 共 m 页".

The list: the ranked enterprises by rank in the region, then the vetoed ones (一票否决, no rank, no
ranked list) by name: a publicity list shows every evaluated enterprise, so a vetoed one can object too.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from innopoints import db, statefile
from innopoints.documents import fonts, read
from innopoints.documents.report import cn_date, verify_sentence
from innopoints.errors import UsageError
from innopoints.spreadsheet import type_text

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


def build_xlsx(n: Notice, rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "公示名单"
    ws.append(list(COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, r in enumerate(rows, start=1):
        ws.append(row_values(r, i))
    for row in ws.iter_rows():
        for c in row:
            type_text(c)
    for c in ws["F"][1:]:
        c.number_format = "0.00"
    ws.freeze_panes = "C2"
    for letter, width in zip("ABCDEFGHIJ", (6, 36, 22, 10, 10, 10, 12, 10, 10, 10), strict=True):
        ws.column_dimensions[letter].width = width
    ws.auto_filter.ref = f"A1:J{len(rows) + 1}"
    info = wb.create_sheet("公示说明")
    for line in (n.title, n.scheme_line, n.intro, n.period, n.objection, n.note, n.provenance, n.verify):
        info.append([line])
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 120
    for row in info.iter_rows():
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
            type_text(c)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pdf_cells(r: dict[str, Any], number: int) -> list[str]:
    v = row_values(r, number)
    rank = "—" if r["is_vetoed"] else f"{r['rank_in_region']:,} / {r['evaluated_in_region']:,}"
    stage_rank = ("—" if r["is_vetoed"] or r["rank_in_stage"] is None
                  else f"{r['rank_in_stage']:,} / {r['ranked_in_stage']:,}")
    band = "—" if r["is_vetoed"] else (r["band_name_zh"] or "")
    return [str(number), v[1], v[2], v[3], v[4], f"{r['total_points']:.2f}", v[6], rank, stage_rank, band]


def build_pdf(n: Notice, rows: list[dict[str, Any]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    font = fonts.register()
    page = landscape(A4)
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap="CJK", spaceAfter=2)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER)
    sub = ParagraphStyle("sub", parent=base, fontSize=10.5, alignment=TA_CENTER,
                         textColor=colors.HexColor("#444444"))
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"))
    esc = _escape
    story: list[Any] = [
        Paragraph(f"<b>{esc(n.title)}</b>", title), Paragraph(esc(n.scheme_line), sub), Spacer(1, 5 * mm),
        Paragraph(esc(n.intro), base), Paragraph(f"<b>{esc(n.period)}</b>", base), Paragraph(esc(n.objection), base),
        Paragraph(esc(n.note), small), Spacer(1, 4 * mm),
    ]
    data = [list(COLUMNS)] + [_pdf_cells(r, i) for i, r in enumerate(rows, start=1)]
    widths = [12 * mm, 72 * mm, 42 * mm, 18 * mm, 18 * mm, 18 * mm, 20 * mm, 26 * mm, 24 * mm, 16 * mm]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), font, 8.5),
        ("FONT", (0, 0), (-1, 0), font, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dbe3ef")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (0, 1), (0, -1), "RIGHT"),
        ("ALIGN", (5, 1), (5, -1), "RIGHT"),
        ("ALIGN", (6, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f9")]),
    ]
    for i, r in enumerate(rows, start=1):
        if r["is_vetoed"]:
            style.append(("TEXTCOLOR", (6, i), (6, i), colors.HexColor("#8b1a1a")))
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 4 * mm), Paragraph(esc(n.provenance), small), Paragraph(esc(n.verify), small)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=n.title, author="innopoints")
    doc.build(story, canvasmaker=_numbered_canvas(font, n))
    return buf.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _numbered_canvas(font: str, n: Notice) -> Any:
    """A canvas class that writes "第 n 页 共 m 页" on every page once the page count is known."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("invariant", 1)
            kwargs["initialFontName"] = font  # no standard font on any page: the CJK one only
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                w, _ = self._pagesize
                self.setFont(font, 8)
                self.setFillColorRGB(0.35, 0.35, 0.35)
                self.drawString(12 * mm, 7 * mm, n.footer)
                self.drawRightString(w - 12 * mm, 7 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def regions(conn: Any, pub: read.Publication, ref: read.Reference) -> list[Region]:
    """The province's list, then each city's, for the cities with enterprises in the publication."""
    province = [(code, name) for code, (name, level) in ref.regions.items() if level == "province"]
    out = [Region(code, name, None) for code, name in sorted(province)[:1]]
    out += [Region(code, name, code) for code, name in read.cities(conn, pub.publication_id)]
    return out


def write_publicity_documents(publication_id: int, out_dir: Path) -> list[Path]:
    """Write the XLSX and PDF of the publicity list ``publication_id`` for the province and each city into
    ``out_dir`` (atomically, mode 0600); returns the paths written. Refused for a publication that is not a
    publicity list."""
    out_dir = statefile.ensure_private_dir(Path(out_dir))
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        pub = read.publication(conn, publication_id)
        if pub.kind != "publicity":
            raise UsageError(f"发布 {publication_id} 是{pub.kind_zh}，不是公示名单 (publication {publication_id} is "
                             f"of kind {pub.kind!r}, not a publicity list): 公示文件只为公示名单生成")
        ref = read.reference(conn)
        lists = [(region, read.listed(conn, publication_id, region.city_code)) for region in regions(conn, pub, ref)]
    written: list[Path] = []
    for region, rows in lists:
        if not rows:
            continue
        n = notice(pub, ref, region, len(rows))
        stem = f"公示名单_{pub.scheme_code}_{pub.eval_year}_{region.code}_{region.name_zh}"
        for suffix, data in ((".xlsx", build_xlsx(n, rows)), (".pdf", build_pdf(n, rows))):
            path = out_dir / f"{stem}{suffix}"
            statefile.write_bytes(path, data)
            written.append(path)
        log.info("publicity list %s %s: %d enterprises", publication_id, region.name_zh, len(rows))
    return written
