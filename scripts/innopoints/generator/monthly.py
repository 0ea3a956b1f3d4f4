"""A bank's monthly loans delivery made from a generated set: the applications of the latest month
each bank's file holds, restated one month later (数据日期 a month on, the balance of a loan still
outstanding lower by a repayment). Same keys, a new delivery: what the warehouse gets every month
from every partner bank, used by the benchmark of a monthly refresh and the selective-rebuild test.
Also a tax office's restatement of one year (restated_tax), for the benchmark of an incremental build."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from innopoints.feeds import FEEDS
from innopoints.importer import headers, sources
from innopoints.importer.convert import parse_date

REPAID_SHARE = Decimal("0.05")


def _month_later(d: date) -> date:
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise ValueError(d)


def canonical_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A feed file in any of the dialects the importer reads, as rows keyed by field name, money in
    yuan and dates ISO; the fields in the feed's order."""
    s = sources.sniff(path)
    rows = sources.open_rows(path, s)
    try:
        match = headers.recognise(rows.header())
        out = []
        for _, raw in rows.rows():
            rec = {}
            for c in match.columns:
                v = raw[c.index].strip() if c.index < len(raw) else ""
                if v and c.field.kind == "money":
                    v = f"{Decimal(v.replace(',', '')) * c.factor:.2f}"
                elif v and c.field.kind == "date":
                    v = parse_date(v).isoformat()
                rec[c.field.name] = v
            out.append(rec)
    finally:
        rows.close()
    return [c.field.name for c in match.columns], out


def _write_delivery(target: Path, feed: str, names: list[str], rows: list[dict[str, str]]) -> Path:
    """Rows as a UTF-8 CSV headed by the feed's Chinese column names (money in yuan, dates ISO)."""
    zh = {f.name: f.zh for f in FEEDS[feed].fields}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([zh[n] for n in names])
    w.writerows([[r[n] for n in names] for r in rows])
    target.write_text(buf.getvalue(), encoding="utf-8")
    return target


def monthly_loans(src: Path, out: Path, repaid_share: Decimal = REPAID_SHARE) -> list[Path]:
    """One file per bank file in ``src`` (loans_<bank>.csv or .xlsx) into ``out`` as
    loans_<bank>_<yyyymm>.csv, headed by the feed's Chinese column names; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(p for p in src.glob("loans_*") if p.suffix in (".csv", ".xlsx")):
        names, rows = canonical_rows(path)
        rows = [r for r in rows if r.get("applied_date")]
        if not rows:
            continue
        latest = max(r["applied_date"][:7] for r in rows)
        month = [r for r in rows if r["applied_date"][:7] == latest]
        restated = _month_later(max(date.fromisoformat(r["as_of_date"]) for r in month if r.get("as_of_date")))
        for r in month:
            r["as_of_date"] = restated.isoformat()
            if r.get("outstanding_balance"):
                r["outstanding_balance"] = f"{Decimal(r['outstanding_balance']) * (1 - repaid_share):.2f}"
        written.append(_write_delivery(out / f"{path.stem}_{restated:%Y%m}.csv", "loans", names, month))
    return written


def restated_tax(src: Path, out: Path, year: int, every: int = 100, more: Decimal = Decimal("1000.00")) -> Path:
    """A tax office's restatement of one evaluation year: every ``every``-th enterprise's row of ``year``
    in ``src``/tax.* with its taxes paid higher by ``more`` yuan, as ``out``/tax_<year>_restated.csv.
    Scores of that year change; the other years' inputs do not (the benchmark of an incremental build)."""
    path = next(p for p in sorted(src.glob("tax*")) if p.suffix in (".csv", ".xlsx"))
    names, rows = canonical_rows(path)
    chosen = [r for r in rows if r.get("year") == str(year)][::every]
    for r in chosen:
        r["taxes_paid"] = f"{Decimal(r.get('taxes_paid') or 0) + more:.2f}"
    out.mkdir(parents=True, exist_ok=True)
    return _write_delivery(out / f"tax_{year}_restated.csv", "tax", names, chosen)
