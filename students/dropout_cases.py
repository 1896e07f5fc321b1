"""控辍保学 cases (劝返): record a contact, close with an outcome. Each service is atomic,
takes a required `actor` and checks the child's township (`aidsite.access.require`).

A case exists per child and school year; it is made by its first contact or its closing.
A closed case stays closed whatever is imported later, except 已返校: if the enrollment
it made ends and the child is missing again, the next contact or closing reopens it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aidsite.access import actor_user, require
from students.models import (
    DropoutCase,
    DropoutContact,
    DropoutOutcome,
    Enrollment,
    EnrollmentStatus,
    HouseholdMember,
    School,
    SchoolYear,
    Student,
)
from students.omissions import compulsory_ages, excused_this_year, unaccounted_members

if TYPE_CHECKING:
    from aidsite.access import Actor

WRITE = ("students.add_dropoutcase", "students.change_dropoutcase", "students.add_dropoutcontact")
NOT_MISSING = "该儿童本学年不在疑似失学辍学名单中（已有在读学籍或已结案），无需劝返。"


def _require_write(actor: Actor, member: HouseholdMember) -> None:
    require(actor, WRITE, township=member.household.village.township_id, write=True, staff=True)


def _with_user(obj: Any, actor: Actor) -> Any:
    # simple_history takes the user from the request middleware; services also run
    # from commands and tests, so say who it is.
    obj._history_user = actor_user(actor)
    return obj


def _save(obj: Any, actor: Actor) -> Any:
    obj.full_clean()
    _with_user(obj, actor).save()
    return obj


def _open_case(*, actor: Actor, member: HouseholdMember, school_year: SchoolYear) -> DropoutCase:
    """This year's case of a child still missing, made or reopened; refused if not missing."""
    missing = (
        unaccounted_members(school_year=school_year, ages=compulsory_ages(school_year))
        .exclude(excused_this_year(school_year))
        .filter(pk=member.pk)
        .exists()
    )
    if not missing:
        raise ValidationError(NOT_MISSING)
    case = (
        DropoutCase.objects.select_for_update()
        .filter(member=member, school_year=school_year)
        .first()
    )
    if case is None:
        case = _save(DropoutCase(member=member, school_year=school_year), actor)
    elif case.outcome == DropoutOutcome.RETURNED:
        # Returned, then missing again (the enrollment ended): the case is open again.
        case.outcome, case.outcome_date, case.closed_by = "", None, None
        case.reopened_count += 1
        _save(case, actor)
    return case


@transaction.atomic
def dropout_contact_record(
    *,
    actor: Actor,
    member: HouseholdMember,
    school_year: SchoolYear,
    date: dt.date,
    by: str,
    mode: str,
    content: str,
    responsible: str = "",
) -> DropoutContact:
    """Record one contact (劝返记录) on the child's case, opening the case if needed."""
    _require_write(actor, member)
    if date > timezone.localdate():
        raise ValidationError({"date": "日期不能晚于今天。"})
    case = _open_case(actor=actor, member=member, school_year=school_year)
    if responsible and responsible != case.responsible:
        case.responsible = responsible
        _save(case, actor)
    contact = DropoutContact(
        case=case, date=date, by=by, mode=mode, content=content, recorded_by=actor_user(actor)
    )
    return _save(contact, actor)


@transaction.atomic
def dropout_case_close(
    *,
    actor: Actor,
    member: HouseholdMember,
    school_year: SchoolYear,
    outcome: str,
    outcome_date: dt.date,
    evidence: str,
    school: School | None = None,
    stage: str = "",
    grade: str = "",
    elsewhere_school: str = "",
    elsewhere_place: str = "",
) -> DropoutCase:
    """Close the child's case with an outcome of the closed list, its date and evidence.

    已返校 enrolls the child (在读) at `school` in `stage` this school year, through the
    registry's own checks (the school teaches the stage, the age fits it).
    """
    _require_write(actor, member)
    _check_outcome(
        outcome=outcome, outcome_date=outcome_date, evidence=evidence, school=school,
        stage=stage, elsewhere_school=elsewhere_school, elsewhere_place=elsewhere_place,
    )  # fmt: skip
    case = _open_case(actor=actor, member=member, school_year=school_year)
    case.outcome, case.outcome_date, case.evidence = outcome, outcome_date, evidence
    case.closed_by = actor_user(actor)
    case.school = case.enrollment = None
    case.elsewhere_school = case.elsewhere_place = ""
    if outcome == DropoutOutcome.RETURNED:
        assert school is not None
        case.school = school
        case.enrollment = _enroll_returned(
            actor=actor,
            member=member,
            school_year=school_year,
            school=school,
            stage=stage,
            grade=grade,
        )
    elif outcome == DropoutOutcome.ELSEWHERE:
        case.elsewhere_school, case.elsewhere_place = elsewhere_school, elsewhere_place
    return _save(case, actor)


def _check_outcome(
    *,
    outcome: str,
    outcome_date: dt.date | None,
    evidence: str,
    school: School | None,
    stage: str,
    elsewhere_school: str,
    elsewhere_place: str,
) -> None:
    errors: dict[str, str] = {}
    if outcome not in DropoutOutcome.values:
        errors["outcome"] = "请从列表中选择结果。"
    if outcome_date is None:
        errors["outcome_date"] = "请填写结果日期。"
    elif outcome_date > timezone.localdate():
        errors["outcome_date"] = "结果日期不能晚于今天。"
    if not evidence.strip():
        errors["evidence"] = "请填写佐证说明（如返校证明、就读证明、医院诊断）。"
    if outcome == DropoutOutcome.RETURNED:
        if school is None:
            errors["school"] = "已返校须选择返校学校。"
        if not stage:
            errors["stage"] = "已返校须选择学段。"
    if outcome == DropoutOutcome.ELSEWHERE:
        if not elsewhere_school.strip():
            errors["elsewhere_school"] = "外地就读须填写就读学校。"
        if not elsewhere_place.strip():
            errors["elsewhere_place"] = "外地就读须填写就读地（省、市、县）。"
    if errors:
        raise ValidationError(errors)


def _enroll_returned(
    *,
    actor: Actor,
    member: HouseholdMember,
    school_year: SchoolYear,
    school: School,
    stage: str,
    grade: str,
) -> Enrollment:
    """The child's 在读 enrollment at `school` this year: the student made from the member if new."""
    student = Student.objects.filter(id_number=member.id_number).first()
    if student is None:
        student = Student(
            name=member.name, id_number=member.id_number, sex=member.sex,
            birth_date=member.birth_date, household=member.household,
        )  # fmt: skip
        _save(student, actor)
    enrollment = Enrollment.objects.filter(
        student=student, school=school, school_year=school_year
    ).first()
    if enrollment is None:
        enrollment = Enrollment(student=student, school=school, school_year=school_year)
    enrollment.stage, enrollment.status = stage, EnrollmentStatus.STUDYING
    if grade:
        enrollment.grade = grade
    try:
        return _save(enrollment, actor)
    except ValidationError as exc:
        # The registry's checks speak of the stage: on this page that is the school and stage.
        raise ValidationError({"school": exc.messages}) from exc
