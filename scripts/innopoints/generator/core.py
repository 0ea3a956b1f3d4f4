"""`generate()`: write every feed of sources.md for a synthetic province, streaming chunk by chunk."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from innopoints import statefile
from innopoints.console import Progress
from innopoints.errors import UsageError
from innopoints.feeds import FEEDS

from . import badrows
from .formats import FileSpec, FileWriter
from .model import Table, build_chunk, make_context
from .reference import Reference, load_reference

CHUNK = 20_000  # enterprises per chunk (fixed: the output does not depend on the machine)
XLSX_MAX_ROWS = 30_000  # expected rows above which an XLSX export is written as CSV instead (openpyxl
# writes some 5,000 rows/s; CSV is 50 times faster)
FEED_ORDER = (
    "registry",
    "credit",
    "torch",
    "hte",
    "tsme",
    "ip",
    "tax",
    "sci_records",
    "loans",
    "policy",
    "consents",
)
MONEY_TORCH = (
    "revenue",
    "net_profit",
    "rd_expense",
    "hitech_product_revenue",
    "tech_contract_amount",
    "tech_contract_absorbed_local",
    "equity_financing",
)


@dataclass(frozen=True)
class FileInfo:
    file: str
    feed: str
    rows: int  # data rows written (header excluded), broken rows included
    bad_rows: int
    headers: tuple[str, ...]
    shape: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "feed": self.feed,
            "rows": self.rows,
            "bad_rows": self.bad_rows,
            **self.shape,
            "headers": list(self.headers),
        }


@dataclass
class Manifest:
    """What was generated: the files, their feed, rows and shape, and the broken rows' count."""

    out_dir: Path
    enterprises: int
    years: tuple[int, int]
    seed: int
    bad_rows_share: float
    cutoff_date: date
    files: list[FileInfo] = field(default_factory=list)
    bad_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def bad_rows(self) -> int:
        return sum(f.bad_rows for f in self.files)

    def rows_by_feed(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.feed] = out.get(f.feed, 0) + f.rows
        return out

    def file(self, name: str) -> FileInfo:
        for f in self.files:
            if f.file == name:
                return f
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator": "innopoints.generator",
            "format_version": 1,
            "enterprises": self.enterprises,
            "years": list(self.years),
            "seed": self.seed,
            "bad_rows_share": self.bad_rows_share,
            "cutoff_date": self.cutoff_date.isoformat(),
            "rows": self.rows,
            "rows_by_feed": self.rows_by_feed(),
            "bad_rows": self.bad_rows,
            "bad_rows_by_kind": dict(sorted(self.bad_kinds.items())),
            "bad_rows_file": "bad_rows.jsonl" if self.bad_rows_share > 0 else None,
            "line_numbering": "1-based physical line (CSV) or sheet row (XLSX); the header is line 1",
            "files": [f.as_dict() for f in self.files],
        }

    def summary(self) -> str:
        width = max((len(f.file) for f in self.files), default=10)
        lines = [f"{'file':<{width}}  {'feed':<11}  {'format':<14}  {'rows':>10}  {'bad':>7}"]
        for f in self.files:
            fmt = f.shape["encoding"]
            lines.append(f"{f.file:<{width}}  {f.feed:<11}  {fmt:<14}  {f.rows:>10,}  {f.bad_rows:>7,}")
        lines.append(
            f"{len(self.files)} files, {self.rows:,} rows ({self.bad_rows:,} deliberately broken) for "
            f"{self.enterprises:,} enterprises, {self.years[0]}-{self.years[1]}, seed {self.seed}, "
            f"data date {self.cutoff_date.isoformat()} -> {self.out_dir}"
        )
        return "\n".join(lines)


def cutoff_for(years: tuple[int, int], today: date | None = None) -> date:
    """Loans and policy run to mid of the year after the range, but never past today."""
    today = today or date.today()
    return min(date(years[1] + 1, 6, 30), today)


def file_plan(years: tuple[int, int], ref: Reference) -> list[FileSpec]:
    """The export files, each in the shape its source system uses."""
    ny = years[1] - years[0] + 1
    plan: list[FileSpec] = [
        FileSpec(
            "registry", "registry", "gb18030", dates="zh", units={"registered_capital": "w"}, full_width_brackets=True
        ),
        FileSpec("credit", "credit", "xlsx", dates="cell", row_estimate=0.9 * ny),
    ]
    torch_units: dict[str, Any] = dict.fromkeys(MONEY_TORCH, "k")
    for k, y in enumerate(range(years[0], years[1] + 1)):
        style = k % 3
        if style == 0:
            plan.append(
                FileSpec(
                    f"torch_{y}",
                    "torch",
                    "xlsx",
                    dates="cell",
                    units=torch_units,
                    header_aliases={"year": "统计年度"},
                    row_estimate=0.85,
                )
            )
        elif style == 1:
            plan.append(
                FileSpec(f"torch_{y}", "torch", "gb18030", units=torch_units, full_width_brackets=True, thousands=True)
            )
        else:
            plan.append(FileSpec(f"torch_{y}", "torch", "utf-8-sig", units=torch_units))
    plan += [
        FileSpec("hte", "hte", "xlsx", dates="cell", row_estimate=0.45),
        FileSpec("tsme", "tsme", "utf-8", header="en"),
        FileSpec("ip", "ip", "utf-8-sig", dates="slash"),
        FileSpec(
            "tax",
            "tax",
            "gb18030",
            units={"taxes_paid": "w", "rd_super_deduction": "w"},
            full_width_brackets=True,
            thousands=True,
            header_aliases={"year": "纳税年度"},
        ),
        FileSpec("sci_records", "sci_records", "utf-8-sig", dates="iso"),
    ]
    money_loans = ("amount_requested", "amount_approved", "outstanding_balance")
    wan: dict[str, Any] = dict.fromkeys(money_loans, "w")
    pct_alias = {"annual_rate_pct": "年利率(%)", "term_months": "期限(月)", "guarantee_fee_pct": "担保费率(%)"}
    pct_alias_fw = {"annual_rate_pct": "年利率（%）", "term_months": "期限（月）", "guarantee_fee_pct": "担保费率（%）"}
    bank_styles: list[dict[str, Any]] = [
        {"encoding": "xlsx", "dates": "serial"},
        {"encoding": "gb18030", "dates": "zh", "units": wan, "full_width_brackets": True},
        {"encoding": "utf-8-sig", "dates": "slash", "thousands": True, "header_aliases": pct_alias},
        {"encoding": "utf-8", "header": "en", "codes": "en", "bools": "en"},
        {"encoding": "xlsx", "dates": "cell", "units": wan, "codes": "en"},
        {"encoding": "gb18030", "dates": "iso", "thousands": True, "header_aliases": pct_alias_fw},
        {"encoding": "utf-8-sig", "dates": "slash", "units": wan, "codes": "en"},
        {"encoding": "gb18030", "dates": "zh"},
    ]
    for k, bank in enumerate(ref.banks):
        # provincial banks lend everywhere; a city bank mostly at home
        reach = 0.08 if bank.region_code == "210000" else 0.012
        plan.append(FileSpec(f"loans_{bank.code}", "loans", row_estimate=reach, **bank_styles[k % len(bank_styles)]))
    plan += [
        FileSpec(
            "policy",
            "policy",
            "xlsx",
            dates="cell",
            header_aliases={"policy_app_id": "申请编号"},
            row_estimate=0.3 * (ny + 0.5),
        ),
        FileSpec("consents", "consents", "utf-8", header="en"),
    ]
    return plan


def _route(spec: FileSpec, table: Table) -> np.ndarray | None:
    """Rows of a feed's chunk table that go to this file (None: all)."""
    if spec.feed == "torch":
        return np.nonzero(table["year"] == int(spec.name.rsplit("_", 1)[1]))[0]
    if spec.feed == "loans":
        return np.nonzero(table["bank_code"] == spec.name.split("_", 1)[1])[0]
    return None


def generate(
    out_dir: Path,
    enterprises: int = 3000,
    years: tuple[int, int] = (2022, 2024),
    seed: int = 7,
    bad_rows: float = 0.0,
    *,
    today: date | None = None,
) -> Manifest:
    """Write every feed for ``enterprises`` synthetic Liaoning enterprises into ``out_dir``.

    Same arguments, same bytes (as long as ``years[1] + 1``-06-30 is not after today, the data date).
    ``bad_rows`` is the share of deliberately broken rows (see :mod:`innopoints.generator.badrows`),
    listed in ``bad_rows.jsonl`` and summarised in ``BAD_ROWS.md``. Returns the manifest, also
    written as ``manifest.json``.
    """
    if enterprises < 1:
        raise UsageError("--enterprises must be at least 1")
    if years[0] > years[1]:
        raise UsageError(f"years {years[0]}-{years[1]}: the first year must not be after the last")
    if not 0.0 <= bad_rows < 0.5:
        raise UsageError(f"--bad-rows {bad_rows}: give a share between 0 and 0.5, e.g. 0.01")
    cutoff = cutoff_for(years, today)
    if date(years[1], 12, 31) > cutoff:
        raise UsageError(f"years up to {years[1]} lie in the future; the last year must be before {cutoff.year}")
    # synthetic, but personal-looking (names, loans): readable by the owner only, like real deliveries
    out_dir = statefile.ensure_private_dir(Path(out_dir))
    ref = load_reference()
    ctx = make_context(seed, enterprises, years, cutoff, ref)
    plan = [
        s.as_csv() if s.is_xlsx and s.row_estimate * enterprises > XLSX_MAX_ROWS else s for s in file_plan(years, ref)
    ]
    by_feed: dict[str, list[tuple[int, FileSpec]]] = {}
    for i, spec in enumerate(plan):
        by_feed.setdefault(spec.feed, []).append((i, spec))
    writers = [FileWriter(out_dir, spec) for spec in plan]
    bad_counts = [0] * len(plan)
    kinds: Counter[str] = Counter()
    bad_path = out_dir / "bad_rows.jsonl"
    bad_fh = statefile.open_private(bad_path, "w", encoding="utf-8", newline="\n") if bad_rows > 0 else None
    progress = Progress("generate", total=enterprises, unit="enterprise", throttle=True).start()
    try:
        for chunk_index, start in enumerate(range(0, enterprises, CHUNK)):
            n = min(CHUNK, enterprises - start)
            tables = build_chunk(ctx, chunk_index, start, n)
            for feed in FEED_ORDER:
                table = tables[feed]
                for i, spec in by_feed[feed]:
                    idx = _route(spec, table)
                    columns = {
                        name: spec.format_column(name, table[name] if idx is None else table[name][idx])
                        for name in FEEDS[feed].names
                    }
                    writer = writers[i]
                    if bad_fh is not None:
                        rng = np.random.default_rng(np.random.SeedSequence([seed, 2, chunk_index, i]))
                        broken = badrows.corrupt(spec, columns, writer.next_line, bad_rows, rng, years)
                        for b in broken:
                            bad_fh.write(json.dumps(b.as_dict(), ensure_ascii=False) + "\n")
                            kinds[b.kind] += 1
                        bad_counts[i] += len(broken)
                    writer.write_columns([columns[name] for name in FEEDS[feed].names])
            progress.update(start + n)
    finally:
        progress.close()
        for w in writers:
            w.close()
        if bad_fh is not None:
            bad_fh.close()
    manifest = Manifest(out_dir, enterprises, years, seed, bad_rows, cutoff, bad_kinds=dict(kinds))
    for spec, w, nbad in zip(plan, writers, bad_counts, strict=True):
        manifest.files.append(FileInfo(spec.filename, spec.feed, w.rows, nbad, tuple(spec.headers()), spec.describe()))
    with statefile.open_private(out_dir / "manifest.json", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2) + "\n")
    if bad_rows > 0:
        with statefile.open_private(out_dir / "BAD_ROWS.md", "w", encoding="utf-8") as fh:
            fh.write(_bad_rows_md(manifest))
    return manifest


def _bad_rows_md(m: Manifest) -> str:
    lines = [
        "# Deliberately broken rows",
        "",
        f"Generated with `--bad-rows {m.bad_rows_share}` (seed {m.seed}): each data row was broken with that",
        "probability, in one way that applies to its feed. Every broken row is listed, one JSON object a",
        "line, in `bad_rows.jsonl`: file, feed, line (1-based, header = line 1; sheet row in XLSX), kind,",
        "field, the value written and, for duplicates, the line of the first occurrence (`duplicate_of`).",
        "An importer must quarantine exactly these rows and load every other one.",
        "",
        "| kind | meaning | rows |",
        "|---|---|---:|",
    ]
    for kind in badrows.KINDS:
        lines.append(f"| {kind} | {badrows.KIND_DOC[kind]} | {m.bad_kinds.get(kind, 0):,} |")
    lines += ["", "| file | feed | rows | broken |", "|---|---|---:|---:|"]
    for f in m.files:
        lines.append(f"| {f.file} | {f.feed} | {f.rows:,} | {f.bad_rows:,} |")
    lines.append("")
    return "\n".join(lines)
