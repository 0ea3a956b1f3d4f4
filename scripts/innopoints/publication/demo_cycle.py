"""The demo's evaluation cycle: what officers do between the publicity list and the final list, on
the demo province, so `innopoints demo` ends with a final list that went through a publicity period
with one objection of each kind:

1. accepted, corrected by a re-delivered feed (the tax feed, the enterprise's R&D super deduction);
2. accepted, corrected by a recorded adjustment (the torch feed's technology contract turnover);
3. rejected (a claimed invention patent count the certificates do not bear out);
4. received after the period closed, and refused.

The demo dates its period in the past, so the final list can follow at once. It runs once per
publicity list: a list that already has objections is left as it is.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from innopoints import db, statefile
from innopoints.console import result
from innopoints.publication import objections as obj
from innopoints.publication.publish import latest_publicity

log = logging.getLogger(__name__)

DEMO_SCHEME = "LN-2025"
DEMO_CITY = "210900"  # 阜新市: the city whose officer the demo's users include


def _pick(conn: Any, publication_id: int) -> list[str]:
    """Four non-vetoed enterprises of the demo city on the list, strongest first (fixed order)."""
    return [r[0] for r in conn.execute(
        "select uscc from audit.publication_scores where publication_id = %s and city_code = %s "
        "and not is_vetoed order by total_points desc, uscc limit 4", (publication_id, DEMO_CITY))]


def _corrected_tax_file(data_dir: Path, out_dir: Path, uscc: str, year: int) -> Path:
    """The demo's tax delivery again, with the enterprise's R&D super deduction of `year` raised by a
    half (in the file's own unit and encoding): the corrected full delivery the tax office re-sends."""
    raw = (data_dir / "tax.csv").read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(io.StringIO(text)))
    changed = 0
    for row in rows[1:]:
        if row and row[0] == uscc and row[1] == str(year):
            old = Decimal(row[3] or "0")
            row[3] = str((old * Decimal("1.5")).quantize(Decimal("0.01")) if old else Decimal("800.00"))
            changed += 1
    if changed != 1:
        raise obj.ObjectionRefused(f"demo: no single tax row of {uscc} {year} in {data_dir / 'tax.csv'}")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out = statefile.ensure_private_dir(out_dir) / "tax_corrected.csv"
    statefile.write_bytes(out, buf.getvalue().encode(encoding))
    return out


def run(data_dir: Path, corrections_dir: Path) -> bool:
    """Record and decide the demo's objections on the latest publicity list of DEMO_SCHEME; False when
    there is nothing to do (no such list, or it already has objections)."""
    from innopoints.importer import import_path

    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        year = conn.execute("select max(eval_year) from audit.publications where scheme_code = %s and kind = "
                            "'publicity'", (DEMO_SCHEME,)).fetchone()[0]
        found = latest_publicity(conn, DEMO_SCHEME, year) if year else None
        if found is None:
            return False
        pid, opens, closes = found
        if conn.execute("select 1 from audit.objections where publication_id = %s", (pid,)).fetchone():
            return False
        a, b, c, d = _pick(conn, pid)
    day = opens + timedelta(days=1)
    log.info(f"\n== 异议与复核 (objections and review) on publicity list {pid} ({DEMO_SCHEME} {year}, "
             f"{opens:%Y-%m-%d} – {closes:%Y-%m-%d}) ==")
    o1 = obj.record(pid, a, obj.Subject(feed="tax", field="rd_super_deduction"),
                    f"{year}年度研发费用加计扣除额漏报一笔，税务部门已出具更正后的数据", "DEMO-YY-001", day)
    o2 = obj.record(pid, b, obj.Subject(feed="torch", field="tech_contract_amount"),
                    f"{year}年度技术合同成交额未计入已登记的技术开发合同", "DEMO-YY-002", day)
    o3 = obj.record(pid, c, obj.Subject(indicator_code="T05"),
                    "有效发明专利应为5件", "DEMO-YY-003", day + timedelta(days=1))
    try:
        obj.record(pid, d, obj.Subject(indicator_code="T07"), "技术合同成交额偏低", "DEMO-YY-004",
                   closes + timedelta(days=2))
    except obj.ObjectionRefused as exc:
        result(f"逾期异议被拒收 (late objection refused): {exc}")
    report = import_path(_corrected_tax_file(data_dir, corrections_dir, a, year))
    result(report.summary())
    batch = next(f.batch_id for f in report.files if f.batch_id is not None)
    decided = closes + timedelta(days=1)
    obj.accept_redelivery(o1, "经核对税务部门更正凭证，予以采纳，以重新交付的纳税数据更正", decided, batch)
    with db.connect(db.PUBLISHER, autocommit=True) as conn:
        old = conn.execute("select value from audit.feed_value('torch', array['uscc', 'year'], %s, "
                           "'tech_contract_amount', null)", (f"{b}|{year}",)).fetchone()[0]
    new = (Decimal(old or "0") + Decimal("5000000")).quantize(Decimal("0.01"))
    obj.accept_adjustment(o2, "合同已在技术合同登记系统登记，予以采纳，按登记金额更正", decided, "torch",
                          "tech_contract_amount", {"year": str(year)}, str(new), "市科技局 复核组", "DEMO-YY-002")
    obj.reject(o3, "知识产权数据显示其中3件专利已失效或未授权，不予采纳", decided)
    for r in obj.list_objections(pid):
        result(f"  异议 #{r[0]} {r[2]} {r[3]}: {r[5]}{'/' + r[6] if r[6] else ''}")
    return True
