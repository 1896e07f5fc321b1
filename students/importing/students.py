"""The students sheet: one row per enrollment, with the student's household and categories.

Each row is checked column by column in sheet order, then rows are checked
against each other (one student, one household, one enrollment per school
and year must read the same wherever they repeat). `student_plan` compares
what is left with the database and writes it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils import timezone

from aidsite.lib.excel import CellError, SheetRow, has_control_characters, id_cell_text, split_list
from aidsite.lib.idcard import IdCardFacts, IdNumberError, check_id_number
from students.importing.sheets import SheetImport
from students.importing.student_plan import StudentPlan, StudentRow
from students.importing.words import (
    HOUSEHOLD_WORDS,
    PERSONAL_WORDS,
    SCHOOL_ONLY_STAGE_WORDS,
    SEX_WORDS,
    SPACES,
    STAGE_HINT,
    STAGE_WORDS,
    clean_name,
    cohort_year,
    entry_year,
    place_name,
    study_year,
)
from students.models import (
    Enrollment,
    Household,
    HouseholdHardship,
    School,
    Stage,
    Student,
    stage_age_error,
)
from students.school_years import SchoolYearError, parse_school_year

if TYPE_CHECKING:
    from aidsite.access import Actor

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-]")
_STUDENT_CONFLICT_LABELS = ("姓名", "性别", "出生日期", "村和户主", "孤儿", "烈士子女", "残疾")

# A school as the rows need it: pk, township, its stage codes, its name as registered.
SchoolFacts = tuple[int, int, frozenset[str], str]


class _Home(NamedTuple):
    """The household columns of one row, each None once found bad."""

    village_id: int | None
    head_name: str | None
    phone: str | None
    categories: set[str]


class _Study(NamedTuple):
    """The enrollment columns of one row, each None once found bad."""

    school: SchoolFacts | None
    stage: str | None
    grade: str | None
    class_name: str | None
    boarding: bool | None
    major: str | None
    agri: bool | None
    year_name: str | None
    study_year: int | None


class StudentImport(SheetImport):
    """Students sheet: one row per enrollment; creates or updates household, hardships, student, enrollment."""

    kind = "students"
    written_models = (Household, HouseholdHardship, Student, Enrollment)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.townships = self.load_townships()
        self.villages = self.load_villages()
        self.schools: dict[str, SchoolFacts] = {
            place_name(s.name): (s.pk, s.township_id, frozenset(s.stage_list), s.name)
            for s in School.objects.only("pk", "name", "township_id", "stages")
        }
        self.today = timezone.localdate()
        self.rows: list[StudentRow] = []
        self.names_by_id: dict[str, list[tuple[int, str]]] = {}
        self._interned: dict[Any, Any] = {}
        self.duplicates = 0

    def _share(self, value: Any) -> Any:
        """One object per distinct value: 100,000 rows repeat a few hundred grades and sets."""
        return self._interned.setdefault(value, value)

    # -- one row, column by column in sheet order (the order its errors are listed in)

    def parse(self, row: SheetRow) -> None:
        before = len(self.errors)
        name, facts = self._person(row)
        home = self._household(row)
        personal = self._categories(
            row, "personal_categories", PERSONAL_WORDS, "个人类别", "孤儿、烈士子女、残疾"
        )
        study = self._study(row)
        if facts is not None and study.stage is not None and study.year_name is not None:
            # The same rule as Enrollment.clean, so the admin and the importer agree.
            problem = stage_age_error(
                birth_date=facts.birth_date, stage=study.stage, school_year=study.year_name
            )
            if problem:
                self.error(row.number, "id_number", problem)
        if len(self.errors) > before:
            return
        self.rows.append(self._student_row(row.number, name, facts, home, personal, study))

    def _person(self, row: SheetRow) -> tuple[str | None, IdCardFacts | None]:
        """姓名, 身份证号, 性别: the name, and what the ID number says (birth date, sex)."""
        name = self.text(row, "name", required="姓名不能为空", max_length=30)
        if name is not None:
            name = clean_name(name)
        facts = self._id_number(row)
        if facts is not None and name:
            self.names_by_id.setdefault(facts.number, []).append((row.number, name))
        sex_text = self.text(row, "sex")
        if sex_text:
            given = SEX_WORDS.get(sex_text)
            if given is None:
                self.error(row.number, "sex", f"性别“{sex_text}”无法识别，应为 男 或 女")
            elif facts is not None and given != facts.sex:
                actual = "男" if facts.sex == "M" else "女"
                self.error(row.number, "sex", f"与身份证号不符（身份证号显示为{actual}）")
        return name, facts

    def _id_number(self, row: SheetRow) -> IdCardFacts | None:
        try:
            id_text = id_cell_text(row.values.get("id_number"))
            if has_control_characters(id_text):
                raise IdNumberError("身份证号含有不可见的控制字符（如 NUL）")
            return check_id_number(id_text, today=self.today)
        except (CellError, IdNumberError) as exc:
            self.error(row.number, "id_number", str(exc))
            return None

    def _household(self, row: SheetRow) -> _Home:
        """乡镇, 村, 户主姓名, 联系电话, 家庭类别."""
        township = self.check_township(row, self.townships)
        village_id = self.check_village(row, self.villages, township, required="村（社区）不能为空")
        head_name = self.text(row, "head_name", required="户主姓名不能为空", max_length=30)
        if head_name is not None:
            head_name = clean_name(head_name)
        phone = self.text(row, "phone")
        if phone:
            phone = _PHONE_SEPARATORS.sub("", phone)
            if not _MOBILE.match(phone):
                self.error(row.number, "phone", f"联系电话“{phone}”不是 11 位手机号码")
        categories = self._categories(
            row,
            "household_categories",
            HOUSEHOLD_WORDS,
            "家庭类别",
            "建档立卡、低保、特困、其他困难",
        )
        return _Home(village_id, head_name, phone, categories)

    def _categories(
        self, row: SheetRow, key: str, words: dict[str, str | None], label: str, hint: str
    ) -> set[str]:
        """The categories a list cell names (、, commas or spaces between them); 无 names none."""
        found: set[str] = set()
        for word in split_list(row.values.get(key)):
            if word not in words:
                self.error(row.number, key, f"{label}“{word}”无法识别，应为 {hint}")
            elif words[word]:
                found.add(words[word])
        return found

    def _study(self, row: SheetRow) -> _Study:
        """学校, 学段, 年级, 班级, 是否寄宿, 专业, 是否涉农专业, 学年, 入学年份."""
        school = self._school(row)
        stage = self._stage(row, school)
        grade = self.text(row, "grade", max_length=20)
        class_name = self.text(row, "class_name", max_length=20)
        boarding = self.yes_no(row, "boarding")
        major = self.text(row, "major", max_length=40)
        agri = self.yes_no(row, "agri")
        year_name = self._school_year(row)
        year = self._study_year(row, stage, grade, class_name, year_name)
        return _Study(school, stage, grade, class_name, boarding, major, agri, year_name, year)

    def _study_year(
        self,
        row: SheetRow,
        stage: str | None,
        grade: str | None,
        class_name: str | None,
        year_name: str | None,
    ) -> int | None:
        """The year of study; for a vocational student (VOC-GRANT pays years 1 and 2) a must."""
        entered_text = self.text(row, "entry_year")
        entered = entry_year(entered_text) if entered_text else None
        if entered_text and entered is None:
            self.error(row.number, "entry_year", f"入学年份“{entered_text}”应为四位年份，如 2021")
            return None
        if stage is None or grade is None or class_name is None or year_name is None:
            return None
        start = int(year_name[:4])
        year = study_year(grade, stage, start, class_name=class_name, entered=entered)
        if year is not None or stage != Stage.VOCATIONAL:
            return year
        cohort = entered or cohort_year(grade) or cohort_year(class_name)
        if cohort is not None:
            key = "entry_year" if entered else "grade" if cohort_year(grade) else "class_name"
            self.error(row.number, key, f"入学年份 {cohort} 与学年 {year_name} 不符，无法算出中职在读年级")
        else:
            self.error(
                row.number,
                "grade",
                f"无法确定中职学生在读第几年：年级“{grade}”、班级“{class_name}”都未写明；"
                "请在年级填写 一年级、二年级（或 高一、2021级），或填写“入学年份”列",
            )
        return None

    def _school(self, row: SheetRow) -> SchoolFacts | None:
        school_name = self.text(row, "school", required="学校不能为空")
        if not school_name:
            return None
        school = self.schools.get(place_name(school_name))
        if school is None:
            self.error(row.number, "school", f"学校“{school_name}”不存在，请先导入学校名册")
        elif self.township is not None and school[1] != self.township.pk:
            self.error(row.number, "school", self.outside_township())
            return None
        return school

    def _stage(self, row: SheetRow, school: SchoolFacts | None) -> str | None:
        stage_text = self.text(row, "stage", required="学段不能为空")
        if not stage_text:
            return None
        codes = STAGE_WORDS.get(SPACES.sub("", stage_text))
        if codes is None or stage_text in SCHOOL_ONLY_STAGE_WORDS:
            self.error(row.number, "stage", f"学段“{stage_text}”无法识别，{STAGE_HINT}")
            return None
        stage = codes[0]
        if school is not None and stage not in school[2]:
            self.error(row.number, "stage", f"{school[3]}没有“{stage_text}”学段")
        return stage

    def _school_year(self, row: SheetRow) -> str | None:
        year_text = self.text(row, "school_year", required="学年不能为空")
        if not year_text:
            return None
        try:
            return parse_school_year(year_text)
        except SchoolYearError as exc:
            self.error(row.number, "school_year", str(exc))
            return None

    def _student_row(
        self,
        number: int,
        name: str | None,
        facts: IdCardFacts | None,
        home: _Home,
        personal: set[str],
        study: _Study,
    ) -> StudentRow:
        """The row's values, every one known good (the asserts narrow the types)."""
        village_id, head_name, phone, categories = home
        school, stage, grade, class_name, boarding, major, agri, year_name, year = study
        assert name and facts and village_id and head_name is not None and school and stage
        assert year_name and grade is not None and class_name is not None and major is not None
        grade, class_name = self._share(grade), self._share(class_name)
        return StudentRow(
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
            study_year=year,
        )

    # -- rows against each other

    def cross_check(self) -> None:
        self._check_names_by_id()
        first_student: dict[str, StudentRow] = {}
        first_household: dict[tuple[int, str], StudentRow] = {}
        first_enrollment: dict[tuple[str, int, str], StudentRow] = {}
        kept: list[StudentRow] = []
        self.duplicates = 0
        for parsed in self.rows:
            if parsed.number in self.bad_rows:
                continue
            if (
                self._student_differs(parsed, first_student)
                or self._household_differs(parsed, first_household)
                or self._enrollment_repeated(parsed, first_enrollment)
            ):
                continue
            kept.append(parsed)
        self.rows = kept
        self.household_rows = first_household  # key -> the row that speaks for the household

    def _check_names_by_id(self) -> None:
        """The same ID with different names: an error on every row that carries it."""
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

    def _student_differs(self, parsed: StudentRow, first_student: dict[str, StudentRow]) -> bool:
        """Whether an earlier row has this ID number with other personal facts (an error)."""
        first = first_student.setdefault(parsed.id_number, parsed)
        if first is parsed or first.student_values() == parsed.student_values():
            return False
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
        return True

    def _household_differs(
        self, parsed: StudentRow, first_household: dict[tuple[int, str], StudentRow]
    ) -> bool:
        """Whether an earlier row of the household (same village and head) disagrees (an error).

        The first row speaks for the household; a phone only a later row gives is kept.
        """
        home = first_household.setdefault(parsed.household_key(), parsed)
        if home is parsed:
            return False
        if home.categories != parsed.categories:
            self.error(
                parsed.number,
                "household_categories",
                f"与第 {home.number} 行是同一户（同村同户主），但家庭类别不一致",
            )
            return True
        if parsed.phone and home.phone and parsed.phone != home.phone:
            self.error(
                parsed.number,
                "phone",
                f"与第 {home.number} 行是同一户（同村同户主），但联系电话不一致",
            )
            return True
        if parsed.phone and not home.phone:
            home.phone = parsed.phone
        return False

    def _enrollment_repeated(
        self, parsed: StudentRow, first_enrollment: dict[tuple[str, int, str], StudentRow]
    ) -> bool:
        """Whether an earlier row enrolls the student in the same school and year.

        An identical repeat is harmless and counted as unchanged; a different one is an error.
        """
        seen = first_enrollment.setdefault(parsed.enrollment_key(), parsed)
        if seen is parsed:
            return False
        if seen.enrollment_values() != parsed.enrollment_values():
            self.error(
                parsed.number,
                "",
                f"与第 {seen.number} 行是同一学生同一学校同一学年，但学段、年级、班级等不一致",
            )
        else:
            self.duplicates += 1
        return True

    # -- the database

    def plan(self) -> None:
        self.changes = StudentPlan(
            rows=self.rows,
            household_rows=self.household_rows,
            bad_rows=self.bad_rows,
            township=self.township,
            error=self.error,
        )
        self.changes.compare()
        self.created = self.changes.created
        self.updated = self.changes.updated
        self.unchanged = self.changes.unchanged + self.duplicates

    def write(self, *, actor: Actor) -> None:
        self.changes.write(actor=actor)
