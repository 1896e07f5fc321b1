"""The cells of a township's application list, as offices fill them in.

The columns are a contract (`import_xlsx applications`): 身份证号, 姓名, 资助项目,
申请金额（元）, 录取院校, 学历层次, 入学年份, 学制（年）, 学费（元/年）,
住宿费（元/年）, 申请日期, and 资助单位 for aid given with partners (金秋助学).
Each cell is read with the roster import's tolerance (full-width digits and
brackets, IDs as exact integer cells, dates as Excel dates or text such as
2022.8.20 and 2022年8月20日, 1,200元); what a cell cannot be is an error
naming its row and column. Whether the row meets the policy's rules is the
checks' business (`subsidies.importing.applications`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aidsite.lib.excel import (
    CellError,
    Column,
    SheetRow,
    cell_text,
    parse_decimal,
)
from students.importing.external import parse_date
from students.importing.sheets import SheetImport
from students.importing.words import ID_ALIASES, SPACES, clean_name, entry_year
from subsidies.models import DegreeLevel

APPLICATION_COLUMNS = (
    Column("id_number", ID_ALIASES, required=True),
    Column("name", ("姓名", "申请人姓名", "学生姓名", "申请人"), required=True),
    Column("policy", ("资助项目", "资助项目名称", "申请项目", "项目名称"), required=True),
    Column("amount", ("申请金额（元）", "申请金额", "申请金额（元/年）"), required=True),
    Column("college", ("录取院校", "录取学校", "就读院校", "院校名称")),
    Column("degree_level", ("学历层次", "层次", "培养层次")),
    Column("entry_year", ("入学年份", "入学年度", "入学时间")),
    Column("program_years", ("学制（年）", "学制")),
    Column("tuition", ("学费（元/年）", "学费", "学费标准（元/年）")),
    Column("accommodation", ("住宿费（元/年）", "住宿费", "住宿费标准（元/年）")),
    Column("applied_on", ("申请日期", "申请时间"), required=True),
    Column("partner", ("资助单位", "合作单位")),
)
APPLICATION_KEY_COLUMNS = ("id_number", "policy")
# The college columns: only higher-education aid states them.
COLLEGE_KEYS = (
    "college",
    "degree_level",
    "entry_year",
    "program_years",
    "tuition",
    "accommodation",
)

DEGREE_WORDS = {
    "专科": DegreeLevel.ASSOCIATE, "大专": DegreeLevel.ASSOCIATE, "高职": DegreeLevel.ASSOCIATE,
    "高职专科": DegreeLevel.ASSOCIATE, "高职(专科)": DegreeLevel.ASSOCIATE,
    "本科": DegreeLevel.BACHELOR, "大学本科": DegreeLevel.BACHELOR,
    "研究生": DegreeLevel.POSTGRADUATE, "硕士": DegreeLevel.POSTGRADUATE,
    "硕士研究生": DegreeLevel.POSTGRADUATE, "博士": DegreeLevel.POSTGRADUATE,
    "博士研究生": DegreeLevel.POSTGRADUATE,
}  # fmt: skip
_PROGRAM_YEARS = re.compile(r"^([1-8一二三四五六七八])年?制?$")
_CN_DIGITS = "一二三四五六七八"
_MONEY_CEILING = Decimal("100000000")


@dataclass(slots=True)
class ParsedRow:
    """One row's cells, each read as what its column holds (blank: None or "")."""

    number: int
    id_number: str
    name: str
    policy: str
    applied_on: dt.date
    amount: Decimal | None
    college: str = ""
    degree_level: str = ""
    entry_year: int | None = None
    program_years: int | None = None
    tuition: Decimal | None = None
    accommodation: Decimal | None = None
    partner: str = ""
    # The college columns this row fills in.
    college_keys: list[str] = field(default_factory=list)


class ApplicationSheet(SheetImport):
    """Reads every row's cells; the checks against the registry and the rules come after."""

    kind = "applications"
    columns = APPLICATION_COLUMNS

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.today = timezone.localdate()
        self.rows: list[ParsedRow] = []

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        id_number = self.checked_id_number(row, today=self.today)
        name = self.text(row, "name", required="姓名不能为空", max_length=30)
        policy = self.text(row, "policy", required="资助项目不能为空", max_length=60)
        applied_on = self._applied_on(row)
        amount = self._money(row, "amount")
        college = self.text(row, "college", max_length=60)
        level = self._degree_level(row)
        entered = self._entry_year(row)
        years = self._program_years(row)
        tuition = self._money(row, "tuition")
        accommodation = self._money(row, "accommodation")
        partner = self.text(row, "partner", max_length=30)
        if len(self.errors) > before:
            return
        assert id_number and name and policy and applied_on  # blanks were errors
        self.rows.append(
            ParsedRow(
                number=row.number, id_number=id_number, name=clean_name(name), policy=policy,
                applied_on=applied_on, amount=amount, college=college or "", degree_level=level or "",
                entry_year=entered, program_years=years, tuition=tuition, accommodation=accommodation,
                partner=SPACES.sub("", partner or ""),
                college_keys=[k for k in COLLEGE_KEYS if cell_text(row.values.get(k))],
            )
        )  # fmt: skip

    def _applied_on(self, row: SheetRow) -> dt.date | None:
        try:
            day = parse_date(row.values.get("applied_on"))
        except CellError as exc:
            self.error(row.number, "applied_on", str(exc))
            return None
        if day is None:
            self.error(row.number, "applied_on", "申请日期不能为空")
        elif day > self.today:
            self.error(row.number, "applied_on", f"申请日期 {day:%Y-%m-%d} 晚于今天")
            return None
        return day

    def _money(self, row: SheetRow, key: str) -> Decimal | None:
        """An amount in yuan; blank is None (the rules say whether it must be given)."""
        value = row.values.get(key)
        if not cell_text(value):
            return None
        try:
            amount = parse_decimal(value)
        except CellError as exc:
            self.error(row.number, key, str(exc))
            return None
        if amount < 0 or amount >= _MONEY_CEILING:
            self.error(row.number, key, "金额应在 0 到 1 亿元之间")
            return None
        return amount.quantize(Decimal("0.01"))

    def _degree_level(self, row: SheetRow) -> str | None:
        text = self.text(row, "degree_level")
        if not text:
            return text
        level = DEGREE_WORDS.get(SPACES.sub("", text))
        if level is None:
            self.error(
                row.number, "degree_level", f"学历层次“{text}”无法识别，应为 专科、本科 或 研究生"
            )
        return level

    def _entry_year(self, row: SheetRow) -> int | None:
        value = row.values.get("entry_year")
        if isinstance(value, dt.date):  # an Excel date such as 2022-09-01
            return value.year
        text = cell_text(value)
        if not text:
            return None
        year = entry_year(text)
        if year is None or not 1990 <= year <= 2100:
            self.error(row.number, "entry_year", f"“{text}”不是年份，应写成 2022 这样的四位年份")
            return None
        return year

    def _program_years(self, row: SheetRow) -> int | None:
        text = SPACES.sub("", cell_text(row.values.get("program_years")))
        if not text:
            return None
        found = _PROGRAM_YEARS.match(text)
        if found is None:
            self.error(row.number, "program_years", f"学制“{text}”应为 1 到 8 的年数，如 4")
            return None
        digit = found.group(1)
        return int(digit) if digit.isdigit() else _CN_DIGITS.index(digit) + 1
