"""What an import did, per file and overall, and the human summary of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileReport:
    file: str  # name as recorded (relative to the imported folder)
    path: Path
    status: str = "refused"  # "loaded" | "skipped" | "refused"
    feed: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    blank_lines: int = 0
    batch_id: int | None = None
    reason: str | None = None  # refusal reason, or why it was skipped
    reasons: Counter[str] = field(default_factory=Counter)  # quarantine categories
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined

    def lines(self) -> list[str]:
        if self.status == "refused":
            return [f"REFUSED  {self.file}", f"    {self.reason}"]
        if self.status == "skipped":
            return [f"SKIPPED  {self.file}  [{self.feed}]  {self.reason}"]
        out = [
            f"LOADED   {self.file}  [{self.feed}, {self.encoding}]  read {self.rows_read:,} = "
            f"loaded {self.rows_loaded:,} + quarantined {self.rows_quarantined:,}"
            f"  (batch {self.batch_id}, {self.seconds:.1f}s)"
        ]
        if self.rows_read == 0:
            out.append("    header only: no data rows; the batch is recorded with 0 rows")
        if self.rows_quarantined:
            top = "; ".join(f"{n:,}x {r}" for r, n in self.reasons.most_common(3))
            more = len(self.reasons) - 3
            out.append(f"    quarantined: {top}{f'; and {more} other reasons' if more > 0 else ''}")
            out.append(f"    details: select line, field, value, reason from audit.quarantine "
                       f"where batch_id = {self.batch_id} order by line;")
        if self.ignored_columns:
            out.append(f"    ignored columns (not part of feed {self.feed}): {', '.join(self.ignored_columns)}")
        if self.blank_lines:
            out.append(f"    skipped {self.blank_lines:,} blank line(s)")
        return out


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files_refused(self) -> int:
        return sum(f.status == "refused" for f in self.files)

    @property
    def files_loaded(self) -> int:
        return sum(f.status == "loaded" for f in self.files)

    @property
    def files_skipped(self) -> int:
        return sum(f.status == "skipped" for f in self.files)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def summary(self, per_file: bool = True) -> str:
        lines: list[str] = []
        for f in self.files if per_file else ():
            lines += f.lines()
        rate = self.rows_read / self.seconds if self.seconds > 0 else 0.0
        lines.append(
            f"{len(self.files)} file(s): {self.files_loaded} loaded, {self.files_skipped} skipped "
            f"(already imported), {self.files_refused} refused; rows read {self.rows_read:,} = loaded "
            f"{self.rows_loaded:,} + quarantined {self.rows_quarantined:,} in {self.seconds:.1f}s "
            f"({rate:,.0f} rows/s)"
        )
        if self.files_refused:
            lines.append("Refused files were not loaded at all: fix what each says and import them again.")
        if self.rows_quarantined:
            lines.append("Quarantined rows are in audit.quarantine with file, line, field, value and reason; "
                         "fix them at the source and deliver them again.")
        return "\n".join(lines)
