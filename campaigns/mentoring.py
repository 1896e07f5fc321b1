"""一对一爱心育才: pairing teachers with a registered student, and the contact log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aidsite.logging import mask_text
from campaigns.models import Mentoring, MentoringContact
from students.models import Enrollment, EnrollmentStatus, School, Student


@transaction.atomic
def mentoring_start(
    *, student: Student, school: School, teachers: str, focus: str, started_on: dt.date, notes: str = ""
) -> Mentoring:
    """Pair one or more teachers of `school` with one of its studying students."""
    if not Enrollment.objects.filter(
        student=student, school=school, status=EnrollmentStatus.STUDYING
    ).exists():
        raise ValidationError({"student": _("只能为本校在读学生结对帮扶。")})
    mentoring = Mentoring(
        student=student,
        school=school,
        teachers=teachers.strip(),
        focus=focus,
        started_on=started_on,
        notes=notes.strip(),
    )
    mentoring.full_clean()
    mentoring.save()
    return mentoring


@transaction.atomic
def mentoring_contact_record(
    *, mentoring: Mentoring, date: dt.date, teacher: str, mode: str, content: str, outcome: str = ""
) -> MentoringContact:
    """Append one contact to the pairing's ledger."""
    if date < mentoring.started_on:
        raise ValidationError({"date": _("帮扶日期不能早于结对日期。")})
    contact = MentoringContact(
        mentoring=mentoring,
        date=date,
        teacher=teacher.strip(),
        mode=mode,
        content=content.strip(),
        outcome=outcome.strip(),
    )
    contact.full_clean()
    contact.save()
    return contact


LEDGER_HEADER = [
    "序号",
    "学校",
    "学生姓名",
    "身份证号",
    "家庭户主",
    "村（社区）",
    "结对教师",
    "帮扶重点",
    "结对日期",
    "帮扶日期",
    "帮扶教师",
    "方式",
    "帮扶内容",
    "效果",
]


def ledger_contacts(mentorings: QuerySet[Mentoring]) -> QuerySet[MentoringContact]:
    """The contacts of `mentorings` in ledger order, joined for the export (one query)."""
    return (
        MentoringContact.objects.filter(mentoring__in=mentorings)
        .select_related("mentoring__school", "mentoring__student__household__village")
        .order_by("mentoring__school__name", "mentoring__student__name", "date", "pk")
    )


def ledger_rows(
    mentorings: QuerySet[Mentoring], *, reveal: bool = False
) -> Iterator[list[Any]]:
    """The mentoring ledger (帮扶台账): a header row, then one row per contact.

    Pairings without any contact yet still get one row, so none is missing from the
    ledger. ID numbers are masked unless `reveal`.
    """
    yield list(LEDGER_HEADER)
    contacts = list(ledger_contacts(mentorings))
    with_contacts = {c.mentoring_id for c in contacts}
    silent = [
        m
        for m in mentorings.select_related("school", "student__household__village")
        if m.pk not in with_contacts
    ]
    pairs = sorted(
        [(c.mentoring, c) for c in contacts] + [(m, None) for m in silent],
        key=lambda pair: (
            pair[0].school.name,
            pair[0].student.name,
            pair[0].pk,
            pair[1].date if pair[1] else dt.date.min,
        ),
    )
    # Free text may hold an ID or phone someone typed in (SECURITY D1).
    text = (lambda value: value) if reveal else mask_text
    for number, (mentoring, contact) in enumerate(pairs, 1):
        student = mentoring.student
        yield [
            number,
            mentoring.school.name,
            student.name,
            student.id_number if reveal else student.masked_id_number,
            student.household.head_name,
            student.household.village.name,
            text(mentoring.teachers),
            mentoring.get_focus_display(),
            mentoring.started_on,
            contact.date if contact else None,
            contact.teacher if contact else "",
            contact.get_mode_display() if contact else "",
            text(contact.content) if contact else "",
            text(contact.outcome) if contact else "",
        ]
