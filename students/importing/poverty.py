"""The 扶贫 (rural revitalisation) registry: 乡镇, 村, 户编号, 户主姓名, 姓名, 身份证号, 与户主关系, 脱贫状态, 脱贫年度."""

from __future__ import annotations

from aidsite.lib.excel import SheetRow
from students.importing.external import ExternalImport, ExternalRow, parse_year
from students.importing.words import POVERTY_STATUS_WORDS, RELATION_WORDS, SPACES
from students.models import HouseholdCategory, PovertyStatus, Relation


class PovertyImport(ExternalImport):
    """One row per member of a registered household (建档立卡户); the household's status on every row."""

    kind = "poverty"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.household_status: dict[tuple[str, str, str], tuple[int, str, int | None]] = {}

    def parse_details(self, row: SheetRow, parsed: ExternalRow) -> None:
        parsed.category = HouseholdCategory.REGISTERED
        parsed.household_code = self.text(row, "household_code", max_length=30) or ""
        relation = SPACES.sub("", self.text(row, "relation") or "")
        if relation:
            if relation not in RELATION_WORDS:
                self.error(
                    row.number,
                    "relation",
                    f"与户主关系“{relation}”无法识别，应为 户主、配偶、子女、孙子女、父母等",
                )
            parsed.relation = RELATION_WORDS.get(relation, "")
        else:
            parsed.relation = (
                Relation.HEAD if parsed.name and parsed.name == parsed.head_name else Relation.OTHER
            )
        status = SPACES.sub("", self.text(row, "status", required="脱贫状态不能为空") or "")
        if status and status not in POVERTY_STATUS_WORDS:
            self.error(row.number, "status", f"脱贫状态“{status}”无法识别，应为 未脱贫 或 已脱贫")
        parsed.status = POVERTY_STATUS_WORDS.get(status, "")
        parsed.year_lifted = self.cell(row, "year_lifted", parse_year)
        if parsed.status == PovertyStatus.IN_POVERTY and parsed.year_lifted:
            self.error(row.number, "year_lifted", "脱贫状态为未脱贫，不应填写脱贫年度")
        if parsed.year_lifted and parsed.year_lifted > self.today.year:
            self.error(row.number, "year_lifted", f"脱贫年度 {parsed.year_lifted} 晚于今年")
        self._same_household_status(row, parsed)

    def _same_household_status(self, row: SheetRow, parsed: ExternalRow) -> None:
        """Every member's row carries the household's status: they must agree."""
        if not (parsed.township and parsed.head_name and parsed.status):
            return
        key = (parsed.township, parsed.village, parsed.head_name)
        first = self.household_status.setdefault(
            key, (row.number, parsed.status, parsed.year_lifted)
        )
        if first[1:] != (parsed.status, parsed.year_lifted):
            self.error(
                row.number, "status", f"与第 {first[0]} 行同一户，但脱贫状态或脱贫年度不一致"
            )
