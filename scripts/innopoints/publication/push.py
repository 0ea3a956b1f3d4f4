"""`innopoints push`: the 科技型企业积分情况表 of one publication for one partner bank.

Only enterprises whose consent (企业授权) to that bank is in force on the push date are in it:
``granted_date <= date and (revoked_date is null or revoked_date > date)``, read from the latest
delivery of each (uscc, bank) in raw.consents, so a revocation counts from the moment it is
imported (no rebuild needed). Written as XLSX (cover sheet 封面 + the table) and CSV (UTF-8 with
BOM, for Excel), both guarded against formula injection (OWASP "CSV Injection"); numbers stay numbers:

- CSV: a text field that a spreadsheet could take for a formula gets a leading apostrophe
  (``innopoints.spreadsheet``); every text field is quoted.
- XLSX: text cells are typed as text (``innopoints.spreadsheet.type_text``), so Excel and LibreOffice
  show the name exactly as written, without an apostrophe, and never evaluate it.

The files are written atomically and readable by their owner only (0600; a folder created here 0700).
Every push is recorded in audit.bank_pushes / bank_push_enterprises with the files' sha256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from innopoints import db, statefile
from innopoints.errors import PushError
from innopoints.publication.publish import pause_point
from innopoints.spreadsheet import StreamedRows, looks_like_formula, safe_text, typed_cells

__all__ = ["PushError", "PushResult", "build_csv", "build_xlsx", "looks_like_formula", "push", "safe_text"]

TITLE = "科技型企业积分情况表"
TZ = ZoneInfo("Asia/Shanghai")
# text columns of the table (typed as text in the XLSX); the others are numbers
TEXT_COLUMNS = frozenset({"uscc", "enterprise_name", "city_name_zh", "stage_name_zh", "grade", "grade_label_zh",
                          "veto"})

BASE_COLUMNS: list[tuple[str, str]] = [
    ("rank_in_region", "排名"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("city_name_zh", "所属地市"),
    ("stage_name_zh", "企业阶段"),
    ("total_points", "创新积分"),
    ("max_points", "满分"),
    ("grade", "等级"),
    ("grade_label_zh", "等级说明"),
    ("evaluated_in_region", "参评企业数"),
    ("top_share", "排名百分位"),
    ("points_to_next_grade", "距上一等级差分"),
    ("veto", "一票否决"),
]


@dataclass(frozen=True)
class PushResult:
    push_id: int
    bank_code: str
    publication_id: int
    push_date: date
    n_enterprises: int
    xlsx: Path
    csv: Path
    xlsx_sha256: str
    csv_sha256: str


def today() -> date:
    return datetime.now(TZ).date()


# the rule lives in the database (access.consents_in_force), shared with the banks' row-level security
CONSENTS_IN_FORCE = "select uscc from access.consents_in_force(%(bank)s, %(date)s) as uscc"


# a publication's categories, by (server, database and its oid, publication): its rows never change,
# and one run pushes each final list to several banks (a database dropped and created again under the
# same name has another oid)
_CATEGORIES: dict[tuple[str, int, str, int, int], list[tuple[str, str]]] = {}


def _categories(conn: Any, publication_id: int) -> list[tuple[str, str]]:
    """The score categories of a publication's indicator rows, in display order: (code, name)."""
    db_oid = conn.execute("select oid from pg_database where datname = current_database()").fetchone()[0]
    key = (conn.info.host, conn.info.port, conn.info.dbname, int(db_oid), publication_id)
    if key not in _CATEGORIES:
        _CATEGORIES[key] = [tuple(r) for r in conn.execute(
            "select category_code, max(category_name_zh) from audit.publication_indicator_points "
            "where publication_id = audit.indicator_rows_id(%s) "
            "group by category_code order by min(display_order), category_code",
            (publication_id,))]
    return _CATEGORIES[key]


def _rows(conn: Any, publication_id: int, bank: str, on: date) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    cur = conn.execute(
        f"""
        with consented as ({CONSENTS_IN_FORCE})
        select s.*
        from audit.publication_scores as s
        join consented as c on c.uscc = s.uscc
        where s.publication_id = %(pub)s
        order by s.is_vetoed, s.rank_in_region nulls last, s.uscc
        """, {"bank": bank, "date": on, "pub": publication_id})
    names = [d.name for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    cats = _categories(conn, publication_id)
    # the pushed enterprises' rows only, found by the key (publication, uscc): a bank holds a few
    # percent of a national list
    points = conn.execute(
        "select uscc, category_code, sum(points), sum(weight) from audit.publication_indicator_points "
        "where publication_id = audit.indicator_rows_id(%s) and uscc = any(%s) group by uscc, category_code",
        (publication_id, [r["uscc"] for r in rows])).fetchall()
    by = {(u, c): (p, w) for u, c, p, w in points}
    for r in rows:
        r["veto"] = ",".join(r["veto_codes"]) if r.get("veto_codes") else ""
        for code, _ in cats:
            r[f"cat_{code}"] = by.get((r["uscc"], code), (Decimal("0.00"), None))[0]
    return rows, [(c, n or c) for c, n in cats]


def _columns(cats: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return BASE_COLUMNS[:8] + [(f"cat_{c}", f"{n}得分") for c, n in cats] + BASE_COLUMNS[8:]


def _cell(v: Any) -> Any:
    """A value for an XLSX cell: numbers as numbers, text as written (typed as text by ``type_text``)."""
    if isinstance(v, Decimal):
        return float(v)
    return v


def _cover(pub: dict[str, Any], bank: tuple[str, str], on: date, n: int, push_id: int) -> list[tuple[str, Any]]:
    return [
        ("推送编号", push_id),
        ("发布编号", pub["publication_id"]),
        ("积分方案", f"{pub['scheme_code']} {pub['scheme_name_zh'] or ''}".strip()),
        ("评价年度", pub["eval_year"]),
        ("满分", float(pub["max_points"])),
        ("推送日期", on.isoformat()),
        ("接收银行", f"{bank[1]}（{bank[0]}）"),
        ("企业数", n),
        ("发布时间", pub["published_at"].astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")),
        ("数据校验批次", pub["dq_run_id"]),
        ("程序版本", pub["code_version"]),
        ("内容哈希(SHA-256)", pub["content_sha256"]),
        ("范围说明", "仅含推送日期当日已授权本行查询创新积分且授权未撤销的企业；排名为同一方案同一比较区域内的名次"
                  "（并列同名次，一票否决企业排在最后）。"),
    ]


def _grade_lines(pub: dict[str, Any]) -> list[tuple[str, str, str]]:
    bands = pub["grade_bands"] or []
    mx = float(pub["max_points"])
    out = []
    for b in bands:
        m = b.get("min_share_of_max")
        if m is None:
            cond = "存在一票否决情形（如研发费用为零或缺失、列入严重违法失信名单），积分记为0"
        else:
            cond = f"积分 ≥ 满分的{m:.0%}（≥ {m * mx:g} 分）" if m > 0 else "其余参评企业"
        out.append((b["grade"], b.get("label_zh") or "", cond))
    return out


def build_xlsx(pub: dict[str, Any], bank: tuple[str, str], on: date, rows: list[dict[str, Any]],
               cats: list[tuple[str, str]], push_id: int) -> bytes:
    """The push's workbook: sheet 封面 (what was pushed, to whom, on which publication; the grades), then
    the table, one row per enterprise. openpyxl's write-only workbook; the table's rows are streamed
    (``spreadsheet.StreamedRows``: each text cell typed as ``type_text`` types it), as the publicity
    lists are: 67,000 enterprises took 32.4 s with openpyxl's own cells, 2.5 s streamed (synthetic rows,
    loaded machine)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    cover = wb.create_sheet("封面")
    for letter, width in (("A", 18), ("B", 60), ("C", 50)):
        cover.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    cover.append(typed_cells(cover, [TITLE], Font(bold=True, size=14), wrap))
    cover.append([])
    for k, v in _cover(pub, bank, on, len(rows), push_id):
        cover.append(typed_cells(cover, [k, _cell(v)], alignment=wrap))
    cover.append([])
    cover.append(typed_cells(cover, ["等级说明"], Font(bold=True), wrap))
    cover.append(typed_cells(cover, ["等级", "名称", "条件"], alignment=wrap))
    for g in _grade_lines(pub):
        cover.append(typed_cells(cover, [_cell(x) for x in g], alignment=wrap))

    ws = wb.create_sheet(TITLE[:31])
    cols = _columns(cats)
    # write-only: the sheet's top (frozen panes, column widths and formats) goes out with its first row
    ws.freeze_panes = "C2"
    widths = {"统一社会信用代码": 22, "企业名称": 36}
    for i, (key, zh) in enumerate(cols, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = widths.get(zh, max(10, len(zh) * 2 + 2))
        if key in TEXT_COLUMNS:
            dim.number_format = "@"  # what a bank adds below the table stays text as well
    ws.append(typed_cells(ws, [zh for _, zh in cols], Font(bold=True)))
    body = StreamedRows(ws, first_row=2)
    try:
        for r in rows:
            body.append([_cell(r.get(key)) for key, _ in cols])
        saved = io.BytesIO()
        wb.save(saved)
        out = io.BytesIO()
        body.splice(saved.getvalue(), out, sheet="xl/worksheets/sheet2.xml")
    finally:
        body.close()
    return out.getvalue()


def build_csv(rows: list[dict[str, Any]], cats: list[tuple[str, str]]) -> bytes:
    """The table as CSV: UTF-8 with BOM, CRLF, text fields neutralised (``safe_text``) and quoted,
    numbers unquoted (OWASP's advice for CSV)."""
    cols = _columns(cats)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    w.writerow([zh for _, zh in cols])
    for r in rows:
        w.writerow(["" if r.get(k) is None else safe_text(r.get(k)) for k, _ in cols])
    return buf.getvalue().encode("utf-8-sig")


def push(bank_code: str, publication_id: int, out_dir: Path, on: date | None = None) -> PushResult:
    """Write and record the push of ``publication_id`` to ``bank_code`` on date ``on`` (default today)."""
    on = on or today()
    out_dir = statefile.ensure_private_dir(Path(out_dir))
    written: list[Path] = []
    with db.connect(db.PUBLISHER) as conn:
        try:
            with conn.transaction():
                bank = conn.execute("select bank_code, bank_name_zh from seeds.ref_banks where bank_code = %s",
                                    (bank_code,)).fetchone()
                if bank is None:
                    known = [f"{code} {name}" for code, name in
                             conn.execute("select bank_code, bank_name_zh from seeds.ref_banks order by 1")]
                    raise PushError(f"没有银行代码 {bank_code!r} (unknown bank)；合作银行 (partner banks, "
                                    f"seeds/reference/ref_banks.csv): {'、'.join(known)}")
                cur = conn.execute("select * from audit.publications where publication_id = %s", (publication_id,))
                r = cur.fetchone()
                if r is None:
                    raise PushError(f"没有编号为 {publication_id} 的发布 (no publication {publication_id})："
                                    "已有的发布见 innopoints publish --list")
                pub = dict(zip([d.name for d in cur.description], r, strict=True))
                if pub["kind"] != "final":
                    raise PushError(f"发布编号 {publication_id} 是公示名单，不推送银行 (a publicity list is never "
                                    "pushed): push the final list (innopoints publish --list)")
                rows, cats = _rows(conn, publication_id, bank_code, on)
                push_id = conn.execute(
                    "select nextval(pg_get_serial_sequence('audit.bank_pushes', 'push_id'))").fetchone()[0]
                stem = f"push{push_id:05d}_{bank_code}_{pub['scheme_code']}_{pub['eval_year']}_{on:%Y%m%d}"
                xlsx_bytes = build_xlsx(pub, (bank[0], bank[1]), on, rows, cats, push_id)
                csv_bytes = build_csv(rows, cats)
                files = {}
                for suffix, data in ((".xlsx", xlsx_bytes), (".csv", csv_bytes)):
                    path = out_dir / f"{stem}{suffix}"
                    statefile.write_bytes(path, data)  # atomic, mode 0600
                    written.append(path)
                    files[suffix] = (path, hashlib.sha256(data).hexdigest())
                # the enterprises first (one statement), the header last: the header seals them
                conn.execute("insert into audit.bank_push_enterprises (push_id, uscc) select %s, unnest(%s::text[])",
                             (push_id, [row["uscc"] for row in rows]))
                conn.execute(
                    "insert into audit.bank_pushes (push_id, bank_code, publication_id, push_date, n_enterprises, "
                    "files, xlsx_file, xlsx_sha256, csv_file, csv_sha256) "
                    "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (push_id, bank_code, publication_id, on, len(rows),
                     json.dumps([{"file": p.name, "sha256": h} for p, h in files.values()]),
                     files[".xlsx"][0].name, files[".xlsx"][1], files[".csv"][0].name, files[".csv"][1]))
                pause_point("push-before-commit")
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
    return PushResult(push_id, bank_code, publication_id, on, len(rows), files[".xlsx"][0], files[".csv"][0],
                      files[".xlsx"][1], files[".csv"][1])
