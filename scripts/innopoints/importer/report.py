"""What an import did, per file and overall, and the human summary of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from innopoints.feeds import FEEDS


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

    def feed_label(self) -> str:
        """The feed's source system in Chinese beside its code, e.g. "市场监管 企业登记 registry"."""
        feed = FEEDS.get(self.feed or "")
        return f"{feed.system_zh} {feed.name}" if feed else (self.feed or "")

    def lines(self) -> list[str]:
        if self.status == "refused":
            return [f"拒收 (REFUSED)  {self.file}", f"    {self.reason}"]
        if self.status == "skipped":
            return [f"跳过 (SKIPPED)  {self.file}  [{self.feed_label()}]  {self.reason}"]
        out = [
            f"入库 (LOADED)   {self.file}  [{self.feed_label()}, {self.encoding}]  读取 {self.rows_read:,} 行 = "
            f"入库 {self.rows_loaded:,} 行 + 隔离 {self.rows_quarantined:,} 行 (quarantined)"
            f"  (批次 batch {self.batch_id}, {self.seconds:.1f} 秒)"
        ]
        if self.rows_read == 0:
            out.append("    只有表头，没有数据行 (header only)：已记录一个 0 行的批次")
        if self.rows_quarantined:
            top = "；".join(f"{n:,} 行 {r}" for r, n in self.reasons.most_common(3))
            more = len(self.reasons) - 3
            out.append(f"    隔离原因 (quarantined): {top}{f'；另有 {more} 种原因' if more > 0 else ''}")
            out.append(f"    明细 (details): select line, field, value, reason from audit.quarantine "
                       f"where batch_id = {self.batch_id} order by line;")
        if self.ignored_columns:
            ignored = ", ".join(self.ignored_columns)
            out.append(f"    忽略的列 (ignored columns, not part of feed {self.feed}): {ignored}")
        if self.blank_lines:
            out.append(f"    跳过空行 (blank lines) {self.blank_lines:,} 行")
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
            f"导入完成 (import done): {len(self.files)} 个文件 = 入库 {self.files_loaded} + 跳过 {self.files_skipped} "
            f"(已导入过 already imported) + 拒收 {self.files_refused} (refused)；读取 {self.rows_read:,} 行 = "
            f"入库 {self.rows_loaded:,} 行 + 隔离 {self.rows_quarantined:,} 行 (quarantined)，"
            f"用时 {self.seconds:.1f} 秒 ({rate:,.0f} 行/秒)"
        )
        if self.files_refused:
            lines.append("被拒收的文件一行也没有导入 (refused files were not loaded)：按每个文件的提示修正后重新导入。")
        if self.rows_quarantined:
            lines.append("被隔离的行在 audit.quarantine 中，含文件、行号、字段、值和原因 (quarantined rows)："
                         "请在源头修正后重新报送。")
        return "\n".join(lines)
