"""What an import tells its caller: whole-file errors, row errors, and the counts.

An import validates every row before writing any; with a single row error it
writes nothing, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from students.importing.words import KIND_LABELS


class ImportFileError(Exception):
    """A whole-file problem (not an xlsx, too big, no header row found); the message is Chinese."""


@dataclass(frozen=True)
class RowError:
    """One bad cell (or row): where Excel shows it and what is wrong, in Chinese."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"第 {self.row} 行，“{self.column}”：{self.message}"
        return f"第 {self.row} 行：{self.message}"


@dataclass
class ImportReport:
    """What an import did (or, with errors or a dry run, what it would have done: nothing)."""

    kind: str
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        label = KIND_LABELS.get(self.kind, self.kind)
        counts = (
            f"新增 {self.created} 行，更新 {self.updated} 行，"
            f"未变 {self.unchanged} 行，有误 {self.rejected} 行"
        )
        if self.errors:
            outcome = "未写入任何数据，请改正后重新导入"
        elif self.dry_run:
            outcome = "试导入，未写入数据"
        else:
            outcome = "已导入"
        return f"{label}名册共 {self.total_rows} 行：{counts}（{outcome}）"
