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

import unicodedata
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
