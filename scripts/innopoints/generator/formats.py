"""How each generated file looks: encoding, header language, units, date, code and number spellings,
and the writers (CSV, or XLSX written deterministically).

Columns travel as numpy arrays in canonical units (yuan, day numbers since 1970-01-01, canonical
codes); a :class:`FileSpec` turns them into the strings (CSV) or cell values (XLSX) of one export.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from openpyxl import Workbook

from innopoints import statefile
from innopoints.feeds import FEEDS, Feed

# Sentinels for null in integer-typed arrays (ints, years, day numbers, bools use -1).
INT_NULL = np.iinfo(np.int64).min
EPOCH = date(1970, 1, 1)
EXCEL_EPOCH = date(1899, 12, 30)
FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)  # XLSX document properties and zip entry times

Encoding = Literal["utf-8", "utf-8-sig", "gb18030", "xlsx"]
DateStyle = Literal["iso", "slash", "zh", "cell", "serial"]
Unit = Literal["yuan", "k", "w"]
UNIT_FACTOR: dict[str, float] = {"yuan": 1.0, "k": 1000.0, "w": 10000.0}
UNIT_ZH = {"k": "千元", "w": "万元"}


def day_number(d: date) -> int:
    return (d - EPOCH).days


def to_date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


_TABLE_START = day_number(date(1950, 1, 1))
_TABLE_END = day_number(date(2100, 12, 31))
_DATE_TABLES: dict[str, list[str]] = {}


def _date_table(style: str) -> list[str]:
    """All dates 1950-2100 spelled in one style, plus '' at the end for null (index -1)."""
    table = _DATE_TABLES.get(style)
    if table is None:
        table = []
        for n in range(_TABLE_START, _TABLE_END + 1):
            d = to_date(n)
            table.append(spell_date(d.year, d.month, d.day, style))
        table.append("")
        _DATE_TABLES[style] = table
    return table


def spell_date(year: int, month: int, day: int, style: str) -> str:
    """A (possibly impossible) date in a text style; bad-row generation spells 2024-13-01 with it."""
    if style == "slash":
        return f"{year}/{month}/{day}"
    if style == "zh":
        return f"{year}年{month}月{day}日"
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass(frozen=True)
class FileSpec:
    """One export file of one feed, and the conventions of the system that wrote it."""

    name: str  # file name without extension
    feed: str
    encoding: Encoding = "utf-8-sig"
    header: Literal["zh", "en"] = "zh"
    dates: DateStyle = "iso"
    codes: Literal["zh", "en"] = "zh"
    bools: Literal["zh", "en"] = "zh"
    units: dict[str, Unit] = field(default_factory=dict)  # money field -> unit named in its header
    full_width_brackets: bool = False  # `注册资本（万元）` rather than `注册资本(万元)`
    thousands: bool = False  # numbers spelled 1,234.50
    header_aliases: dict[str, str] = field(default_factory=dict)  # field -> alias used as header
    row_estimate: float = 1.0  # expected rows per enterprise (picks CSV over XLSX at scale)

    @property
    def feed_def(self) -> Feed:
        return FEEDS[self.feed]

    @property
    def is_xlsx(self) -> bool:
        return self.encoding == "xlsx"

    @property
    def filename(self) -> str:
        return self.name + (".xlsx" if self.is_xlsx else ".csv")

    def as_csv(self) -> FileSpec:
        """The same export as CSV (UTF-8 with BOM), for sizes beyond what XLSX tools handle well."""
        dates: DateStyle = "iso" if self.dates in ("cell", "serial") else self.dates
        return FileSpec(
            self.name,
            self.feed,
            "utf-8-sig",
            self.header,
            dates,
            self.codes,
            self.bools,
            dict(self.units),
            self.full_width_brackets,
            self.thousands,
            dict(self.header_aliases),
            self.row_estimate,
        )

    def unit(self, field_name: str) -> Unit:
        return self.units.get(field_name, "yuan")

    def headers(self) -> list[str]:
        out: list[str] = []
        for f in self.feed_def.fields:
            if self.header == "en":
                out.append(f.name)
                continue
            text = self.header_aliases.get(f.name, f.zh)
            unit = self.unit(f.name)
            if unit != "yuan":
                left, right = ("（", "）") if self.full_width_brackets else ("(", ")")
                text = f"{text}{left}{UNIT_ZH[unit]}{right}"
            out.append(text)
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "format": "xlsx" if self.is_xlsx else "csv",
            "encoding": "xlsx" if self.is_xlsx else self.encoding,
            "header_language": self.header,
            "date_style": self.dates,
            "code_style": self.codes,
            "bool_style": self.bools,
            "money_units": {k: UNIT_ZH[v] for k, v in sorted(self.units.items()) if v != "yuan"},
            "thousands_separators": self.thousands,
        }

    # --- value spelling -------------------------------------------------------------------------

    def format_column(self, field_name: str, values: np.ndarray) -> list[Any]:
        """Spell one canonical column for this file: strings for CSV, typed cells for XLSX."""
        f = self.feed_def.field(field_name)
        kind = f.kind
        xlsx = self.is_xlsx
        if kind in ("money", "pct"):
            factor = UNIT_FACTOR[self.unit(field_name)] if kind == "money" else 1.0
            scaled = values / factor if factor != 1.0 else values
            if xlsx:
                return [None if v != v else round(v, 2) for v in scaled.tolist()]
            fmt = "{:,.2f}" if self.thousands else "{:.2f}"
            return ["" if v != v else fmt.format(v) for v in scaled.tolist()]
        if kind in ("int", "year"):
            if xlsx:
                return [None if v == INT_NULL else v for v in values.tolist()]
            if self.thousands and kind == "int":
                return ["" if v == INT_NULL else f"{v:,}" for v in values.tolist()]
            return ["" if v == INT_NULL else str(v) for v in values.tolist()]
        if kind == "date":
            null = values == INT_NULL
            if xlsx:
                if self.dates == "serial":
                    offs = day_number(EXCEL_EPOCH)
                    return [None if v == INT_NULL else v - offs for v in values.tolist()]
                return [None if v == INT_NULL else EPOCH + timedelta(days=v) for v in values.tolist()]
            idx = np.where(null, -1, values - _TABLE_START)
            table = _date_table(self.dates)
            return [table[i] for i in idx.tolist()]
        if kind == "bool":
            yes, no = ("是", "否") if self.bools == "zh" else ("true", "false")
            empty = None if xlsx else ""
            return [empty if v < 0 else (yes if v else no) for v in values.tolist()]
        if kind == "code" and self.codes == "zh" and f.codes:
            label = {code: zh for zh, code in f.codes.items()}
            empty = None if xlsx else ""
            return [empty if v is None else label[v] for v in values.tolist()]
        empty = None if xlsx else ""
        return [empty if v is None else v for v in values.tolist()]

    def spell_bad_date(self, year: int, month: int, day: int) -> Any:
        """An impossible or future date in this file's spelling (text in an XLSX cell)."""
        style = self.dates if self.dates in ("iso", "slash", "zh") else "zh"
        text = spell_date(year, month, day, style)
        if self.is_xlsx and month <= 12:
            try:
                return date(year, month, day)
            except ValueError:
                return text
        return text

    def spell_number(self, value: float) -> Any:
        if self.is_xlsx:
            return value
        return f"{value:,.2f}" if self.thousands else f"{value:.2f}"


class FileWriter:
    """Streams rows into one CSV or XLSX file; counts rows; XLSX bytes do not depend on the clock."""

    def __init__(self, out_dir: Path, spec: FileSpec) -> None:
        self.spec = spec
        self.path = out_dir / spec.filename
        self.rows = 0
        self._fh: io.TextIOWrapper | None = None
        self._csv: Any = None
        self._wb: Workbook | None = None
        self._ws: Any = None
        headers = spec.headers()
        if spec.is_xlsx:
            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet(spec.feed)
            self._ws.append(headers)
        else:
            # Python's utf-8-sig codec encodes in Python code, slowly: write the BOM, then plain UTF-8
            encoding = "utf-8" if spec.encoding == "utf-8-sig" else spec.encoding
            self._fh = statefile.open_private(self.path, "w", encoding=encoding, newline="")
            if spec.encoding == "utf-8-sig":
                self._fh.write("\ufeff")
            self._csv = csv.writer(self._fh, lineterminator="\r\n" if spec.encoding == "gb18030" else "\n")
            self._csv.writerow(headers)

    @property
    def next_line(self) -> int:
        """Line (1-based, header = line 1) that the next data row will have."""
        return self.rows + 2

    def write_columns(self, columns: Sequence[list[Any]]) -> None:
        rows = zip(*columns, strict=True)
        if self._ws is not None:
            append = self._ws.append
            n = 0
            for row in rows:
                append(row)
                n += 1
            self.rows += n
        else:
            before = len(columns[0]) if columns else 0
            self._csv.writerows(rows)
            self.rows += before

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if self._wb is not None:
            self._wb.properties.creator = "innopoints generator"
            self._wb.properties.created = FIXED_TIME
            self._wb.properties.modified = FIXED_TIME
            tmp = self.path.with_suffix(".xlsx.tmp")
            with statefile.open_private(tmp, "wb") as fh:
                self._wb.save(fh)
            with statefile.open_private(self.path, "wb") as fh:
                _normalise_xlsx(tmp, fh)
            tmp.unlink()


def _normalise_xlsx(src: Path, dst: Path | IO[bytes]) -> None:
    """Rewrite an XLSX with fixed zip entry times and fixed document times (openpyxl stamps 'now')."""
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    props = DocumentProperties(creator="innopoints generator", created=FIXED_TIME, modified=FIXED_TIME)
    core_xml = tostring(props.to_tree())
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = core_xml if info.filename == "docProps/core.xml" else zin.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            zout.writestr(entry, data)
