"""The roster import: villages, schools and students from the Excel files offices keep.

Every row is validated first, in memory, against dictionaries of what the
database already holds (a handful of queries, one per 10,000 keys, never
one per row); every bad row is reported with its Excel row number and
column. Only when no row is bad is anything written: all rows in one
transaction, in bulk, with history rows for the audited models through
django-simple-history's bulk helpers (SECURITY B7, C4). Rows that change
nothing touch nothing, so importing the same file twice is a no-op.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from aidsite.access import log_access
from aidsite.lib.excel import (
    CellError,
    Column,
    SheetError,
    SheetLayout,
    SheetRow,
    cell_text,
    check_xlsx_archive,
    has_control_characters,
    id_cell_text,
    parse_decimal,
    parse_yes_no,
    read_sheet,
    split_list,
)
from aidsite.lib.idcard import IdNumberError, check_id_number
from aidsite.models import AccessAction
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    HouseholdCategory,
    HouseholdHardship,
    Ownership,
    School,
    SchoolYear,
    Stage,
    Student,
    Township,
    Village,
    stage_age_error,
)
from students.school_years import SchoolYearError, parse_school_year, school_year_open

KINDS = ("villages", "schools", "students")
KIND_LABELS = {"villages": "村（社区）", "schools": "学校", "students": "学生"}
BATCH_SIZE = 2000
IN_CHUNK = 10000  # ids per `__in` lookup: under SQLite's variable limit
CHANGE_REASON = "Excel 导入"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")

# Closed vocabularies (SECURITY B3): anything else is an error, never a guess.
STAGE_WORDS: dict[str, tuple[str, ...]] = {
    "幼儿园": (Stage.KINDERGARTEN,),
    "学前": (Stage.KINDERGARTEN,),
    "学前教育": (Stage.KINDERGARTEN,),
    "小学": (Stage.PRIMARY,),
    "初中": (Stage.JUNIOR,),
    "初级中学": (Stage.JUNIOR,),
    "普通高中": (Stage.HIGH,),
    "高中": (Stage.HIGH,),
    "中职": (Stage.VOCATIONAL,),
    "中等职业教育": (Stage.VOCATIONAL,),
    "特殊教育": (Stage.SPECIAL,),
    "特教": (Stage.SPECIAL,),
    # A school's stages only: the usual names of combined schools.
    "九年一贯制": (Stage.PRIMARY, Stage.JUNIOR),
}
_SCHOOL_ONLY_STAGE_WORDS = {"九年一贯制"}
HOUSEHOLD_WORDS: dict[str, str | None] = {
    "建档立卡": HouseholdCategory.REGISTERED,
    "建档立卡贫困户": HouseholdCategory.REGISTERED,
    "建档立卡户": HouseholdCategory.REGISTERED,
    "低保": HouseholdCategory.DIBAO,
    "低保户": HouseholdCategory.DIBAO,
    "特困": HouseholdCategory.EXTREME,
    "特困供养": HouseholdCategory.EXTREME,
    "特困供养户": HouseholdCategory.EXTREME,
    "其他困难": HouseholdCategory.OTHER,
    "其他家庭经济困难": HouseholdCategory.OTHER,
    "无": None,
}
PERSONAL_WORDS: dict[str, str | None] = {
    "孤儿": "is_orphan",
    "烈士子女": "is_martyr_child",
    "残疾": "is_disabled",
    "残疾儿童": "is_disabled",
    "残疾学生": "is_disabled",
    "无": None,
}
SEX_WORDS = {"男": "M", "男性": "M", "女": "F", "女性": "F"}
OWNERSHIP_WORDS = {"公办": Ownership.PUBLIC, "民办": Ownership.PRIVATE}

TOWNSHIP_ALIASES = ("乡镇", "乡镇（街道）", "镇（街道）", "乡镇街道", "镇街")
VILLAGE_ALIASES = ("村（社区）", "村", "行政村", "社区", "村居")

VILLAGE_COLUMNS = (
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES, required=True),
    Column("poor", ("是否省定贫困村", "省定贫困村")),
)
SCHOOL_COLUMNS = (
    Column("name", ("学校名称", "学校", "学校（幼儿园）名称", "幼儿园名称"), required=True),
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES),
    Column("stages", ("学段",), required=True),
    Column("ownership", ("办学性质",), required=True),
    Column("inclusive", ("是否普惠性", "普惠性", "是否普惠")),
    Column("county_approved", ("是否县级审批", "县级审批")),
    Column("rural", ("是否农村学校", "农村学校")),
    Column("boarding", ("是否寄宿制", "寄宿制", "是否寄宿制学校")),
    Column("tuition", ("学费标准（元/年）", "学费标准", "学费标准（元）", "学费（元/年）")),
)
STUDENT_COLUMNS = (
    Column("name", ("姓名", "学生姓名", "幼儿姓名"), required=True),
    Column("sex", ("性别",)),
    Column(
        "id_number",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "学生身份证号", "身份证"),
        required=True,
    ),
    Column("township", TOWNSHIP_ALIASES, required=True),
    Column("village", VILLAGE_ALIASES, required=True),
    Column("head_name", ("户主姓名", "户主"), required=True),
    Column("phone", ("联系电话", "电话", "手机号码", "联系方式")),
    Column("household_categories", ("家庭类别", "家庭经济困难类别", "困难类型")),
    Column("personal_categories", ("个人类别",)),
    Column("school", ("学校", "就读学校", "学校名称"), required=True),
    Column("stage", ("学段",), required=True),
    Column("grade", ("年级",)),
    Column("class_name", ("班级",)),
    Column("boarding", ("是否寄宿", "寄宿", "是否寄宿生")),
    Column("major", ("专业", "专业名称")),
    Column("agri", ("是否涉农专业", "涉农专业")),
    Column("school_year", ("学年",), required=True),
)
COLUMNS = {"villages": VILLAGE_COLUMNS, "schools": SCHOOL_COLUMNS, "students": STUDENT_COLUMNS}
KEY_COLUMNS = {"villages": ("village",), "schools": ("name",), "students": ("name", "id_number")}


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


# ---------------------------------------------------------------------------
# The service


def roster_import(
    *,
    kind: str,
    source: str | Path | IO[bytes],
    dry_run: bool = False,
    township: Township | None = None,
    user: Any = None,
) -> ImportReport:
    """Import a roster sheet: validate every row, then write all of them in one transaction or none.

    `township` restricts which rows may be written (rows naming another
    township are row errors); None is the whole county. With any row error,
    or with `dry_run`, nothing is written.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown roster kind {kind!r}")
    try:
        check_xlsx_archive(
            source,
            max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )
        layout, rows = read_sheet(
            source,
            columns=COLUMNS[kind],
            key_columns=KEY_COLUMNS[kind],
            max_rows=settings.IMPORT_MAX_ROWS,
        )
    except SheetError as exc:
        raise ImportFileError(str(exc)) from exc

    importer_class = {
        "villages": _VillageImport,
        "schools": _SchoolImport,
        "students": _StudentImport,
    }[kind]
    # Reading what exists and writing belong to one transaction, so that the
    # comparison the counts rest on still holds when the rows are written.
    guard = contextlib.nullcontext() if dry_run else transaction.atomic()
    with guard:
        importer = importer_class(layout=layout, township=township)
        try:
            importer.read(rows)
        except SheetError as exc:
            raise ImportFileError(str(exc)) from exc
        report = importer.report(dry_run=dry_run)
        if report.errors or dry_run:
            return report
        importer.write(user=user)
        log_access(
            user=user,
            action=AccessAction.IMPORT,
            what=f"导入{KIND_LABELS[kind]}名册",
            row_count=report.total_rows,
            detail={
                "kind": kind,
                "township": township.name if township else "",
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    if not dry_run and report.created >= ANALYZE_AFTER_ROWS:
        _refresh_planner_statistics(importer_class.written_models)
    return report


# ---------------------------------------------------------------------------
# Shared machinery

# After this many new rows PostgreSQL is told the tables' new sizes at once.
ANALYZE_AFTER_ROWS = 5000


def _refresh_planner_statistics(models: tuple[type[Any], ...]) -> None:
    """ANALYZE the tables a large import filled (PostgreSQL; a no-op elsewhere).

    Until autovacuum comes round, the planner believes the tables are as small
    as before the import, and the next import's lookups (100,000 IDs in
    10,000-key batches) were planned as nested scans that ran past the
    statement timeout. The statement holds only the models' own table names,
    quoted by the backend; no value goes into it (SECURITY E6).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            for table in (model._meta.db_table, *_history_tables(model)):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _history_tables(model: type[Any]) -> tuple[str, ...]:
    history = getattr(model, "history", None)
    return (history.model._meta.db_table,) if history is not None else ()


def _chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _clean_name(text: str) -> str:
    """Chinese names lose the spaces clerks type to align them; other names keep single spaces."""
    if _CJK.search(text):
        return _SPACES.sub("", text)
    return " ".join(text.split())


def _place_name(text: str) -> str:
    return _SPACES.sub("", text)


def _study_year(grade: str, stage: str, start_year: int) -> int | None:
    """Year of study from the grade as offices write it (一年级, 高二, 八年级, 大班, 2022级)."""
    if not grade:
        return None
    cohort = re.match(r"^(\d{4})级", grade)
    if cohort:
        year = start_year - int(cohort.group(1)) + 1
        return year if 1 <= year <= 6 else None
    if stage == Stage.KINDERGARTEN:
        for word, year in (("小班", 1), ("中班", 2), ("大班", 3)):
            if word in grade:
                return year
    digits = "一二三四五六七八九"
    number = None
    for char in grade:
        if char.isdigit():
            number = int(char)
            break
        if char in digits:
            number = digits.index(char) + 1
            break
    if number is None:
        return None
    if stage == Stage.JUNIOR and number >= 7:
        number -= 6
    return number if 1 <= number <= 6 else None


class _Import:
    """Row validation and bulk writing for one kind of roster."""

    kind = ""
    written_models: tuple[type[Any], ...] = ()

    def __init__(self, *, layout: SheetLayout, township: Township | None) -> None:
        self.layout = layout
        self.township = township
        self.errors: list[RowError] = []
        self.bad_rows: set[int] = set()
        self.total = 0
        self.created = self.updated = self.unchanged = 0

    # -- errors

    def header(self, key: str) -> str:
        if key in self.layout.headers:
            return self.layout.headers[key]
        return next(c.label for c in COLUMNS[self.kind] if c.key == key)

    def error(self, row: int, key: str, message: str) -> None:
        self.errors.append(
            RowError(row=row, column=self.header(key) if key else "", message=message)
        )
        self.bad_rows.add(row)

    def text(
        self, row: SheetRow, key: str, *, max_length: int = 0, required: str = ""
    ) -> str | None:
        """The cell as text, or None after recording an error (control characters, length, blank)."""
        value = cell_text(row.values.get(key))
        if has_control_characters(value):
            self.error(row.number, key, "含有不可见的控制字符（如 NUL），请删除后重新导入")
            return None
        # Every roster column is one line (names, places, grades): a line break typed with
        # Alt+Enter becomes a space, as the models' name rule (validate_name) expects.
        value = _LINE_BREAKS.sub(" ", value)
        if not value and required:
            self.error(row.number, key, required)
            return None
        if max_length and len(value) > max_length:
            self.error(row.number, key, f"不能超过 {max_length} 个字")
            return None
        return value

    def yes_no(self, row: SheetRow, key: str) -> bool | None:
        try:
            return parse_yes_no(row.values.get(key))
        except CellError as exc:
            if has_control_characters(cell_text(row.values.get(key))):
                self.error(row.number, key, "含有不可见的控制字符（如 NUL），请删除后重新导入")
            else:
                self.error(row.number, key, f"{exc}，应填 是/否（或 √/×，空白视为否）")
            return None

    # -- the steps

    def read(self, rows: Iterable[SheetRow]) -> None:
        for row in rows:
            self.total += 1
            self.parse(row)
        self.cross_check()

    def parse(self, row: SheetRow) -> None:
        raise NotImplementedError

    def cross_check(self) -> None:
        """Checks between rows, after all rows are read."""

    def plan(self) -> None:
        """Compare the valid rows with the database and count new, changed and unchanged rows."""
        raise NotImplementedError

    def write(self, *, user: Any) -> None:
        raise NotImplementedError

    def report(self, *, dry_run: bool) -> ImportReport:
        if not self.errors:
            self.plan()  # may find more errors (rows another township owns)
        self.errors.sort(key=lambda e: e.row)
        return ImportReport(
            kind=self.kind,
            dry_run=dry_run,
            total_rows=self.total,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=len(self.bad_rows),
            errors=self.errors,
        )

    # -- places, loaded once

    def load_townships(self) -> dict[str, Township]:
        return {_place_name(t.name): t for t in Township.objects.all()}

    def check_township(self, row: SheetRow, townships: dict[str, Township]) -> Township | None:
        name = self.text(row, "township", required="乡镇不能为空")
        if name is None:
            return None
        township = townships.get(_place_name(name))
        if township is None:
            self.error(row.number, "township", f"乡镇“{name}”不存在")
            return None
        if self.township is not None and township.pk != self.township.pk:
            self.error(row.number, "township", f"不属于本乡镇（{self.township.name}），不能导入")
            return None
        return township


# ---------------------------------------------------------------------------
# Villages


@dataclass(slots=True)
class _VillageRow:
    number: int
    township_name: str
    name: str
    is_poor: bool


class _VillageImport(_Import):
    """Villages sheet: 乡镇, 村（社区）, 是否省定贫困村. A county-wide import creates missing townships."""

    kind = "villages"
    written_models = (Township, Village)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.townships = self.load_townships()
        self.rows: dict[tuple[str, str], _VillageRow] = {}
        self.duplicates = 0

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        township_name = self.text(row, "township", required="乡镇不能为空", max_length=30)
        if township_name is not None:
            township_name = _place_name(township_name)
            known = self.townships.get(township_name)
            if self.township is not None and (known is None or known.pk != self.township.pk):
                self.error(
                    row.number, "township", f"不属于本乡镇（{self.township.name}），不能导入"
                )
        name = self.text(row, "village", required="村（社区）名称不能为空", max_length=30)
        is_poor = self.yes_no(row, "poor")
        if len(self.errors) > before or township_name is None or name is None or is_poor is None:
            return
        parsed = _VillageRow(row.number, township_name, _place_name(name), is_poor)
        key = (parsed.township_name, parsed.name)
        first = self.rows.get(key)
        if first is None:
            self.rows[key] = parsed
        elif first.is_poor != parsed.is_poor:
            self.error(
                row.number, "poor", f"与第 {first.number} 行同一个村，但是否省定贫困村不一致"
            )
        else:
            self.duplicates += 1

    def plan(self) -> None:
        existing = {
            (_place_name(t), _place_name(n)): (pk, poor)
            for pk, t, n, poor in Village.objects.values_list(
                "pk", "township__name", "name", "is_poor_village"
            )
        }
        self.new: list[_VillageRow] = []
        self.changed: list[tuple[int, bool]] = []
        for key, parsed in self.rows.items():
            found = existing.get(key)
            if found is None:
                self.new.append(parsed)
            elif found[1] != parsed.is_poor:
                self.changed.append((found[0], parsed.is_poor))
            else:
                self.unchanged += 1
        self.created, self.updated = len(self.new), len(self.changed)
        self.unchanged += self.duplicates

    def write(self, *, user: Any) -> None:
        missing = sorted({p.township_name for p in self.new} - set(self.townships))
        Township.objects.bulk_create([Township(name=name) for name in missing])
        townships = self.load_townships()
        Village.objects.bulk_create(
            [
                Village(township=townships[p.township_name], name=p.name, is_poor_village=p.is_poor)
                for p in self.new
            ],
            batch_size=BATCH_SIZE,
        )
        Village.objects.bulk_update(
            [Village(pk=pk, is_poor_village=poor) for pk, poor in self.changed],
            ["is_poor_village"],
            batch_size=BATCH_SIZE,
        )


# ---------------------------------------------------------------------------
# Schools


_SCHOOL_FIELDS = (
    "township_id",
    "village_id",
    "stages",
    "ownership",
    "is_inclusive",
    "is_county_approved",
    "is_rural",
    "is_boarding",
    "tuition",
)


@dataclass(slots=True)
class _SchoolRow:
    number: int
    name: str
    values: tuple[Any, ...]  # in the order of _SCHOOL_FIELDS


class _SchoolImport(_Import):
    """Schools sheet: 学校名称, 乡镇, 村, 学段, 办学性质, 是否普惠性 … 学费标准（元/年）."""

    kind = "schools"
    written_models = (School,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.townships = self.load_townships()
        self.villages = {
            (v.township_id, _place_name(v.name)): v.pk
            for v in Village.objects.only("pk", "township_id", "name")
        }
        self.rows: dict[str, _SchoolRow] = {}
        self.duplicates = 0

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        name = self.text(row, "name", required="学校名称不能为空", max_length=60)
        township = self.check_township(row, self.townships)
        village_id = None
        village = self.text(row, "village", max_length=30)
        if village and township is not None:
            village_id = self.villages.get((township.pk, _place_name(village)))
            if village_id is None:
                self.error(
                    row.number, "village", f"村“{village}”不在{township.name}的村（社区）名册中"
                )
        stages: list[str] = []
        words = split_list(row.values.get("stages"))
        if not words:
            self.error(row.number, "stages", "学段不能为空")
        for word in words:
            codes = STAGE_WORDS.get(word)
            if codes is None:
                self.error(
                    row.number,
                    "stages",
                    f"学段“{word}”无法识别，应为 幼儿园/学前、小学、初中、普通高中/高中、中职、特殊教育",
                )
                continue
            stages.extend(c for c in codes if c not in stages)
        ownership_text = self.text(row, "ownership", required="办学性质不能为空（公办或民办）")
        ownership = OWNERSHIP_WORDS.get(_SPACES.sub("", ownership_text or ""))
        if ownership_text and ownership is None:
            self.error(
                row.number, "ownership", f"办学性质“{ownership_text}”无法识别，应为 公办 或 民办"
            )
        flags = [
            self.yes_no(row, key) for key in ("inclusive", "county_approved", "rural", "boarding")
        ]
        tuition = None
        try:
            tuition = parse_decimal(row.values.get("tuition"))
            if tuition < 0 or tuition >= Decimal("100000000"):
                self.error(row.number, "tuition", "学费标准应在 0 到 1 亿元之间")
                tuition = None
            else:
                tuition = tuition.quantize(Decimal("0.01"))
        except CellError as exc:
            self.error(row.number, "tuition", str(exc))
        if len(self.errors) > before or name is None or township is None or tuition is None:
            return
        ordered = ",".join(code for code in Stage.values if code in stages)
        parsed = _SchoolRow(
            row.number,
            _place_name(name),
            (township.pk, village_id, ordered, ownership, *flags, tuition),
        )
        first = self.rows.get(parsed.name)
        if first is None:
            self.rows[parsed.name] = parsed
        elif first.values != parsed.values:
            self.error(row.number, "name", f"与第 {first.number} 行是同一所学校，但内容不一致")
        else:
            self.duplicates += 1

    def plan(self) -> None:
        existing = {
            _place_name(values[0]): values[1:]
            for values in School.objects.values_list("name", "pk", *_SCHOOL_FIELDS)
        }
        self.new: list[_SchoolRow] = []
        self.changed: list[School] = []
        self.changed_fields: set[str] = set()
        for name, parsed in self.rows.items():
            found = existing.get(name)
            if found is None:
                self.new.append(parsed)
                continue
            pk, *current = found
            if self.township is not None and current[0] != self.township.pk:
                self.error(parsed.number, "name", "该学校已登记在其他乡镇，不能由本乡镇导入")
                continue
            diff = [
                f
                for f, old, new in zip(_SCHOOL_FIELDS, current, parsed.values, strict=True)
                if old != new
            ]
            if diff:
                self.changed.append(
                    School(pk=pk, **dict(zip(_SCHOOL_FIELDS, parsed.values, strict=True)))
                )
                self.changed_fields.update(diff)
            else:
                self.unchanged += 1
        self.created, self.updated = len(self.new), len(self.changed)
        self.unchanged += self.duplicates

    def write(self, *, user: Any) -> None:
        School.objects.bulk_create(
            [
                School(name=p.name, **dict(zip(_SCHOOL_FIELDS, p.values, strict=True)))
                for p in self.new
            ],
            batch_size=BATCH_SIZE,
        )
        if self.changed:
            School.objects.bulk_update(
                self.changed, sorted(self.changed_fields), batch_size=BATCH_SIZE
            )


# ---------------------------------------------------------------------------
# Students


@dataclass(slots=True)
class _StudentRow:
    number: int
    name: str
    id_number: str
    sex: str
    birth_date: dt.date
    village_id: int
    head_name: str
    phone: str
    categories: frozenset[str]
    is_orphan: bool
    is_martyr_child: bool
    is_disabled: bool
    school_id: int
    year_name: str
    stage: str
    grade: str
    class_name: str
    is_boarding: bool
    major: str
    is_agri_major: bool
    study_year: int | None

    def household_key(self) -> tuple[int, str]:
        return (self.village_id, self.head_name)

    def enrollment_key(self) -> tuple[str, int, str]:
        return (self.id_number, self.school_id, self.year_name)

    def student_values(self) -> tuple[Any, ...]:
        return (
            self.name,
            self.sex,
            self.birth_date,
            self.household_key(),
            self.is_orphan,
            self.is_martyr_child,
            self.is_disabled,
        )

    def enrollment_values(self) -> tuple[Any, ...]:
        return (
            self.stage,
            self.grade,
            self.class_name,
            self.is_boarding,
            self.major,
            self.is_agri_major,
            self.study_year,
        )


_STUDENT_COMPARED = (
    "name",
    "sex",
    "birth_date",
    "household_id",
    "is_orphan",
    "is_martyr_child",
    "is_disabled",
)
_ENROLLMENT_COMPARED = (
    "stage",
    "grade",
    "class_name",
    "is_boarding",
    "major",
    "is_agri_major",
    "study_year",
)
_STUDENT_CONFLICT_LABELS = ("姓名", "性别", "出生日期", "村和户主", "孤儿", "烈士子女", "残疾")


class _StudentImport(_Import):
    """Students sheet: one row per enrollment; creates or updates household, hardships, student, enrollment."""

    kind = "students"
    written_models = (Household, HouseholdHardship, Student, Enrollment)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.townships = self.load_townships()
        self.villages = {
            (v.township_id, _place_name(v.name)): v.pk
            for v in Village.objects.only("pk", "township_id", "name")
        }
        self.schools = {
            _place_name(s.name): (s.pk, s.township_id, frozenset(s.stage_list), s.name)
            for s in School.objects.only("pk", "name", "township_id", "stages")
        }
        self.today = timezone.localdate()
        self.rows: list[_StudentRow] = []
        self.names_by_id: dict[str, list[tuple[int, str]]] = {}
        self._interned: dict[Any, Any] = {}

    def _share(self, value: Any) -> Any:
        """One object per distinct value: 100,000 rows repeat a few hundred grades and sets."""
        return self._interned.setdefault(value, value)

    def parse(self, row: SheetRow) -> None:  # noqa: C901 - one check per column, in sheet order
        number = row.number
        before = len(self.errors)

        name = self.text(row, "name", required="姓名不能为空", max_length=30)
        if name is not None:
            name = _clean_name(name)

        facts = None
        try:
            id_text = id_cell_text(row.values.get("id_number"))
            if has_control_characters(id_text):
                raise IdNumberError("身份证号含有不可见的控制字符（如 NUL）")
            facts = check_id_number(id_text, today=self.today)
        except (CellError, IdNumberError) as exc:
            self.error(number, "id_number", str(exc))
        if facts is not None and name:
            self.names_by_id.setdefault(facts.number, []).append((number, name))

        sex_text = self.text(row, "sex")
        if sex_text:
            given = SEX_WORDS.get(sex_text)
            if given is None:
                self.error(number, "sex", f"性别“{sex_text}”无法识别，应为 男 或 女")
            elif facts is not None and given != facts.sex:
                actual = "男" if facts.sex == "M" else "女"
                self.error(number, "sex", f"与身份证号不符（身份证号显示为{actual}）")

        township = self.check_township(row, self.townships)
        village_id = None
        village = self.text(row, "village", required="村（社区）不能为空")
        if village and township is not None:
            village_id = self.villages.get((township.pk, _place_name(village)))
            if village_id is None:
                self.error(number, "village", f"村“{village}”不在{township.name}的村（社区）名册中")

        head_name = self.text(row, "head_name", required="户主姓名不能为空", max_length=30)
        if head_name is not None:
            head_name = _clean_name(head_name)

        phone = self.text(row, "phone")
        if phone:
            phone = re.sub(r"[\s\-]", "", phone)
            if not _MOBILE.match(phone):
                self.error(number, "phone", f"联系电话“{phone}”不是 11 位手机号码")

        categories: set[str] = set()
        for word in split_list(row.values.get("household_categories")):
            if word not in HOUSEHOLD_WORDS:
                self.error(
                    number,
                    "household_categories",
                    f"家庭类别“{word}”无法识别，应为 建档立卡、低保、特困、其他困难",
                )
            elif HOUSEHOLD_WORDS[word]:
                categories.add(HOUSEHOLD_WORDS[word])
        personal: set[str] = set()
        for word in split_list(row.values.get("personal_categories")):
            if word not in PERSONAL_WORDS:
                self.error(
                    number,
                    "personal_categories",
                    f"个人类别“{word}”无法识别，应为 孤儿、烈士子女、残疾",
                )
            elif PERSONAL_WORDS[word]:
                personal.add(PERSONAL_WORDS[word])

        school = None
        school_name = self.text(row, "school", required="学校不能为空")
        if school_name:
            school = self.schools.get(_place_name(school_name))
            if school is None:
                self.error(number, "school", f"学校“{school_name}”不存在，请先导入学校名册")
            elif self.township is not None and school[1] != self.township.pk:
                self.error(number, "school", f"不属于本乡镇（{self.township.name}），不能导入")
                school = None

        stage = None
        stage_text = self.text(row, "stage", required="学段不能为空")
        if stage_text:
            codes = STAGE_WORDS.get(_SPACES.sub("", stage_text))
            if codes is None or stage_text in _SCHOOL_ONLY_STAGE_WORDS:
                self.error(
                    number,
                    "stage",
                    f"学段“{stage_text}”无法识别，应为 幼儿园/学前、小学、初中、普通高中/高中、中职、特殊教育",
                )
            else:
                stage = codes[0]
                if school is not None and stage not in school[2]:
                    self.error(number, "stage", f"{school[3]}没有“{stage_text}”学段")

        grade = self.text(row, "grade", max_length=20)
        class_name = self.text(row, "class_name", max_length=20)
        boarding = self.yes_no(row, "boarding")
        major = self.text(row, "major", max_length=40)
        agri = self.yes_no(row, "agri")

        year_name = None
        year_text = self.text(row, "school_year", required="学年不能为空")
        if year_text:
            try:
                year_name = parse_school_year(year_text)
            except SchoolYearError as exc:
                self.error(number, "school_year", str(exc))

        if facts is not None and stage is not None and year_name is not None:
            # The same rule as Enrollment.clean, so the admin and the importer agree.
            problem = stage_age_error(birth_date=facts.birth_date, stage=stage, school_year=year_name)
            if problem:
                self.error(number, "id_number", problem)

        if len(self.errors) > before:
            return
        # Every value is known good here; the asserts narrow the types.
        assert name and facts and village_id and head_name is not None and school and stage
        assert year_name and grade is not None and class_name is not None and major is not None
        grade, class_name = self._share(grade), self._share(class_name)
        self.rows.append(
            _StudentRow(
                number=number,
                name=name,
                id_number=facts.number,
                sex=facts.sex,
                birth_date=facts.birth_date,
                village_id=village_id,
                head_name=head_name,
                phone=phone or "",
                categories=self._share(frozenset(categories)),
                is_orphan="is_orphan" in personal,
                is_martyr_child="is_martyr_child" in personal,
                is_disabled="is_disabled" in personal,
                school_id=school[0],
                year_name=self._share(year_name),
                stage=stage,
                grade=grade,
                class_name=class_name,
                is_boarding=bool(boarding),
                major=self._share(major),
                is_agri_major=bool(agri),
                study_year=_study_year(grade, stage, int(year_name[:4])),
            )
        )

    def cross_check(self) -> None:
        # The same ID with different names: an error on every row that carries it.
        for seen in self.names_by_id.values():
            if len(seen) > 1 and len({n for _, n in seen}) > 1:
                for number, name in seen:
                    others = "、".join(
                        f"第 {n} 行（{other}）"
                        for n, other in seen
                        if n != number and other != name
                    )
                    self.error(number, "id_number", f"身份证号与{others}相同，但姓名不同")
        self.names_by_id.clear()
        bad = self.bad_rows
        first_student: dict[str, _StudentRow] = {}
        first_household: dict[tuple[int, str], _StudentRow] = {}
        first_enrollment: dict[tuple[str, int, str], _StudentRow] = {}
        kept: list[_StudentRow] = []
        self.duplicates = 0
        for parsed in self.rows:
            if parsed.number in bad:
                continue
            first = first_student.setdefault(parsed.id_number, parsed)
            if first is not parsed and first.student_values() != parsed.student_values():
                differs = [
                    label
                    for label, a, b in zip(
                        _STUDENT_CONFLICT_LABELS,
                        first.student_values(),
                        parsed.student_values(),
                        strict=True,
                    )
                    if a != b
                ]
                self.error(
                    parsed.number,
                    "id_number",
                    f"与第 {first.number} 行是同一学生，但{'、'.join(differs)}不一致",
                )
                continue
            home = first_household.setdefault(parsed.household_key(), parsed)
            if home is not parsed:
                if home.categories != parsed.categories:
                    self.error(
                        parsed.number,
                        "household_categories",
                        f"与第 {home.number} 行是同一户（同村同户主），但家庭类别不一致",
                    )
                    continue
                if parsed.phone and home.phone and parsed.phone != home.phone:
                    self.error(
                        parsed.number,
                        "phone",
                        f"与第 {home.number} 行是同一户（同村同户主），但联系电话不一致",
                    )
                    continue
                if parsed.phone and not home.phone:
                    home.phone = parsed.phone
            key = parsed.enrollment_key()
            seen_enrollment = first_enrollment.setdefault(key, parsed)
            if seen_enrollment is not parsed:
                if seen_enrollment.enrollment_values() != parsed.enrollment_values():
                    self.error(
                        parsed.number,
                        "",
                        f"与第 {seen_enrollment.number} 行是同一学生同一学校同一学年，但学段、年级、班级等不一致",
                    )
                else:
                    self.duplicates += 1  # an identical repeat: harmless, counted as unchanged
                continue
            kept.append(parsed)
        self.rows = kept
        self.household_rows = first_household  # key -> the row that speaks for the household

    # -- comparing with the database

    def plan(self) -> None:
        rows = self.rows
        village_ids = sorted({r.village_id for r in rows})
        # What exists, as small tuples (a dict per row costs half a kilobyte more at county
        # scale); the few rows that change are fetched whole when they are written.
        households: dict[tuple[int, str], tuple[int, str]] = {}  # key -> (pk, phone)
        for chunk in _chunks(village_ids, IN_CHUNK):
            for pk, village_id, head_name, phone in Household.objects.filter(
                village_id__in=chunk
            ).values_list("pk", "village_id", "head_name", "phone"):
                households[(village_id, head_name)] = (pk, phone)
        hardships: dict[int, dict[str, int]] = {}
        # By household key, not through a join on villages: right after a county-size
        # import PostgreSQL's statistics still say the tables are empty, and the join's
        # plan then ran past the statement timeout on the next import.
        household_pks = sorted(pk for pk, _ in households.values())
        for chunk in _chunks(household_pks, IN_CHUNK):
            for pk, household_id, category in HouseholdHardship.objects.filter(
                household_id__in=chunk
            ).values_list("pk", "household_id", "category"):
                hardships.setdefault(household_id, {})[category] = pk

        id_numbers = sorted({r.id_number for r in rows})
        # id_number -> (pk, township, *_STUDENT_COMPARED)
        students: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(id_numbers, IN_CHUNK):
            for id_number, *values in Student.objects.filter(id_number__in=chunk).values_list(
                "id_number", "pk", "household__village__township_id", *_STUDENT_COMPARED
            ):
                students[id_number] = tuple(values)
        year_names = sorted({r.year_name for r in rows})
        years = dict(SchoolYear.objects.filter(name__in=year_names).values_list("name", "pk"))
        # (student, school, year) -> (pk, *_ENROLLMENT_COMPARED)
        enrollments: dict[tuple[int, int, int], tuple[Any, ...]] = {}
        student_pks = sorted(s[0] for s in students.values())
        if years:
            for chunk in _chunks(student_pks, IN_CHUNK):
                for student_id, school_id, year_id, *values in Enrollment.objects.filter(
                    student_id__in=chunk, school_year_id__in=years.values()
                ).values_list(
                    "student_id", "school_id", "school_year_id", "pk", *_ENROLLMENT_COMPARED
                ):
                    enrollments[(student_id, school_id, year_id)] = tuple(values)

        # Households: new ones, changed phones, and each household's categories set replaced.
        self.new_households: list[tuple[int, str, str]] = []
        self.changed_households: list[tuple[int, str]] = []  # (pk, new phone)
        self.hardships_to_delete: list[int] = []
        self.hardships_to_add: list[tuple[tuple[int, str], str]] = []
        touched_households: set[tuple[int, str]] = set()
        for key, speaker in self.household_rows.items():
            if speaker.number in self.bad_rows:
                continue
            record = households.get(key)
            if record is None:
                self.new_households.append((key[0], key[1], speaker.phone))
                self.hardships_to_add.extend((key, c) for c in sorted(speaker.categories))
                continue
            current = hardships.get(record[0], {})
            if speaker.phone and speaker.phone != record[1]:
                self.changed_households.append((record[0], speaker.phone))
                touched_households.add(key)
            removed = [pk for category, pk in current.items() if category not in speaker.categories]
            added = [c for c in sorted(speaker.categories) if c not in current]
            if removed or added:
                touched_households.add(key)
                self.hardships_to_delete.extend(removed)
                self.hardships_to_add.extend((key, c) for c in added)

        # Students and enrollments.
        self.new_students: list[_StudentRow] = []
        self.changed_students: list[tuple[int, _StudentRow]] = []
        self.new_enrollments: list[_StudentRow] = []
        self.changed_enrollments: list[tuple[int, tuple[Any, ...]]] = []
        planned_students: set[str] = set()
        for parsed in rows:
            record = students.get(parsed.id_number)
            household = households.get(parsed.household_key())
            row_created = row_updated = False
            if record is None:
                if parsed.id_number not in planned_students:
                    self.new_students.append(parsed)
                    planned_students.add(parsed.id_number)
                row_created = True
            else:
                if self.township is not None and record[1] != self.township.pk:
                    self.error(
                        parsed.number,
                        "id_number",
                        "该学生已登记在其他乡镇，不能由本乡镇导入，请联系县资助中心",
                    )
                    continue
                wanted = (
                    parsed.name,
                    parsed.sex,
                    parsed.birth_date,
                    household[0] if household else None,
                    parsed.is_orphan,
                    parsed.is_martyr_child,
                    parsed.is_disabled,
                )
                if wanted != record[2:]:
                    if parsed.id_number not in planned_students:
                        self.changed_students.append((record[0], parsed))
                        planned_students.add(parsed.id_number)
                    row_updated = True
            year_pk = years.get(parsed.year_name)
            enrollment = None
            if record is not None and year_pk is not None:
                enrollment = enrollments.get((record[0], parsed.school_id, year_pk))
            if enrollment is None:
                self.new_enrollments.append(parsed)
                row_created = True
            else:
                wanted_enrollment = parsed.enrollment_values()
                if wanted_enrollment != enrollment[1:]:
                    self.changed_enrollments.append((enrollment[0], wanted_enrollment))
                    row_updated = True
            if parsed.household_key() in touched_households:
                row_updated = True
            if row_created:
                self.created += 1
            elif row_updated:
                self.updated += 1
            else:
                self.unchanged += 1
        self.unchanged += self.duplicates
        self.missing_years = [name for name in year_names if name not in years]

    # -- writing

    def write(self, *, user: Any) -> None:
        now = timezone.now()
        if user is not None and not user.is_authenticated:
            user = None
        history = {
            "default_user": user,
            "default_change_reason": CHANGE_REASON,
            "default_date": now,
        }
        for name in self.missing_years:
            school_year_open(name=name)
        year_pks = dict(
            SchoolYear.objects.filter(name__in={r.year_name for r in self.rows}).values_list(
                "name", "pk"
            )
        )

        # Households first: students point at them.
        household_pks: dict[tuple[int, str], int] = {}
        for chunk in _chunks(self.new_households):
            created = bulk_create_with_history(
                [Household(village_id=v, head_name=h, phone=p) for v, h, p in chunk],
                Household,
                batch_size=BATCH_SIZE,
                **history,
            )
            household_pks.update({(obj.village_id, obj.head_name): obj.pk for obj in created})
        for chunk in _chunks(self.changed_households):
            objects = Household.objects.in_bulk([pk for pk, _ in chunk])
            for pk, phone in chunk:
                objects[pk].phone = phone
            bulk_update_with_history(
                list(objects.values()), Household, ["phone"], batch_size=BATCH_SIZE, **history
            )
        if any(key not in household_pks for key in self.household_rows):
            village_ids = sorted({key[0] for key in self.household_rows})
            for chunk in _chunks(village_ids, IN_CHUNK):
                for pk, village_id, head_name in Household.objects.filter(
                    village_id__in=chunk
                ).values_list("pk", "village_id", "head_name"):
                    household_pks.setdefault((village_id, head_name), pk)

        self._hardships_delete(history)
        for chunk in _chunks(self.hardships_to_add):
            bulk_create_with_history(
                [
                    HouseholdHardship(household_id=household_pks[key], category=c)
                    for key, c in chunk
                ],
                HouseholdHardship,
                batch_size=BATCH_SIZE,
                **history,
            )

        student_pks: dict[str, int] = {}
        for chunk in _chunks(self.new_students):
            created = bulk_create_with_history(
                [
                    Student(
                        name=p.name,
                        id_number=p.id_number,
                        sex=p.sex,
                        birth_date=p.birth_date,
                        household_id=household_pks[p.household_key()],
                        is_orphan=p.is_orphan,
                        is_martyr_child=p.is_martyr_child,
                        is_disabled=p.is_disabled,
                    )
                    for p in chunk
                ],
                Student,
                batch_size=BATCH_SIZE,
                **history,
            )
            student_pks.update({obj.id_number: obj.pk for obj in created})
        for chunk in _chunks(self.changed_students):
            objects = Student.objects.in_bulk([pk for pk, _ in chunk])
            for pk, parsed in chunk:
                wanted = (
                    parsed.name,
                    parsed.sex,
                    parsed.birth_date,
                    household_pks[parsed.household_key()],
                    parsed.is_orphan,
                    parsed.is_martyr_child,
                    parsed.is_disabled,
                )
                for name, value in zip(_STUDENT_COMPARED, wanted, strict=True):
                    setattr(objects[pk], name, value)
                student_pks[parsed.id_number] = pk
            bulk_update_with_history(
                list(objects.values()),
                Student,
                list(_STUDENT_COMPARED),
                batch_size=BATCH_SIZE,
                **history,
            )
        missing = sorted({p.id_number for p in self.new_enrollments} - set(student_pks))
        for chunk in _chunks(missing, IN_CHUNK):
            student_pks.update(
                Student.objects.filter(id_number__in=chunk).values_list("id_number", "pk")
            )

        for chunk in _chunks(self.new_enrollments):
            bulk_create_with_history(
                [
                    Enrollment(
                        student_id=student_pks[p.id_number],
                        school_id=p.school_id,
                        school_year_id=year_pks[p.year_name],
                        stage=p.stage,
                        grade=p.grade,
                        class_name=p.class_name,
                        is_boarding=p.is_boarding,
                        major=p.major,
                        is_agri_major=p.is_agri_major,
                        study_year=p.study_year,
                        status=EnrollmentStatus.STUDYING,
                    )
                    for p in chunk
                ],
                Enrollment,
                batch_size=BATCH_SIZE,
                **history,
            )
        for chunk in _chunks(self.changed_enrollments):
            objects = Enrollment.objects.in_bulk([pk for pk, _ in chunk])
            for pk, wanted in chunk:
                for name, value in zip(_ENROLLMENT_COMPARED, wanted, strict=True):
                    setattr(objects[pk], name, value)
            bulk_update_with_history(
                list(objects.values()),
                Enrollment,
                list(_ENROLLMENT_COMPARED),
                batch_size=BATCH_SIZE,
                **history,
            )

    def _hardships_delete(self, history: dict[str, Any]) -> None:
        """Delete replaced categories, recording a `-` history row for each (simple-history has no bulk delete)."""
        historical = HouseholdHardship.history.model
        tracked = [f.attname for f in historical.tracked_fields]
        for chunk in _chunks(self.hardships_to_delete, IN_CHUNK):
            doomed = list(HouseholdHardship.objects.filter(pk__in=chunk))
            historical.objects.bulk_create(
                [
                    historical(
                        history_date=history["default_date"],
                        history_user=history["default_user"],
                        history_change_reason=CHANGE_REASON,
                        history_type="-",
                        **{name: getattr(obj, name) for name in tracked},
                    )
                    for obj in doomed
                ],
                batch_size=BATCH_SIZE,
            )
            # A plain DELETE: the history rows are written above in bulk, while
            # QuerySet.delete() would send post_delete and insert them one by one.
            doomed_qs = HouseholdHardship.objects.filter(pk__in=chunk)
            doomed_qs._raw_delete(doomed_qs.db)


__all__ = ["KINDS", "ImportFileError", "ImportReport", "RowError", "roster_import"]
