"""Files in: which files to import, their content hash and encoding, and their rows as text.

CSV is read as a stream (the csv module over a strictly decoding text stream); XLSX through
openpyxl in read-only mode (first sheet, header in the first row). Rows come out as lists of
strings with their 1-based line in the source file (the header is line 1), one at a time
(``rows()``) or in chunks (``chunks(n)``: a list of rows and the line each starts on).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from innopoints.errors import NotFound

SKIP_NAMES = frozenset({"manifest.json"})
SKIP_SUFFIXES = frozenset({".md", ".json", ".jsonl"})  # notes, manifests, bad-row ledgers
CHUNK = 1 << 20


class Refused(Exception):
    """The whole file cannot be imported; the message says why and what to fix."""


def list_files(path: Path) -> tuple[Path, list[Path]]:
    """(root used for relative names, files to import in order)."""
    if path.is_file():
        return path.parent, [path]
    if not path.is_dir():
        raise NotFound(f"{path} does not exist; give a folder of feed files or one file")
    files = []
    for p in path.rglob("*"):
        rel = p.relative_to(path)
        if any(part.startswith(".") or part.startswith("~$") for part in rel.parts):
            continue
        if not p.is_file() or p.name in SKIP_NAMES or p.suffix.lower() in SKIP_SUFFIXES:
            continue
        files.append(p)
    return path, sorted(files, key=lambda p: p.relative_to(path).as_posix())


@dataclass
class Sniff:
    sha256: str
    size: int
    kind: str  # "csv" | "xlsx"
    encoding: str | None  # "utf-8", "utf-8-sig", "gb18030" for csv


def sniff(path: Path) -> Sniff:
    """Hash the bytes and decide the format and encoding (UTF-8 strictly, else GB18030).

    GB18030 accepts most byte strings, so a file that is not UTF-8 is decoded as GB18030 while it
    streams, strictly: an invalid byte sequence there refuses the file (and rolls it back).
    """
    h = hashlib.sha256()
    size = 0
    head = b""
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    is_utf8 = True
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            if not head:
                head = chunk[:8]
            h.update(chunk)
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            size += len(chunk)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    digest = h.hexdigest()
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if not head.startswith(b"PK\x03\x04"):
            raise Refused("named .xlsx but is not an Excel workbook (no ZIP signature); re-export it as .xlsx")
        return Sniff(digest, size, "xlsx", None)
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused("legacy Excel .xls is not supported; save it as .xlsx or as CSV (UTF-8)")
    if size == 0 or not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise Refused("empty file: there is no header row and no data; re-export the file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused("the file is UTF-16 encoded; save it as UTF-8 (or GB18030) CSV")
    if is_utf8:
        return Sniff(digest, size, "csv", "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8")
    return Sniff(digest, size, "csv", "gb18030")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class CsvRows:
    """Header and data rows of a CSV file, streamed; ``line`` is the start line of the last row."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self._fh = open(path, encoding=encoding, errors="strict", newline="")  # noqa: SIM115
        try:
            first = self._fh.readline()
        except UnicodeDecodeError as exc:
            self._fh.close()
            raise Refused(_decode_message(encoding, exc)) from None
        delim = _delimiter(first)
        self._fh.seek(0)
        self._reader = csv.reader(self._fh, delimiter=delim)
        self.delimiter = delim

    def header(self) -> list[str]:
        try:
            return next(self._reader)
        except StopIteration:
            raise Refused("empty file: there is no header row; re-export the file") from None
        except UnicodeDecodeError as exc:
            raise Refused(_decode_message(self.encoding, exc)) from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        prev = reader.line_num
        try:
            for row in reader:
                yield prev + 1, row
                prev = reader.line_num
        except UnicodeDecodeError as exc:
            raise Refused(_decode_message(self.encoding, exc, after_line=prev)) from None
        except csv.Error as exc:
            raise Refused(f"CSV is malformed near line {prev + 1}: {exc}; check quotes in that line") from None

    def chunks(self, size: int) -> Iterator[tuple[list[list[str]], Sequence[int]]]:
        """Rows in lists of up to ``size`` with the line each starts on.

        The csv module is driven at C speed (``islice``); only a chunk in which some row spans
        several lines (a line break inside a quoted value) has its start lines computed row by row.
        """
        reader = self._reader
        take = itertools.islice
        try:
            while True:
                before = reader.line_num
                rows = list(take(reader, size))
                if not rows:
                    return
                if reader.line_num - before == len(rows):
                    yield rows, range(before + 1, before + 1 + len(rows))
                else:
                    yield rows, _start_lines(rows, before, reader.line_num)
        except UnicodeDecodeError as exc:
            raise Refused(_decode_message(self.encoding, exc, after_line=reader.line_num)) from None
        except csv.Error as exc:
            raise Refused(f"CSV is malformed near line {reader.line_num}: {exc}; check quotes in that line"
                          ) from None

    def close(self) -> None:
        self._fh.close()


def _start_lines(rows: list[list[str]], before: int, after: int) -> list[int]:
    """Start line of each row when some rows span several lines.

    A row takes one line plus one for every line break kept inside its quoted values (the file is
    read with ``newline=""``, so a break is CR LF, CR or LF exactly as the csv module saw the line
    end).
    """
    out: list[int] = []
    line = before + 1
    for row in rows:
        out.append(line)
        line += 1
        for v in row:
            if "\n" in v or "\r" in v:
                line += v.count("\n") + v.count("\r") - v.count("\r\n")
    if line != after + 1:  # cannot happen with the csv module; never report wrong lines silently
        raise Refused(f"cannot tell the line numbers of rows {before + 1}..{after}: line breaks inside quoted "
                      "values are mixed in an unusual way; save the file with one kind of line break")
    return out


def _decode_message(encoding: str, exc: UnicodeDecodeError, after_line: int | None = None) -> str:
    where = f" after line {after_line}" if after_line is not None else ""
    bad = exc.object[exc.start : exc.start + 4].hex(" ") if isinstance(exc.object, bytes | bytearray) else "?"
    return (
        f"wrong encoding: the file is neither UTF-8 nor GB18030 (bytes {bad}{where} are invalid in "
        f"{encoding}); save it as UTF-8 or GB18030 CSV"
    )


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


class XlsxRows:
    """Header and data rows of the first sheet of a workbook, streamed (openpyxl read-only)."""

    encoding = "xlsx"

    def __init__(self, path: Path) -> None:
        import openpyxl

        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise Refused(f"cannot open the workbook ({exc}); re-save it as .xlsx") from None
        if not self._wb.worksheets:
            raise Refused("the workbook has no sheet")
        self._it = enumerate(self._wb.worksheets[0].iter_rows(values_only=True), start=1)

    def header(self) -> list[str]:
        for _line, row in self._it:
            cells = [_cell(v) for v in row]
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                raise Refused("row 1 of the first sheet is empty; put the header row in row 1 of the first sheet")
            return cells
        raise Refused("empty workbook: the first sheet has no header row; put the header in row 1")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        for line, row in self._it:
            yield line, [_cell(v) for v in row]

    def chunks(self, size: int) -> Iterator[tuple[list[list[str]], Sequence[int]]]:
        it = self.rows()
        while batch := list(itertools.islice(it, size)):
            yield [r for _, r in batch], [ln for ln, _ in batch]

    def close(self) -> None:
        self._wb.close()


def open_rows(path: Path, s: Sniff) -> CsvRows | XlsxRows:
    if s.kind == "xlsx":
        return XlsxRows(path)
    assert s.encoding
    return CsvRows(path, s.encoding)


def feed_hint(path: Path) -> str | None:
    """The feed named by a file's header row, read cheaply (to schedule parallel imports only).

    None when it cannot be told; the import itself then decides, and says why.
    """
    from innopoints.importer.headers import recognise

    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            src: CsvRows | XlsxRows = XlsxRows(path)
        else:
            with open(path, "rb") as fh:
                head = fh.read(1 << 16)
            try:
                codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
                encoding = "utf-8-sig"
            except UnicodeDecodeError:
                encoding = "gb18030"
            src = CsvRows(path, encoding)
        try:
            return recognise(src.header()).feed.name
        finally:
            src.close()
    except Exception:  # only a hint: any problem is reported by the import of the file
        return None
