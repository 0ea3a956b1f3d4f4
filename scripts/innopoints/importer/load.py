"""Import files into raw.<feed>: recognise, convert, check, quarantine, COPY, one transaction per file."""

from __future__ import annotations

import datetime as dt
import gc
import getpass
import multiprocessing
import queue
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import IO

import numpy as np
import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from innopoints import db
from innopoints.importer.convert import NULL, Bad, Converter, converter_for, copy_escape
from innopoints.importer.fastcols import fast_for
from innopoints.importer.headers import FeedMatch, Unrecognised, recognise
from innopoints.importer.keys import KeyIndex
from innopoints.importer.report import FileReport, ImportReport
from innopoints.importer.sources import (
    CsvRows,
    Refused,
    Sniff,
    XlsxRows,
    feed_hint,
    list_files,
    open_rows,
    sniff,
)

CHUNK_ROWS = 20_000
WRITE_QUEUE = 64
MAX_VALUE_CHARS = 200
BATCH_SEQ = "audit.import_batches_batch_id_seq"


def _clip(s: str) -> str:
    s = s if len(s) <= MAX_VALUE_CHARS else s[: MAX_VALUE_CHARS - 1] + "…"
    return copy_escape(s.replace("\x00", ""))


class _Quarantine:
    """Quarantined rows of one file, spooled to disk as COPY text until the batch row exists."""

    def __init__(self, feed: str, file_name: str) -> None:
        self._spool: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close())
            max_size=8 << 20, mode="w+", encoding="utf-8")
        self._prefix = f"{copy_escape(feed)}\t{copy_escape(file_name)}\t"
        self.count = 0

    def add(self, line: int, field: str | None, value: str | None, reason: str) -> None:
        self.count += 1
        self._spool.write(
            f"{self._prefix}{line}\t{NULL if field is None else copy_escape(field)}\t"
            f"{NULL if value is None else _clip(value)}\t{_clip_reason(reason)}\n"
        )

    def copy_into(self, cur: psycopg.Cursor, batch_id: int) -> None:
        if not self.count:
            return
        self._spool.seek(0)
        bid = f"{batch_id}\t"
        with cur.copy(
            "copy audit.quarantine (batch_id, feed, file_name, line, field, value, reason) from stdin"
        ) as cp:
            buf: list[str] = []
            for ln in self._spool:
                buf.append(bid + ln)
                if len(buf) >= CHUNK_ROWS:
                    cp.write("".join(buf))
                    buf.clear()
            if buf:
                cp.write("".join(buf))

    def close(self) -> None:
        self._spool.close()


def _clip_reason(reason: str) -> str:
    return copy_escape(reason if len(reason) <= 1000 else reason[:999] + "…")


class _FileLoad:
    """Streams one recognised file into its raw table inside the caller's transaction."""

    def __init__(self, match: FeedMatch, width: int, file_name: str, today: dt.date, pad_short: bool) -> None:
        self.match = match
        self.feed = match.feed
        self.width = width
        self.pad_short = pad_short
        self.cols: list[tuple[int, Converter]] = [
            (c.index, converter_for(self.feed, c.field, c.factor, today)) for c in match.columns
        ]
        self.fast = [fast_for(c, conv) for c, (_, conv) in zip(match.columns, self.cols, strict=True)]
        names = [c.field.name for c in match.columns]
        self.key_pos = [names.index(k) for k in self.feed.key]
        self.key_names = self.feed.key
        self.quarantine = _Quarantine(self.feed.name, file_name)
        self.report_reasons: dict[str, int] = {}
        self.read = 0
        self.loaded = 0
        self.blank = 0

    def copy_statement(self) -> sql.Composed:
        cols = [c.field.name for c in self.match.columns] + ["_batch_id", "_line"]
        return sql.SQL("copy raw.{} ({}) from stdin").format(
            sql.Identifier(self.feed.name), sql.SQL(", ").join(map(sql.Identifier, cols))
        )

    def _bad(self, line: int, field: str | None, value: str | None, category: str, reason: str) -> None:
        self.quarantine.add(line, field, value, reason)
        self.report_reasons[category] = self.report_reasons.get(category, 0) + 1

    def _diagnose(self, line: int, row: list[str]) -> None:
        """Slow path for a row that failed: record every problem of the row in one quarantine entry."""
        problems: list[tuple[str, str, Bad]] = []
        for (idx, conv), col in zip(self.cols, self.match.columns, strict=True):
            raw = row[idx] if idx < len(row) else ""
            try:
                conv(raw)
            except Bad as exc:
                problems.append((col.field.name, raw, exc))
        if not problems:  # cannot happen: the fast path raised Bad for some column
            self._bad(line, None, ",".join(row), "unreadable row", "row could not be converted")
            return
        fname, raw, exc = problems[0]
        reason = exc.message
        if len(problems) > 1:
            reason += "; also " + "; ".join(f"{p[0]}: {p[2].message}" for p in problems[1:])
        self._bad(line, fname, raw, f"{fname}: {exc.category}", reason)

    def run(self, rows: CsvRows | XlsxRows, write: Callable[[str], None], batch_id: int) -> None:
        """Read rows in chunks, convert column by column, quarantine bad rows, write COPY text."""
        keys = KeyIndex()
        bid = str(batch_id)
        width = self.width
        with _no_gc():  # millions of short-lived row lists: the cyclic GC would only rescan them
            for chunk, lines in rows.chunks(CHUNK_ROWS):
                if len(set(map(len, chunk))) > 1 or len(chunk[0]) != width:
                    chunk, lines = self._fit_widths(chunk, lines)
                    if not chunk:
                        continue
                self._chunk(chunk, lines, keys, bid, write)

    def _fit_widths(self, chunk: list[list[str]], lines: Sequence[int]) -> tuple[list[list[str]], list[int]]:
        """Rows whose number of fields is not the header's: blank lines are skipped, short XLSX rows
        padded, trailing empty fields dropped; any other row is quarantined."""
        width = self.width
        rows: list[list[str]] = []
        kept: list[int] = []
        for row, line in zip(chunk, lines, strict=True):
            if len(row) != width:
                if not any(c.strip() for c in row):
                    self.blank += 1
                    continue
                if len(row) < width and self.pad_short:
                    row = row + [""] * (width - len(row))
                elif len(row) > width and not any(c.strip() for c in row[width:]):
                    row = row[:width]
                else:
                    self.read += 1
                    self._bad(line, None, ",".join(row), "wrong number of fields",
                              f"row has {len(row)} fields but the header has {width}; check for an "
                              "unquoted comma, a missing separator or a line break inside a value")
                    continue
            rows.append(row)
            kept.append(line)
        return rows, kept

    def _chunk(self, chunk: list[list[str]], lines: Sequence[int], keys: KeyIndex, bid: str,
               write: Callable[[str], None]) -> None:
        """Convert one chunk column by column and write its good rows as one block of COPY text.

        Everything per row runs in C (zip, map, str.join, numpy); Python loops only over bad rows.
        """
        columns = list(zip(*chunk, strict=True))
        bad: set[int] = set()
        out_cols: list[Sequence[str]] = []
        for (idx, conv), fast in zip(self.cols, self.fast, strict=True):
            col = columns[idx]
            res = fast(col)
            if res is None:
                vals: list[str] = []
                for i, v in enumerate(col):
                    try:
                        vals.append(conv(v))
                    except Bad:
                        vals.append(NULL)
                        bad.add(i)
            else:
                vals, failed = res  # type: ignore[assignment]
                bad.update(failed)
            out_cols.append(vals)
        n = len(chunk)
        if bad:
            for i in sorted(bad):
                if not any(c.strip() for c in chunk[i]):
                    self.blank += 1
                    continue
                self.read += 1
                self._diagnose(lines[i], chunk[i])
            keep = [i for i in range(n) if i not in bad]
            self.read += len(keep)
            if not keep:
                return
            pick = itemgetter(*keep)
            if len(keep) == 1:
                out_cols = [[c[keep[0]]] for c in out_cols]
                lines = [lines[keep[0]]]
            else:
                out_cols = [pick(c) for c in out_cols]
                lines = pick(lines)
        else:
            self.read += n
        key_pos = self.key_pos
        m = len(lines)
        if len(key_pos) == 1:
            hashed = map(hash, out_cols[key_pos[0]])
        else:
            hashed = map(hash, zip(*(out_cols[p] for p in key_pos), strict=True))
        firsts = keys.resolve(np.fromiter(hashed, dtype=np.int64, count=m), lines)
        if firsts is not None:
            dups = np.flatnonzero(firsts).tolist()
            kdesc = ", ".join(self.key_names)
            for i in dups:
                key = ", ".join(out_cols[p][i] for p in key_pos)
                self._bad(lines[i], kdesc, key, "duplicate key",
                          f"duplicate key ({kdesc}) = ({key}): already on line {int(firsts[i])} of this file; "
                          "keep one row per key (the later occurrence was quarantined)")
            dupset = set(dups)
            keep = [i for i in range(m) if i not in dupset]
            if not keep:
                return
            out_cols = [[c[i] for i in keep] for c in out_cols]
            lines = [lines[i] for i in keep]
            m = len(keep)
        write("\n".join(map("\t".join, zip(*out_cols, repeat(bid, m), map(str, lines), strict=True))) + "\n")
        self.loaded += m


class _BoundedWriter(QueuedLibpqWriter):
    """psycopg's queued COPY writer with a short queue: when PostgreSQL is the slower side, at most
    WRITE_QUEUE blocks (of up to 128 KiB) wait in memory instead of psycopg's 1024."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        super().__init__(cursor)
        self._queue = queue.Queue(maxsize=WRITE_QUEUE)


@contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _record_refusal(conn: psycopg.Connection, rep: FileReport, sha: str | None) -> None:
    try:
        with conn.transaction():
            conn.execute(
                "insert into audit.import_refusals (file_name, content_sha256, reason) values (%s, %s, %s)",
                (rep.file, sha, rep.reason),
            )
    except psycopg.Error as exc:  # the refusal itself is still reported and makes the exit non-zero
        rep.reason = f"{rep.reason} (and recording the refusal failed: {exc})"


def import_file(conn: psycopg.Connection, path: Path, file_name: str, today: dt.date) -> FileReport:
    rep = FileReport(file=file_name, path=path)
    t0 = time.perf_counter()
    sha: str | None = None
    src: CsvRows | XlsxRows | None = None
    try:
        sn: Sniff = sniff(path)
        sha = sn.sha256
        src = open_rows(path, sn)
        rep.encoding = src.encoding
        header = src.header()
        try:
            match = recognise(header)
        except Unrecognised as exc:
            raise Refused(str(exc)) from None
        rep.feed = match.feed.name
        rep.ignored_columns = match.ignored
        prior = conn.execute(
            "select batch_id, loaded_at from audit.import_batches where feed = %s and content_sha256 = %s",
            (match.feed.name, sha),
        ).fetchone()
        conn.commit()
        if prior:
            rep.status = "skipped"
            rep.batch_id = prior[0]
            rep.reason = (f"内容相同的文件已于 {prior[1]:%Y-%m-%d %H:%M} 导入为批次 {prior[0]}，本次未导入 "
                          f"(already imported as batch {prior[0]}, same content)")
            return rep
        fl = _FileLoad(match, len(header), file_name, today, pad_short=isinstance(src, XlsxRows))
        try:
            with conn.transaction(), conn.cursor() as cur:
                batch_id = cur.execute("select nextval(%s::regclass)", (BATCH_SEQ,)).fetchone()[0]  # type: ignore[index]
                # the rows are sent by psycopg's writer thread (the GIL is released while it waits
                # on the socket) while this thread parses the next chunk: PostgreSQL's COPY runs on
                # the other core
                with cur.copy(fl.copy_statement(), writer=_BoundedWriter(cur)) as cp:
                    fl.run(src, cp.write, batch_id)
                cur.execute(
                    "insert into audit.import_batches (batch_id, feed, file_name, content_sha256, rows_read,"
                    " rows_loaded, rows_quarantined, encoding, os_user) overriding system value"
                    " values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (batch_id, match.feed.name, file_name, sha, fl.read, fl.loaded, fl.quarantine.count,
                     rep.encoding, _os_user()),
                )
                fl.quarantine.copy_into(cur, batch_id)
        except psycopg.errors.UniqueViolation:
            rep.status = "skipped"
            rep.reason = ("同时进行的另一次导入已先导入相同内容，本次未导入 "
                          "(already imported by another import that finished first)")
            return rep
        finally:
            fl.quarantine.close()
        rep.status = "loaded"
        rep.batch_id = batch_id
        rep.rows_read, rep.rows_loaded, rep.rows_quarantined = fl.read, fl.loaded, fl.quarantine.count
        rep.blank_lines = fl.blank
        rep.reasons = Counter(fl.report_reasons)
        return rep
    except Refused as exc:
        rep.reason = str(exc)
    except (psycopg.OperationalError, psycopg.errors.InsufficientPrivilege):
        raise
    except Exception as exc:  # nothing of the file stays: its transaction was rolled back
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        rep.reason = (f"import failed and was rolled back, nothing of this file was loaded: "
                      f"{type(exc).__name__}: {exc}")
    finally:
        if src is not None:
            src.close()
        rep.seconds = time.perf_counter() - t0
    rep.status = "refused"
    rep.rows_read = rep.rows_loaded = rep.rows_quarantined = 0
    _record_refusal(conn, rep, sha)
    return rep


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def import_path(
    path: Path | str, *, today: dt.date | None = None, progress: Callable[[FileReport], None] | None = None,
    jobs: int = 1,
) -> ImportReport:
    """Import a folder (recursively, sorted) or one file; returns what happened per file.

    Connects as innopoints_loader. Never raises for bad input: refused files are in the report
    (and in audit.import_refusals); it raises only when the warehouse itself is unreachable.

    ``jobs`` > 1 imports that many feeds at once, each in a process of its own (parsing is
    CPU-bound Python): the files of one feed still go one after another in sorted order, so batch
    ids, and with them which delivery is newest, are the same as with ``jobs=1``. Each file stays
    one transaction. The report lists the files in sorted order.
    """
    path = Path(path)
    root, files = list_files(path)
    today = today or dt.date.today()
    report = ImportReport()
    t0 = time.perf_counter()
    named = [(p, p.relative_to(root).as_posix() if path.is_dir() else p.name) for p in files]
    groups = _feed_groups(named) if jobs > 1 else []
    if len(groups) > 1:
        done = _import_parallel(groups, today, progress, jobs)
        order = {name: i for i, (_, name) in enumerate(named)}
        report.files = sorted(done, key=lambda r: order[r.file])
    else:
        report.files = _import_files(named, today, progress)
    report.seconds = time.perf_counter() - t0
    return report


def _import_files(named: list[tuple[Path, str]], today: dt.date,
                  progress: Callable[[FileReport], None] | None = None) -> list[FileReport]:
    out: list[FileReport] = []
    with db.connect(db.LOADER) as conn:
        conn.execute("set application_name = 'innopoints import'")
        conn.commit()
        for p, name in named:
            rep = import_file(conn, p, name, today)
            out.append(rep)
            if progress:
                progress(rep)
    return out


def _feed_groups(named: list[tuple[Path, str]]) -> list[list[tuple[Path, str]]]:
    """Files grouped by feed (from the header row), each group in sorted order, largest first.

    A file whose feed cannot be told here is a group of its own; import_file then refuses it with
    the full reason.
    """
    groups: dict[str, list[tuple[Path, str]]] = {}
    for p, name in named:
        feed = feed_hint(p)
        groups.setdefault(feed or f"?{name}", []).append((p, name))
    return sorted(groups.values(), key=lambda g: -sum(_size(p) for p, _ in g))


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _import_group(named: list[tuple[Path, str]], today: dt.date) -> list[FileReport]:
    """Run in a worker process: one feed's files, in order, on a connection of its own."""
    return _import_files(named, today)


def _import_parallel(groups: list[list[tuple[Path, str]]], today: dt.date,
                     progress: Callable[[FileReport], None] | None, jobs: int) -> list[FileReport]:
    done: list[FileReport] = []
    # spawn, not fork: the caller may hold connections and threads that a forked child must not share
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(groups)), mp_context=ctx) as pool:
        futures = [pool.submit(_import_group, g, today) for g in groups]
        try:
            for fut in as_completed(futures):
                for rep in fut.result():
                    done.append(rep)
                    if progress:
                        progress(rep)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return done
