"""A small page-layout helper over a reportlab canvas for documents drawn line by line (fast: no
flowable machinery), in the CJK font: text left/right/centred, wrapped paragraphs, rules, boxes, and
a flow of blocks that breaks pages (repeating a table's header) and numbers them "第 n 页 共 m 页"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from innopoints.documents import fonts

PAGE_W, PAGE_H = A4
MARGIN_X = 42.0
MARGIN_TOP = 44.0
MARGIN_BOTTOM = 40.0
GREY = (0.35, 0.35, 0.35)
LIGHT = (0.93, 0.94, 0.96)
BAND = (0.86, 0.89, 0.94)


class Pen:
    """Draws text in the CJK font on one canvas."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.font = fonts.register()

    def width(self, text: str, size: float) -> float:
        return stringWidth(text, self.font, size)

    def text(self, x: float, y: float, text: str, size: float = 9.0, *, align: str = "left",
             bold: bool = False, colour: tuple[float, float, float] = (0, 0, 0)) -> None:
        if align == "right":
            x -= self.width(text, size)
        elif align == "centre":
            x -= self.width(text, size) / 2
        # colour and render mode are page state in PDF (and reportlab's text object skips setting what it
        # believes unchanged), so each text is drawn in a saved graphics state. The font has no bold face:
        # bold fills and strokes the outline.
        self.c.saveState()
        t = self.c.beginText(x, y)
        t.setFont(self.font, size)
        t.setFillColorRGB(*colour)
        if bold:
            t.setTextRenderMode(2)
            self.c.setStrokeColorRGB(*colour)
            self.c.setLineWidth(size / 30)
        t.textOut(text)
        self.c.drawText(t)
        self.c.restoreState()

    def fit(self, text: str, size: float, width: float) -> str:
        """``text`` cut with an ellipsis to fit ``width``."""
        if self.width(text, size) <= width:
            return text
        while text and self.width(text + "…", size) > width:
            text = text[:-1]
        return text + "…"

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """``text`` broken into lines no wider than ``width`` (by character: Chinese has no spaces;
        a run of Latin letters and digits is kept whole when it fits on a line)."""
        lines: list[str] = []
        line = ""
        for token in _tokens(text):
            if self.width(line + token, size) <= width:
                line += token
                continue
            if line:
                lines.append(line.rstrip())
            line = token.lstrip()
            while self.width(line, size) > width:  # a token longer than a line
                cut = len(line)
                while cut > 1 and self.width(line[:cut], size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        if line:
            lines.append(line)
        return lines

    def rule(self, x0: float, x1: float, y: float, width: float = 0.6,
             colour: tuple[float, float, float] = (0, 0, 0)) -> None:
        self.c.setStrokeColorRGB(*colour)
        self.c.setLineWidth(width)
        self.c.line(x0, y, x1, y)

    def box(self, x: float, y: float, w: float, h: float, fill: tuple[float, float, float] | None = None,
            stroke: tuple[float, float, float] | None = None) -> None:
        if fill:
            self.c.setFillColorRGB(*fill)
        if stroke:
            self.c.setStrokeColorRGB(*stroke)
            self.c.setLineWidth(0.6)
        self.c.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)
        self.c.setFillColorRGB(0, 0, 0)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "._-/:"):
            word += ch
            continue
        if word:
            out.append(word)
            word = ""
        out.append(ch)
    if word:
        out.append(word)
    return out


Draw = Callable[[Pen, float], None]  # draws a block whose top is at y


@dataclass
class Block:
    height: float
    draw: Draw
    header: Block | None = None  # a table row: the header to repeat at the top of a new page
    keep_with_next: bool = False


def flow(canvas: Canvas, blocks: list[Block], footer: Callable[[Pen, int, int], None]) -> int:
    """Lay ``blocks`` top to bottom over as many pages as needed, then number them; returns the page count."""
    pages: list[list[tuple[Block, float]]] = [[]]
    y = PAGE_H - MARGIN_TOP
    i = 0
    while i < len(blocks):
        b = blocks[i]
        need = b.height
        if b.keep_with_next and i + 1 < len(blocks):
            need += blocks[i + 1].height
        if y - need < MARGIN_BOTTOM and pages[-1]:
            pages.append([])
            y = PAGE_H - MARGIN_TOP
            if b.header is not None:
                pages[-1].append((b.header, y))
                y -= b.header.height
        pages[-1].append((b, y))
        y -= b.height
        i += 1
    pen = Pen(canvas)
    for n, page in enumerate(pages, start=1):
        for block, top in page:
            block.draw(pen, top)
        footer(pen, n, len(pages))
        canvas.showPage()
    return len(pages)
