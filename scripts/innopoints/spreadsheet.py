"""Cells a spreadsheet will never run as a formula (OWASP "CSV Injection"), for every file the project
hands out (bank pushes, publicity lists).

- CSV: a text field that a spreadsheet could take for a formula gets a leading apostrophe, also when
  the formula character is full-width (＝＋－＠) or hidden behind invisible characters (spaces,
  U+3000, tab, CR/LF, zero-width characters, the BOM).
- XLSX: text cells are typed as text (string type, number format "@" Text, "quote prefix" set where the
  text looks like a formula), so Excel and LibreOffice show the text exactly as written, without an
  apostrophe, and never evaluate it.
"""

from __future__ import annotations

import io
import math
import unicodedata
from decimal import Decimal
from typing import Any

# characters that start a formula in Excel, LibreOffice or WPS, ASCII and full-width
FORMULA_CHARS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# control characters a spreadsheet may act on at the start of a field (OWASP: tab, CR; also LF, NUL)
CONTROL_PREFIXES = ("\t", "\r", "\n", "\0")
# Unicode categories of characters that do not show: format (zero-width, BOM, bidi marks), spaces,
# line/paragraph separators, controls
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})


def _is_invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in INVISIBLE_CATEGORIES


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with a control character,
    or its first visible character is a formula character (ASCII or full-width)."""
    if text.startswith(CONTROL_PREFIXES):
        return True
    visible = next((ch for ch in text if not _is_invisible(ch)), "")
    return visible in FORMULA_CHARS


def safe_text(value: Any) -> Any:
    """A value for a CSV field: text that a spreadsheet could run as a formula gets a leading
    apostrophe; numbers, dates and None are returned unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def type_text(cell: Any) -> None:
    """Make an openpyxl cell holding a str a text cell: string type (openpyxl would otherwise store a str
    starting with "=" as a formula), number format "@" (Text, so an edit in Excel keeps it text), and
    Excel's quote prefix when it looks like a formula (what Excel itself stores for a typed leading
    apostrophe)."""
    if not isinstance(cell.value, str):
        return
    cell.data_type = "s"
    cell.number_format = "@"
    if looks_like_formula(cell.value):
        cell.quotePrefix = True


def typed_cells(ws: Any, values: list[Any], font: Any = None, alignment: Any = None) -> list[Any]:
    """One row of openpyxl write-only cells for ``ws`` (a heading, a cover line), each with ``font`` and
    ``alignment`` when given and its text typed by ``type_text``."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for v in values:
        c = WriteOnlyCell(ws, v)
        if font is not None:
            c.font = font
        if alignment is not None:
            c.alignment = alignment
        type_text(c)
        cells.append(c)
    return cells


class StreamedRows:
    """Rows of one sheet of an openpyxl write-only workbook, written as XML text into a temporary file and
    spliced into the saved workbook (``splice``): openpyxl's own row writer (et_xmlfile, without lxml)
    manages about 3,000 rows of ten cells a second, too slow for a list of 900,000 enterprises or a
    bank's push of 70,000.

    Each cell is what openpyxl writes for the same value: a str as an inline string with the style of a
    cell typed by ``type_text`` (number format "@", and the quote prefix where ``looks_like_formula``), the
    style ids taken from cells that ``type_text`` typed; a number as a number, with the number format
    given for its column; None as no cell. Characters XML cannot hold are refused as openpyxl refuses them.
    """

    def __init__(self, ws: Any, first_row: int, number_formats: dict[int, str] | None = None) -> None:
        import tempfile

        from openpyxl.cell import WriteOnlyCell

        def style_id(value: Any, number_format: str | None = None) -> int:
            cell = WriteOnlyCell(ws, value)
            if number_format:
                cell.number_format = number_format
            type_text(cell)
            return int(cell.style_id)

        self._text = style_id("text")
        self._formula = style_id("=text")
        self._numbers = {col: style_id(0, fmt) for col, fmt in (number_formats or {}).items()}
        self.row = first_row - 1
        self._letters: list[str] = []
        self._tmp = tempfile.TemporaryFile()  # noqa: SIM115 (private, 0600; closed by splice or close)

    def append(self, values: list[Any]) -> None:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.utils import get_column_letter

        self.row += 1
        r = self.row
        while len(self._letters) < len(values):
            self._letters.append(get_column_letter(len(self._letters) + 1))
        out = [f'<row r="{r}">']
        for i, v in enumerate(values):
            if v is None:
                continue
            ref = f"{self._letters[i]}{r}"
            if v == "":  # as openpyxl writes it: a text-styled cell without a value (reads back as None)
                out.append(f'<c r="{ref}" s="{self._text}"/>')
                continue
            if isinstance(v, str):
                if ILLEGAL_CHARACTERS_RE.search(v):
                    raise ValueError(f"cell {ref}: {v!r} holds characters a spreadsheet cannot store")
                style = self._formula if looks_like_formula(v) else self._text
                text = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                space = ' xml:space="preserve"' if v != v.strip() else ""
                out.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            else:
                # a number or nothing: a bool, a date or NaN would make a file no spreadsheet opens
                if isinstance(v, bool) or not isinstance(v, int | float | Decimal) or not math.isfinite(v):
                    raise TypeError(f"cell {ref}: {v!r} is neither text nor a finite number")
                style = self._numbers.get(i)
                s = f' s="{style}"' if style is not None else ""
                out.append(f'<c r="{ref}"{s} t="n"><v>{v!r}</v></c>' if isinstance(v, float)
                           else f'<c r="{ref}"{s} t="n"><v>{v}</v></c>')
        out.append("</row>")
        self._tmp.write("".join(out).encode("utf-8"))

    def splice(self, workbook: bytes, fh: Any, sheet: str = "xl/worksheets/sheet1.xml") -> None:
        """Write ``workbook`` (saved by openpyxl) to ``fh`` with these rows at the end of ``sheet``'s rows."""
        import shutil
        import zipfile

        with zipfile.ZipFile(io.BytesIO(workbook)) as zin:
            if sheet not in zin.namelist():
                raise ValueError(f"the workbook has no {sheet} for the streamed rows")
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
                for info in zin.infolist():
                    data = zin.read(info)
                    if info.filename != sheet:
                        zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                        continue
                    head, sep, tail = data.partition(b"</sheetData>")
                    if not sep:  # a sheet with no rows yet
                        head, sep, tail = data.partition(b"<sheetData />")
                        head, sep = head + b"<sheetData>", b"</sheetData>"
                    out = zipfile.ZipInfo(info.filename, info.date_time)
                    out.compress_type = zipfile.ZIP_DEFLATED
                    with zout.open(out, "w", force_zip64=True) as part:
                        part.write(head)
                        self._tmp.seek(0)
                        shutil.copyfileobj(self._tmp, part, 1 << 20)
                        part.write(sep + tail)
        self.close()

    def close(self) -> None:
        """Drop the rows' temporary file (``splice`` does, once the rows are in the workbook)."""
        self._tmp.close()
