"""What the three external lists share: one row per person, read with the roster's tolerance.

Each list (`poverty`, `civil`, `disability`) is a `SheetImport` whose rows become
`ExternalRow`s: the cells every list has (姓名, 身份证号, and for the household
lists 乡镇, 村, 户主姓名) are read here, each list's own columns in its module.
Nothing is written by the sheet kinds: `external_service` stores the rows as
the list's snapshot and applies the differences `students.external_compare` finds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from typing import Any

from django.utils import timezone

from aidsite.lib.excel import CellError, SheetRow, cell_text
from students.importing.sheets import SheetImport
from students.importing.words import clean_name, place_name

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")


@dataclass(slots=True)
class ExternalRow:
    """One person as an external list gives them (the fields of `ExternalListRow`)."""

    row_number: int
    name: str
    id_number: str
    township: str = ""
    village: str = ""
    household_code: str = ""
    head_name: str = ""
    relation: str = ""
    category: str = ""
    status: str = ""
    year_lifted: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    certificate: str = ""
    disability_kind: str = ""
    disability_grade: int | None = None


EXTERNAL_ROW_FIELDS = tuple(f.name for f in fields(ExternalRow))


def parse_date(value: Any) -> dt.date | None:
    """A date cell as departments write it: a real date, 2021-03-01, 2021/3/1, 2021年3月, 20210301.

    Blank is None; anything else raises CellError. A month without a day is its first day.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    found = _DATE.match(text) or _COMPACT_DATE.match(text)
    if found is None:
        raise CellError(f"“{text}”不是日期，应写成 2021-03-01 这样的格式")
    year, month, day = int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(f"“{text}”不是有效的日期") from exc


def parse_year(value: Any) -> int | None:
    """A year cell (2020, 2020年, 2020年度); blank is None; anything else raises CellError."""
    text = cell_text(value)
    if not text:
        return None
    found = _YEAR.match(text)
    if found is None or not 1980 <= int(found.group(1)) <= 2100:
        raise CellError(f"“{text}”不是年份，应写成 2020 这样的四位年份")
    return int(found.group(1))


class ExternalImport(SheetImport):
    """One external list: rows read and checked, none written by the sheet kind itself."""

    household_list = True  # 乡镇, 村, 户主姓名 present (the disability list has none)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.today = timezone.localdate()
        self.rows: list[ExternalRow] = []
        self.townships = self.load_townships() if self.household_list else {}
        self.villages = self.load_villages() if self.household_list else {}
        self.first_row_of: dict[Any, int] = {}

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        name = self.text(row, "name", required="姓名不能为空", max_length=30)
        id_number = self.checked_id_number(row, today=self.today)
        parsed = ExternalRow(
            row_number=row.number, name=clean_name(name or ""), id_number=id_number or ""
        )
        if self.household_list:
            self._household(row, parsed)
        self.parse_details(row, parsed)
        if len(self.errors) == before:
            self._check_repeat(row, parsed)
        if len(self.errors) == before:
            self.rows.append(parsed)

    def parse_details(self, row: SheetRow, parsed: ExternalRow) -> None:
        """The list's own columns, into `parsed` (errors recorded with `self.error`)."""
        raise NotImplementedError

    def repeat_key(self, parsed: ExternalRow) -> Any:
        """What may appear once in the list: by default the person."""
        return parsed.id_number

    def _check_repeat(self, row: SheetRow, parsed: ExternalRow) -> None:
        key = self.repeat_key(parsed)
        first = self.first_row_of.setdefault(key, row.number)
        if first != row.number:
            self.error(row.number, "id_number", f"与第 {first} 行重复（同一身份证号）")

    def _household(self, row: SheetRow, parsed: ExternalRow) -> None:
        """乡镇, 村 (both known to the registry), 户主姓名."""
        township = self.check_township(row, self.townships)
        village_id = self.check_village(row, self.villages, township, required="村（社区）不能为空")
        head = self.text(row, "head_name", required="户主姓名不能为空", max_length=30)
        if township is not None and village_id is not None:
            parsed.township = township.name
            parsed.village = place_name(cell_text(row.values.get("village")))
        parsed.head_name = clean_name(head or "")

    def cell(self, row: SheetRow, key: str, parser: Any, hint: str = "") -> Any:
        """A cell through `parser`; None after recording its CellError."""
        try:
            return parser(row.values.get(key))
        except CellError as exc:
            self.error(row.number, key, f"{exc}{hint}")
            return None

    def plan(self) -> None:
        """Counts only: what the rows change is the comparison's (`students.external_compare`)."""
        self.unchanged = len(self.rows)
