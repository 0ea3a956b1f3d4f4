"""The 积分报告单 of one enterprise of a publication: one A4 PDF (one or two pages), in Chinese.

Heading (programme, year), the enterprise (name, USCC, city, stage), its total / max, grade, rank in its
region and in its stage with the ranked list it is on (领跑榜/竞跑榜/进取榜), the veto reasons of a
vetoed enterprise, every indicator by category (value in the unit of the indicators seed, weight,
points, points lost), what it needs for the next grade, and the publication it comes from (id, kind,
date, content sha256) with how a bank checks it (``innopoints publish --verify``).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.pdfgen.canvas import Canvas

from innopoints.documents import fonts
from innopoints.documents.layout import BAND, GREY, LIGHT, MARGIN_X, PAGE_H, PAGE_W, Block, Pen, flow
from innopoints.documents.read import EnterpriseData, Publication, Reference
from innopoints.scoring.explain import format_value

TZ = ZoneInfo("Asia/Shanghai")
TITLE = "企业创新积分报告单"
LEFT, RIGHT = MARGIN_X, PAGE_W - MARGIN_X
# indicator table: name from the left, then right-aligned value, weight, points, points lost
COL_VALUE, COL_WEIGHT, COL_POINTS, COL_LOST = 400.0, 450.0, 500.0, RIGHT - 6
ROW_H = 12.0


def points(v: Decimal | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def weight(v: Decimal | None) -> str:
    return "—" if v is None else f"{v:g}"


def cn_date(d: Any) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def rank_line(rank: int | None, of: int | None) -> str:
    return "—" if rank is None or of is None else f"第 {rank:,} 名 / 共 {of:,} 家"


def verify_sentence(pub: Publication) -> str:
    return (f"核验方法：银行或企业可请数据仓库管理方运行 innopoints publish --verify {pub.publication_id}，"
            "核对输出的 sha256 与本单所列内容哈希一致，即可确认本单数据出自该次发布且未被改动。")


def next_grade_line(pub: Publication, s: dict[str, Any]) -> str:
    if s["is_vetoed"]:
        return "被一票否决的企业不参与等级评定；消除否决情形后，下一年度可重新参评。"
    nxt = pub.next_grade(s["grade"])
    if nxt is None or s["points_to_next_grade"] is None:
        return f"已是最高等级（{s['grade']} 级 {s['grade_label_zh'] or ''}）。"
    return f"距 {nxt.grade} 级（{nxt.label_zh}）还需 {s['points_to_next_grade']:.2f} 分。"


def _heading(pub: Publication, e: EnterpriseData, ref: Reference) -> list[Block]:
    s = e.score
    blocks: list[Block] = []

    def title(p: Pen, y: float) -> None:
        p.text(PAGE_W / 2, y - 20, TITLE, 18, align="centre", bold=True)
        p.text(PAGE_W / 2, y - 38, f"{pub.scheme_name_zh}　{pub.eval_year}年度", 10.5, align="centre",
               colour=GREY)
        p.rule(LEFT, RIGHT, y - 48, 1.2)

    blocks.append(Block(56, title))

    def who(p: Pen, y: float) -> None:
        p.text(LEFT, y - 14, "企业名称", 9, colour=GREY)
        p.text(LEFT + 62, y - 14, p.fit(s["enterprise_name"] or "", 12, RIGHT - LEFT - 62), 12, bold=True)
        cells = [("统一社会信用代码", s["uscc"]), ("所属地市", s["city_name_zh"] or s["city_code"] or "—"),
                 ("发展阶段", s["stage_name_zh"] or s["stage"] or "—")]
        xs = [LEFT, LEFT + 250, LEFT + 390]
        for (k, v), x in zip(cells, xs, strict=True):
            p.text(x, y - 32, k, 9, colour=GREY)
            p.text(x + p.width(k, 9) + 8, y - 32, v, 10)

    blocks.append(Block(42, who))
    blocks.append(_score_box(pub, s, ref))
    return blocks


def _score_box(pub: Publication, s: dict[str, Any], ref: Reference) -> Block:
    region = pub.cohort_region_name_zh or "本地区"
    lines: list[tuple[str, str]] = []
    if s["is_vetoed"]:
        reasons = "；".join(f"{ref.veto_reasons.get(c, c)}（{c}）" for c in (s["veto_codes"] or []))
        lines.append(("一票否决", reasons or "—"))
        lines.append(("区域排名", f"{rank_line(s['rank_in_region'], s['evaluated_in_region'])}（{region}，"
                                  "一票否决企业排在最后）"))
        lines.append(("阶段排名", "不参与阶段排名"))
    else:
        share = f"，前 {s['top_share'] * 100:.2f}%" if s["top_share"] is not None else ""
        lines.append(("区域排名", f"{rank_line(s['rank_in_region'], s['evaluated_in_region'])}（{region}{share}）"))
        lines.append(("阶段排名", f"{rank_line(s['rank_in_stage'], s['ranked_in_stage'])}"
                                  f"（{s['stage_name_zh'] or s['stage']}）"))
        lines.append(("入选榜单", s["band_name_zh"] or f"未入选（各阶段榜单：{ref.ranked_lists_note()}）"))
    lines.append(("下一等级", next_grade_line(pub, s)))
    h = 44 + 14 * len(lines)

    def draw(p: Pen, y: float) -> None:
        p.box(LEFT, y - h + 6, RIGHT - LEFT, h - 10, fill=LIGHT)
        total = f"{s['total_points']:.2f} / {pub.max_points:g}"
        p.text(LEFT + 12, y - 28, "创新积分", 10, colour=GREY)
        p.text(LEFT + 66, y - 28, total, 20, bold=True)
        grade = f"{s['grade']} 级　{s['grade_label_zh'] or ''}" if not s["is_vetoed"] else "一票否决"
        p.text(LEFT + 290, y - 28, "等级", 10, colour=GREY)
        p.text(LEFT + 320, y - 28, grade, 16, bold=True, colour=(0.55, 0.1, 0.1) if s["is_vetoed"] else (0, 0, 0))
        for i, (k, v) in enumerate(lines):
            yy = y - 48 - 14 * i
            p.text(LEFT + 12, yy, k, 9, colour=GREY)
            p.text(LEFT + 66, yy, p.fit(v, 9.5, RIGHT - LEFT - 78), 9.5)

    return Block(h, draw)


def _table(e: EnterpriseData, ref: Reference) -> list[Block]:
    def header(p: Pen, y: float) -> None:
        p.box(LEFT, y - ROW_H - 2, RIGHT - LEFT, ROW_H + 2, fill=BAND)
        yy = y - ROW_H + 2
        p.text(LEFT + 4, yy, "指标", 9, bold=True)
        for x, t in ((COL_VALUE, "指标值"), (COL_WEIGHT, "权重"), (COL_POINTS, "得分"), (COL_LOST, "失分")):
            p.text(x, yy, t, 9, align="right", bold=True)

    head = Block(ROW_H + 4, header)

    def title(p: Pen, y: float) -> None:
        p.text(LEFT, y - 16, "各项指标得分", 11, bold=True)

    blocks = [Block(22, title, keep_with_next=True), head]
    if not e.indicators:
        blocks.append(Block(20, lambda p, y: p.text(LEFT + 4, y - 14, "被一票否决的企业不计指标得分。", 9.5)))
        return blocks
    by_cat: dict[str, list[dict[str, Any]]] = {}
    for r in e.indicators:
        by_cat.setdefault(r["category_code"] or "", []).append(r)
    for rows in by_cat.values():
        w = sum((r["weight"] or Decimal(0) for r in rows), Decimal(0))
        pts = sum((r["points"] for r in rows), Decimal(0))
        name = rows[0]["category_name_zh"] or rows[0]["category_code"] or ""
        blocks.append(Block(ROW_H + 2, _category_row(name, w, pts), header=head, keep_with_next=True))
        for r in rows:
            blocks.append(Block(ROW_H, _indicator_row(r, ref), header=head))
    w = sum((r["weight"] or Decimal(0) for r in e.indicators), Decimal(0))
    pts = sum((r["points"] for r in e.indicators), Decimal(0))

    def total(p: Pen, y: float) -> None:
        p.rule(LEFT, RIGHT, y - 1, 0.8)
        yy = y - ROW_H + 2
        p.text(LEFT + 4, yy, "合计", 9.5, bold=True)
        for x, t in ((COL_WEIGHT, weight(w)), (COL_POINTS, points(pts)), (COL_LOST, points(w - pts))):
            p.text(x, yy, t, 9.5, align="right", bold=True)

    blocks.append(Block(ROW_H + 4, total, header=head))
    return blocks


def _category_row(name: str, w: Decimal, pts: Decimal) -> Any:
    def draw(p: Pen, y: float) -> None:
        p.box(LEFT, y - ROW_H - 1, RIGHT - LEFT, ROW_H, fill=LIGHT)
        yy = y - ROW_H + 2.5
        p.text(LEFT + 4, yy, f"【{name}】", 9, bold=True)
        for x, t in ((COL_WEIGHT, weight(w)), (COL_POINTS, points(pts)), (COL_LOST, points(w - pts))):
            p.text(x, yy, t, 9, align="right", colour=GREY)

    return draw


def _indicator_row(r: dict[str, Any], ref: Reference) -> Any:
    value = format_value({**r, "unit": ref.units.get(r["indicator_code"])})
    lost = (r["weight"] or Decimal(0)) - r["points"]

    def draw(p: Pen, y: float) -> None:
        yy = y - ROW_H + 3
        name = p.fit(f"{r['indicator_code']} {r['indicator_name_zh'] or ''}", 8.5, COL_VALUE - 110 - LEFT)
        p.text(LEFT + 10, yy, name, 8.5)
        p.text(COL_VALUE, yy, value, 8.5, align="right")
        p.text(COL_WEIGHT, yy, weight(r["weight"]), 8.5, align="right")
        p.text(COL_POINTS, yy, points(r["points"]), 8.5, align="right")
        p.text(COL_LOST, yy, points(lost), 8.5, align="right", colour=(0.6, 0.1, 0.1) if lost > 0 else GREY)
        p.rule(LEFT, RIGHT, y - ROW_H, 0.25, colour=(0.8, 0.8, 0.8))

    return draw


def _provenance(pub: Publication) -> list[Block]:
    published = cn_date(pub.published_at.astimezone(TZ))
    first = f"发布编号 {pub.publication_id}（{pub.kind_zh}），发布日期 {published}"
    if pub.kind == "publicity" and pub.opens_on and pub.closes_on:
        first += f"，公示期 {cn_date(pub.opens_on)}至{cn_date(pub.closes_on)}"
    sha = f"内容哈希（SHA-256）：{pub.content_sha256}"

    def draw(p: Pen, y: float) -> None:
        p.rule(LEFT, RIGHT, y - 4, 0.8)
        p.text(LEFT, y - 18, "数据来源", 10, bold=True)
        p.text(LEFT, y - 32, first, 9)
        p.text(LEFT, y - 45, sha, 8.5)
        for i, line in enumerate(p.wrap(verify_sentence(pub), 8.5, RIGHT - LEFT)):
            p.text(LEFT, y - 58 - 11 * i, line, 8.5, colour=GREY)

    return [Block(80, draw)]


def render(pub: Publication, e: EnterpriseData, ref: Reference) -> bytes:
    """The 积分报告单 of one enterprise as PDF bytes (the CJK font embedded as a subset)."""
    s = e.score
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1, initialFontName=fonts.register())
    c.setTitle(f"{TITLE} {s['enterprise_name'] or ''} {s['uscc']}")
    c.setAuthor("innopoints")
    c.setSubject(f"{pub.scheme_name_zh} {pub.eval_year}年度 发布编号 {pub.publication_id}")
    blocks = [*_heading(pub, e, ref), *_table(e, ref), Block(8, lambda p, y: None), *_provenance(pub)]

    def footer(p: Pen, n: int, of: int) -> None:
        p.text(LEFT, 26, f"{s['enterprise_name'] or ''}　{s['uscc']}　发布编号 {pub.publication_id}", 7.5,
               colour=GREY)
        p.text(RIGHT, 26, f"第 {n} 页 共 {of} 页", 7.5, align="right", colour=GREY)

    flow(c, blocks, footer)
    c.save()
    return buf.getvalue()
