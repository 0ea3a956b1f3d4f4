"""Objections to a publicity list (异议) and their review (复核).

An objection names an enterprise on a publicity list, the indicator or feed field it disputes, what is
claimed, the evidence handed in and the date it was received; one received outside the publicity
period is refused (PostgreSQL refuses it too). Each objection is decided once, with a reason:
rejected, or accepted with its correction: a corrected delivery of the feed (an import batch that
holds the enterprise's rows), or a recorded adjustment of one field of one feed row (old value, new
value, reason, approver, evidence) that the scores read on top of the feed's latest delivery
(intermediate.int_feeds__<feed>). Nothing is ever edited:
objections, decisions and adjustments are append-only rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from innopoints import db
from innopoints.errors import InnopointsError, PublicationRefused, UsageError
from innopoints.feeds import FEEDS


class ObjectionRefused(PublicationRefused):
    """An objection or a decision cannot be recorded as asked; nothing was written."""


class UnknownSubject(ObjectionRefused):
    """The indicator an objection names is not one the enterprise was scored on."""


@dataclass(frozen=True)
class Subject:
    indicator_code: str | None = None
    feed: str | None = None
    field: str | None = None

    @classmethod
    def parse(cls, text: str) -> Subject:
        """`C03` (an indicator code) or `tax.rd_super_deduction` (a scoring feed's field)."""
        text = text.strip()
        if "." in text:
            feed, field = text.split(".", 1)
            _check_field(feed, field)
            return cls(feed=feed, field=field)
        return cls(indicator_code=text)


def _check_field(feed: str, field: str) -> None:
    f = FEEDS.get(feed)
    if f is None or f.purpose != "scoring":
        scoring = ", ".join(n for n, x in FEEDS.items() if x.purpose == "scoring")
        raise UsageError(f"{feed!r} is not a scoring feed (不是评分数据源); scoring feeds: {scoring}")
    names = [x.name for x in f.fields]
    if field not in names:
        raise UsageError(f"feed {feed} has no field {field!r} (无此字段); fields: {', '.join(names)}")
    if field in f.key:
        raise UsageError(f"{feed}.{field} is part of the row's key (主键字段): a wrong key is corrected by "
                         "re-delivering the feed, not by an adjustment")


def record(publication_id: int, uscc: str, subject: Subject, claim_zh: str, evidence_ref: str,
           received_on: date, source: tuple[str, int] | None = None, conn: Any = None) -> int:
    """Record one objection; its id, or ObjectionRefused saying why."""
    if not claim_zh.strip() or not evidence_ref.strip():
        raise UsageError("异议内容和证明材料编号不能为空 (the claim and the evidence reference are required)")
    own = conn is None
    conn = conn or db.connect(db.PUBLISHER)
    try:
        pub = conn.execute("select kind, opens_on, closes_on from audit.publications where publication_id = %s",
                           (publication_id,)).fetchone()
        if pub is None or pub[0] != "publicity":
            raise ObjectionRefused(f"发布编号 {publication_id} 不是公示名单 (not a publicity list): "
                                   "see `innopoints publish --list`")
        if received_on > pub[2]:
            raise ObjectionRefused(
                f"异议收到日期 {received_on:%Y-%m-%d} 晚于公示截止日 {pub[2]:%Y-%m-%d}，不予受理 (received after the "
                f"publicity period closed on {pub[2]:%Y-%m-%d}: refused); tell the enterprise it may raise it in "
                "the next evaluation year")
        if received_on < pub[1]:
            raise ObjectionRefused(f"异议收到日期 {received_on:%Y-%m-%d} 早于公示开始日 {pub[1]:%Y-%m-%d} "
                                   "(received before the period opened): check the date")
        if conn.execute("select 1 from audit.publication_scores where publication_id = %s and uscc = %s",
                        (publication_id, uscc)).fetchone() is None:
            raise ObjectionRefused(f"企业 {uscc} 不在公示名单 {publication_id} 中 (not on the publicity list): "
                                   "check the USCC")
        if subject.indicator_code is not None and conn.execute(
                "select 1 from audit.publication_indicator_points "
                "where publication_id = audit.indicator_rows_id(%s) and uscc = %s and indicator_code = %s",
                (publication_id, uscc, subject.indicator_code)).fetchone() is None:
            raise UnknownSubject(f"指标 {subject.indicator_code} 不在该企业的评价指标中 (not an indicator of "
                                   f"{uscc} on list {publication_id}): give an indicator code or feed.field")
        oid = conn.execute(
            "insert into audit.objections (publication_id, uscc, indicator_code, feed, field, claim_zh, "
            "evidence_ref, received_on, source_file, source_line) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "returning objection_id",
            (publication_id, uscc, subject.indicator_code, subject.feed, subject.field, claim_zh.strip(),
             evidence_ref.strip(), received_on, source[0] if source else None, source[1] if source else None),
        ).fetchone()[0]
        if own:
            conn.commit()
        return int(oid)
    finally:
        if own:
            conn.close()


# The officers' objection form (异议登记表): one objection per row, these headers, CSV (UTF-8) or XLSX.
FORM_COLUMNS = {
    "uscc": "统一社会信用代码",
    "subject": "异议指标或字段",
    "claim_zh": "异议内容",
    "evidence_ref": "证明材料编号",
    "received_on": "收到日期",
}


@dataclass(frozen=True)
class FormProblem:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


def _read_form(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True, data_only=True).active
        rows = [["" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)) for v in r]
                for r in ws.iter_rows(values_only=True)]
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    if not rows:
        raise UsageError(f"{path}: empty form (空表)")
    header = [h.strip() for h in rows[0]]
    missing = [zh for zh in FORM_COLUMNS.values() if zh not in header]
    if missing:
        raise UsageError(f"{path}:1: missing column(s) {', '.join(missing)} (缺少列); the form's columns are "
                         f"{', '.join(FORM_COLUMNS.values())}")
    idx = {k: header.index(zh) for k, zh in FORM_COLUMNS.items()}
    return [{k: (r[i].strip() if i < len(r) and r[i] is not None else "") for k, i in idx.items()}
            for r in rows[1:] if any(str(c).strip() for c in r)]


def import_form(path: Path, publication_id: int) -> list[int]:
    """Record every objection of an officers' form, all or none: any bad row refuses the whole file with
    every problem listed (file, line, field, reason), and nothing is written."""
    rows = _read_form(path)
    problems: list[FormProblem] = []
    ids: list[int] = []
    with db.connect(db.PUBLISHER) as conn:
        try:
            with conn.transaction():  # the whole form: committed only when every row is good
                for n, row in enumerate(rows, start=2):
                    problem = _record_row(conn, path, publication_id, n, row, ids)
                    if problem is not None:
                        problems.append(problem)
                if problems:
                    raise _FormRefused
        except _FormRefused:
            raise UsageError("异议登记表未导入 (form not imported, nothing recorded):\n  "
                             + "\n  ".join(map(str, problems)) + "\nfix these rows and import the file again") from None
    return ids


class _FormRefused(Exception):  # control flow: roll the whole form back
    pass


def _record_row(conn: Any, path: Path, publication_id: int, n: int, row: dict[str, str],
                ids: list[int]) -> FormProblem | None:
    """Record one row of a form inside the form's transaction (a savepoint each), or say what is wrong."""
    try:
        received = date.fromisoformat(row["received_on"])
    except ValueError:
        return FormProblem(path.name, n, FORM_COLUMNS["received_on"],
                           f"{row['received_on']!r} is not a date YYYY-MM-DD (日期格式)")
    try:
        subject = Subject.parse(row["subject"])
    except UsageError as exc:
        return FormProblem(path.name, n, FORM_COLUMNS["subject"], str(exc))
    try:
        with conn.transaction():
            ids.append(record(publication_id, row["uscc"], subject, row["claim_zh"], row["evidence_ref"],
                              received, source=(path.name, n), conn=conn))
    except UnknownSubject as exc:
        return FormProblem(path.name, n, FORM_COLUMNS["subject"], str(exc))
    except (InnopointsError, psycopg.Error) as exc:
        return FormProblem(path.name, n, FORM_COLUMNS["uscc"], str(exc).splitlines()[0])
    return None


def _objection(conn: Any, objection_id: int) -> tuple[Any, ...]:
    row = conn.execute(
        "select o.publication_id, o.uscc, o.received_on, d.decision from audit.objections as o "
        "left join audit.objection_decisions as d on d.objection_id = o.objection_id "
        "where o.objection_id = %s", (objection_id,)).fetchone()
    if row is None:
        raise ObjectionRefused(f"没有异议 #{objection_id} (no such objection): see `innopoints objection list`")
    if row[3] is not None:
        raise ObjectionRefused(f"异议 #{objection_id} 已复核 ({row[3]}) (already decided): a decision is final")
    return row


def reject(objection_id: int, reason_zh: str, decided_on: date) -> None:
    with db.connect(db.PUBLISHER) as conn:
        _objection(conn, objection_id)
        conn.execute("insert into audit.objection_decisions (objection_id, decision, reason_zh, decided_on) "
                     "values (%s, 'rejected', %s, %s)", (objection_id, _reason(reason_zh), decided_on))
        conn.commit()


def accept_redelivery(objection_id: int, reason_zh: str, decided_on: date, batch_id: int) -> None:
    """Accept with a corrected delivery: the import batch must be a scoring feed's and hold the
    enterprise's rows."""
    with db.connect(db.PUBLISHER) as conn:
        _pub, uscc, _received, _ = _objection(conn, objection_id)
        batch = conn.execute("select feed from audit.import_batches where batch_id = %s", (batch_id,)).fetchone()
        if batch is None:
            raise ObjectionRefused(f"没有导入批次 {batch_id} (no such import batch): import the corrected file "
                                   "with `innopoints import FILE` and give the batch it prints")
        if FEEDS.get(batch[0]) is None or FEEDS[batch[0]].purpose != "scoring":
            raise ObjectionRefused(f"批次 {batch_id} 是 {batch[0]} 数据，不是评分数据源 (not a scoring feed)")
        rows = conn.execute("select audit.batch_rows_of(%s, %s)", (batch_id, uscc)).fetchone()[0]
        if not rows:
            raise ObjectionRefused(f"批次 {batch_id} ({batch[0]}) 中没有企业 {uscc} 的数据 (the batch holds no row "
                                   "of the enterprise): was the right file imported?")
        conn.execute(
            "insert into audit.objection_decisions (objection_id, decision, correction, reason_zh, decided_on, "
            "redelivery_batch_id) values (%s, 'accepted', 'redelivery', %s, %s, %s)",
            (objection_id, _reason(reason_zh), decided_on, batch_id))
        conn.commit()


def accept_adjustment(objection_id: int, reason_zh: str, decided_on: date, feed: str, field: str,
                      key: dict[str, str], new_value: str | None, approver: str, evidence_ref: str) -> int:
    """Accept with a recorded adjustment of feed.field on the row `key` (the enterprise's USCC fills a
    `uscc` key part); the old value is the one the scores used (the feed as corrected, as of the last
    build). Returns the adjustment id."""
    _check_field(feed, field)
    if not approver.strip() or not evidence_ref.strip():
        raise UsageError("审批人和证明材料编号不能为空 (approver and evidence are required)")
    with db.connect(db.PUBLISHER) as conn:
        _pub, uscc, _received, _ = _objection(conn, objection_id)
        key = {"uscc": uscc, **key} if "uscc" in FEEDS[feed].key else dict(key)
        missing = [k for k in FEEDS[feed].key if k not in key]
        if missing:
            raise UsageError(f"{feed} rows are keyed by {', '.join(FEEDS[feed].key)}: give --key "
                             + " ".join(f"{k}=…" for k in missing))
        key_text = "|".join(str(key[k]).strip() for k in FEEDS[feed].key)
        try:
            found, old = conn.execute("select found, value from audit.feed_value(%s, %s, %s, %s, %s)",
                                      (feed, list(FEEDS[feed].key), key_text, field, new_value)).fetchone()
        except (psycopg.errors.InvalidTextRepresentation, psycopg.errors.DatetimeFieldOverflow,
                psycopg.errors.NumericValueOutOfRange, psycopg.errors.InvalidDatetimeFormat) as exc:
            conn.rollback()
            raise UsageError(f"{new_value!r} is not a valid value of {feed}.{field} (更正值格式不对): "
                             f"{exc.diag.message_primary}") from exc
        if not found:
            raise ObjectionRefused(f"{feed} 没有主键为 {key_text} 的数据行 (no such row): a missing row is corrected "
                                   "by re-delivering the feed (accept with --redelivery BATCH)")
        adj = conn.execute(
            "insert into audit.score_adjustments (objection_id, feed, key_text, uscc, field, old_value, new_value, "
            "reason_zh, approver, evidence_ref) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "returning adjustment_id",
            (objection_id, feed, key_text, uscc, field, old, new_value, _reason(reason_zh), approver.strip(),
             evidence_ref.strip())).fetchone()[0]
        conn.execute("insert into audit.objection_decisions (objection_id, decision, correction, reason_zh, "
                     "decided_on) values (%s, 'accepted', 'adjustment', %s, %s)",
                     (objection_id, _reason(reason_zh), decided_on))
        conn.commit()
        return int(adj)


def _reason(text: str) -> str:
    if not text.strip():
        raise UsageError("复核意见不能为空 (a decision needs a reason)")
    return text.strip()


def list_objections(publication_id: int | None = None) -> list[tuple[Any, ...]]:
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        return conn.execute(
            "select o.objection_id, o.publication_id, o.uscc, coalesce(o.indicator_code, o.feed || '.' || o.field), "
            "o.received_on, coalesce(d.decision, 'open'), d.correction, d.decided_on, o.claim_zh "
            "from audit.objections as o left join audit.objection_decisions as d using (objection_id) "
            "where %s::bigint is null or o.publication_id = %s order by o.objection_id",
            (publication_id, publication_id)).fetchall()
