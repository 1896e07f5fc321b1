"""The civil-affairs list (民政): 乡镇, 村, 户主姓名, 姓名, 身份证号, 救助类别, 起始日期, 终止日期."""

from __future__ import annotations

from aidsite.lib.excel import SheetRow
from students.importing.external import ExternalImport, ExternalRow, parse_date
from students.importing.words import CIVIL_CATEGORY_WORDS, SPACES


class CivilImport(ExternalImport):
    """One row per person and category (低保 or 特困); a blank 终止日期 means still current."""

    kind = "civil"

    def parse_details(self, row: SheetRow, parsed: ExternalRow) -> None:
        word = SPACES.sub("", self.text(row, "category", required="救助类别不能为空") or "")
        if word and word not in CIVIL_CATEGORY_WORDS:
            self.error(row.number, "category", f"救助类别“{word}”无法识别，应为 低保 或 特困")
        parsed.category = CIVIL_CATEGORY_WORDS.get(word, "")
        parsed.start_date = self.cell(row, "start_date", parse_date)
        parsed.end_date = self.cell(row, "end_date", parse_date)
        if parsed.start_date and parsed.end_date and parsed.end_date < parsed.start_date:
            self.error(row.number, "end_date", "终止日期早于起始日期")
        if parsed.start_date and parsed.start_date > self.today:
            self.error(row.number, "start_date", "起始日期晚于今天")

    def repeat_key(self, parsed: ExternalRow) -> object:
        # One person may be on the list once per category (a 低保 spell, then 特困).
        return (parsed.id_number, parsed.category, parsed.start_date)
