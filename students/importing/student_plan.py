"""What a valid students sheet changes in the database, and writing exactly that.

What exists is read as small tuples, by key in batches of `IN_CHUNK` (a dict
per row costs half a kilobyte more at county scale, a query per row far
more); the few rows that change are fetched whole only when written. Every
write is in bulk with its history rows (SECURITY C4); a row that changes
nothing touches nothing, so importing the same file twice is a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from aidsite.access import actor_user
from students.importing.sheets import BATCH_SIZE, CHANGE_REASON, IN_CHUNK, chunks
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    HouseholdHardship,
    SchoolYear,
    Student,
    Township,
)
from students.school_years import school_year_open

if TYPE_CHECKING:
    from aidsite.access import Actor

# The columns compared and written, in the order of StudentRow's values.
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
_NEW, _CHANGED, _SAME = "new", "changed", "same"


@dataclass(slots=True)
class StudentRow:
    """One valid row of the students sheet: a student, their household and one enrollment."""

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
        return self.student_fields(self.household_key())

    def student_fields(self, household: Any) -> tuple[Any, ...]:
        """The values of `_STUDENT_COMPARED`, with `household` standing for the household."""
        return (
            self.name,
            self.sex,
            self.birth_date,
            household,
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


def _existing_households(village_ids: list[int]) -> dict[tuple[int, str], tuple[int, str]]:
    """(village, head) -> (pk, phone) of every household in these villages."""
    households: dict[tuple[int, str], tuple[int, str]] = {}
    for chunk in chunks(village_ids, IN_CHUNK):
        for pk, village_id, head_name, phone in Household.objects.filter(
            village_id__in=chunk
        ).values_list("pk", "village_id", "head_name", "phone"):
            households[(village_id, head_name)] = (pk, phone)
    return households


def _existing_hardships(household_pks: list[int]) -> dict[int, dict[str, int]]:
    """household pk -> {category: hardship pk}.

    By household key, not through a join on villages: right after a county-size
    import PostgreSQL's statistics still say the tables are empty, and the join's
    plan then ran past the statement timeout on the next import.
    """
    hardships: dict[int, dict[str, int]] = {}
    for chunk in chunks(household_pks, IN_CHUNK):
        for pk, household_id, category in HouseholdHardship.objects.filter(
            household_id__in=chunk
        ).values_list("pk", "household_id", "category"):
            hardships.setdefault(household_id, {})[category] = pk
    return hardships


def _existing_students(id_numbers: list[str]) -> dict[str, tuple[Any, ...]]:
    """id_number -> (pk, township, *_STUDENT_COMPARED)."""
    students: dict[str, tuple[Any, ...]] = {}
    for chunk in chunks(id_numbers, IN_CHUNK):
        for id_number, *values in Student.objects.filter(id_number__in=chunk).values_list(
            "id_number", "pk", "household__village__township_id", *_STUDENT_COMPARED
        ):
            students[id_number] = tuple(values)
    return students


def _existing_enrollments(
    student_pks: list[int], year_pks: Iterable[int]
) -> dict[tuple[int, int, int], tuple[Any, ...]]:
    """(student, school, year) -> (pk, *_ENROLLMENT_COMPARED)."""
    enrollments: dict[tuple[int, int, int], tuple[Any, ...]] = {}
    for chunk in chunks(student_pks, IN_CHUNK):
        for student_id, school_id, year_id, *values in Enrollment.objects.filter(
            student_id__in=chunk, school_year_id__in=year_pks
        ).values_list("student_id", "school_id", "school_year_id", "pk", *_ENROLLMENT_COMPARED):
            enrollments[(student_id, school_id, year_id)] = tuple(values)
    return enrollments


class StudentPlan:
    """The households, hardships, students and enrollments a sheet's valid rows add or change."""

    def __init__(
        self,
        *,
        rows: list[StudentRow],
        household_rows: dict[tuple[int, str], StudentRow],
        bad_rows: set[int],
        township: Township | None,
        error: Callable[[int, str, str], None],
    ) -> None:
        self.rows = rows
        self.household_rows = household_rows  # key -> the row that speaks for the household
        self.bad_rows = bad_rows
        self.township = township
        self.error = error
        self.created = self.updated = self.unchanged = 0
        self.new_households: list[tuple[int, str, str]] = []
        self.changed_households: list[tuple[int, tuple[str]]] = []  # (pk, (new phone,))
        self.hardships_to_delete: list[int] = []
        self.hardships_to_add: list[tuple[tuple[int, str], str]] = []
        self.new_students: list[StudentRow] = []
        self.changed_students: list[tuple[int, StudentRow]] = []
        self.new_enrollments: list[StudentRow] = []
        self.changed_enrollments: list[tuple[int, tuple[Any, ...]]] = []
        self.missing_years: list[str] = []

    # -- comparing with the database

    def compare(self) -> None:
        """Find what is new and what changed, and count each row once: created, updated or unchanged."""
        rows = self.rows
        households = _existing_households(sorted({r.village_id for r in rows}))
        hardships = _existing_hardships(sorted(pk for pk, _ in households.values()))
        students = _existing_students(sorted({r.id_number for r in rows}))
        year_names = sorted({r.year_name for r in rows})
        years = dict(SchoolYear.objects.filter(name__in=year_names).values_list("name", "pk"))
        enrollments: dict[tuple[int, int, int], tuple[Any, ...]] = {}
        if years:
            student_pks = sorted(s[0] for s in students.values())
            enrollments = _existing_enrollments(student_pks, years.values())
        touched = self._compare_households(households, hardships)
        planned_students: set[str] = set()
        for parsed in rows:
            record = students.get(parsed.id_number)
            student = self._compare_student(parsed, record, households, planned_students)
            if student is None:
                continue
            enrollment = self._compare_enrollment(parsed, record, years, enrollments)
            if _NEW in (student, enrollment):
                self.created += 1
            elif _CHANGED in (student, enrollment) or parsed.household_key() in touched:
                self.updated += 1
            else:
                self.unchanged += 1
        self.missing_years = [name for name in year_names if name not in years]

    def _compare_households(
        self,
        households: dict[tuple[int, str], tuple[int, str]],
        hardships: dict[int, dict[str, int]],
    ) -> set[tuple[int, str]]:
        """New households, changed phones, and each household's set of categories replaced.

        Returns the keys of the existing households that change.
        """
        touched: set[tuple[int, str]] = set()
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
                self.changed_households.append((record[0], (speaker.phone,)))
                touched.add(key)
            removed = [pk for category, pk in current.items() if category not in speaker.categories]
            added = [c for c in sorted(speaker.categories) if c not in current]
            if removed or added:
                touched.add(key)
                self.hardships_to_delete.extend(removed)
                self.hardships_to_add.extend((key, c) for c in added)
        return touched

    def _compare_student(
        self,
        parsed: StudentRow,
        record: tuple[Any, ...] | None,
        households: dict[tuple[int, str], tuple[int, str]],
        planned: set[str],
    ) -> str | None:
        """New, changed or the same; None (an error) for a student another township registered."""
        if record is None:
            if parsed.id_number not in planned:
                self.new_students.append(parsed)
                planned.add(parsed.id_number)
            return _NEW
        if self.township is not None and record[1] != self.township.pk:
            self.error(
                parsed.number,
                "id_number",
                "该学生已登记在其他乡镇，不能由本乡镇导入，请联系县资助中心",
            )
            return None
        household = households.get(parsed.household_key())
        if parsed.student_fields(household[0] if household else None) == record[2:]:
            return _SAME
        if parsed.id_number not in planned:
            self.changed_students.append((record[0], parsed))
            planned.add(parsed.id_number)
        return _CHANGED

    def _compare_enrollment(
        self,
        parsed: StudentRow,
        record: tuple[Any, ...] | None,
        years: dict[str, int],
        enrollments: dict[tuple[int, int, int], tuple[Any, ...]],
    ) -> str:
        year_pk = years.get(parsed.year_name)
        enrollment = None
        if record is not None and year_pk is not None:
            enrollment = enrollments.get((record[0], parsed.school_id, year_pk))
        if enrollment is None:
            self.new_enrollments.append(parsed)
            return _NEW
        wanted = parsed.enrollment_values()
        if wanted == enrollment[1:]:
            return _SAME
        self.changed_enrollments.append((enrollment[0], wanted))
        return _CHANGED

    # -- writing

    def write(self, *, actor: Actor) -> None:
        """Write the plan: households first (students point at them), then students, then enrollments."""
        history = {
            "default_user": actor_user(actor),
            "default_change_reason": CHANGE_REASON,
            "default_date": timezone.now(),
        }
        for name in self.missing_years:
            school_year_open(name=name)
        year_pks = dict(
            SchoolYear.objects.filter(name__in={r.year_name for r in self.rows}).values_list(
                "name", "pk"
            )
        )
        household_pks = self._write_households(history)
        self._hardships_delete(history)
        _create_with_history(
            HouseholdHardship,
            self.hardships_to_add,
            lambda item: HouseholdHardship(household_id=household_pks[item[0]], category=item[1]),
            history,
        )
        student_pks = self._write_students(household_pks, history)
        _create_with_history(
            Enrollment,
            self.new_enrollments,
            lambda p: Enrollment(
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
            ),
            history,
        )
        _update_with_history(Enrollment, self.changed_enrollments, _ENROLLMENT_COMPARED, history)

    def _write_households(self, history: dict[str, Any]) -> dict[tuple[int, str], int]:
        """Create and update households; returns the pk of every household the rows name."""
        household_pks = _create_with_history(
            Household,
            self.new_households,
            lambda item: Household(village_id=item[0], head_name=item[1], phone=item[2]),
            history,
            key=lambda obj: (obj.village_id, obj.head_name),
        )
        _update_with_history(Household, self.changed_households, ("phone",), history)
        if any(key not in household_pks for key in self.household_rows):
            village_ids = sorted({key[0] for key in self.household_rows})
            for chunk in chunks(village_ids, IN_CHUNK):
                for pk, village_id, head_name in Household.objects.filter(
                    village_id__in=chunk
                ).values_list("pk", "village_id", "head_name"):
                    household_pks.setdefault((village_id, head_name), pk)
        return household_pks

    def _write_students(
        self, household_pks: dict[tuple[int, str], int], history: dict[str, Any]
    ) -> dict[str, int]:
        """Create and update students; returns the pk of every student an enrollment needs."""
        student_pks = _create_with_history(
            Student,
            self.new_students,
            lambda p: Student(
                name=p.name,
                id_number=p.id_number,
                sex=p.sex,
                birth_date=p.birth_date,
                household_id=household_pks[p.household_key()],
                is_orphan=p.is_orphan,
                is_martyr_child=p.is_martyr_child,
                is_disabled=p.is_disabled,
            ),
            history,
            key=lambda obj: obj.id_number,
        )
        changes = [
            (pk, parsed.student_fields(household_pks[parsed.household_key()]))
            for pk, parsed in self.changed_students
        ]
        _update_with_history(Student, changes, _STUDENT_COMPARED, history)
        student_pks.update({parsed.id_number: pk for pk, parsed in self.changed_students})
        missing = sorted({p.id_number for p in self.new_enrollments} - set(student_pks))
        for chunk in chunks(missing, IN_CHUNK):
            student_pks.update(
                Student.objects.filter(id_number__in=chunk).values_list("id_number", "pk")
            )
        return student_pks

    def _hardships_delete(self, history: dict[str, Any]) -> None:
        """Delete replaced categories, each with its `-` history row."""
        hardships_delete_with_history(
            self.hardships_to_delete, {**history, "default_change_reason": CHANGE_REASON}
        )


def hardships_delete_with_history(pks: list[int], history: dict[str, Any]) -> None:
    """Delete categories, recording a `-` history row for each (simple-history has no bulk delete)."""
    historical = HouseholdHardship.history.model
    tracked = [f.attname for f in historical.tracked_fields]
    for chunk in chunks(pks, IN_CHUNK):
        doomed = list(HouseholdHardship.objects.filter(pk__in=chunk))
        historical.objects.bulk_create(
            [
                historical(
                    history_date=history["default_date"],
                    history_user=history["default_user"],
                    history_change_reason=history["default_change_reason"],
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


def _create_with_history(
    model: type[models.Model],
    items: list[Any],
    build: Callable[[Any], models.Model],
    history: dict[str, Any],
    *,
    key: Callable[[Any], Any] | None = None,
) -> dict[Any, int]:
    """Insert one object per item, in batches, each with its `+` history row.

    With `key`, returns key -> pk of the objects created (one batch in memory at a time).
    """
    pks: dict[Any, int] = {}
    for chunk in chunks(items):
        created = bulk_create_with_history(
            [build(item) for item in chunk], model, batch_size=BATCH_SIZE, **history
        )
        if key is not None:
            pks.update({key(obj): obj.pk for obj in created})
    return pks


def _update_with_history(
    model: type[models.Model],
    changes: list[tuple[int, tuple[Any, ...]]],
    fields: tuple[str, ...],
    history: dict[str, Any],
) -> None:
    """Set `fields` to the values given per pk, in batches, each object with its `~` history row."""
    for chunk in chunks(changes):
        objects = model._default_manager.in_bulk([pk for pk, _ in chunk])
        for pk, values in chunk:
            for name, value in zip(fields, values, strict=True):
                setattr(objects[pk], name, value)
        bulk_update_with_history(
            list(objects.values()), model, list(fields), batch_size=BATCH_SIZE, **history
        )
