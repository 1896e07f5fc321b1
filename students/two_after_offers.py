"""两后生: record the vocational school's offer (绿色通道) and its outcome. Atomic, audited,
with a required `actor`; the student must be on the actor's list of the year.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from aidsite.access import actor_user, covers_township, require, user_scope
from students.models import OfferOutcome, School, SchoolYear, Stage, Student, TwoAfterOffer
from students.two_after import finishing_enrollments, two_after_students

if TYPE_CHECKING:
    from aidsite.access import Actor

WRITE = ("students.add_twoafteroffer", "students.change_twoafteroffer")
NOT_LISTED = "该学生不在本学年两后生名单中（未在本学年初中或高中毕业，或已升学、不属特困家庭）。"


@transaction.atomic
def two_after_offer_record(
    *,
    actor: Actor,
    student: Student,
    school_year: SchoolYear,
    vocational_school: School,
    offered_on: dt.date,
    outcome: str,
    note: str = "",
) -> TwoAfterOffer:
    """Record (or update) the offer to `student`, a 两后生 of `school_year`, and its outcome."""
    require(actor, WRITE, write=True, staff=True)
    finished = (
        finishing_enrollments(school_year)
        .filter(student=student)
        .select_related("school", "student__household__village")
        .order_by("status", "-pk")
        .first()
    )
    if (
        finished is None
        or not two_after_students(school_year=school_year).filter(pk=student.pk).exists()
    ):
        raise ValidationError(NOT_LISTED)
    scope = user_scope(actor)
    places = (finished.student.household.village.township_id, finished.school.township_id)
    if not any(covers_township(scope, township_id) for township_id in places):
        raise PermissionDenied("只能处理本乡镇的数据。")
    _check(vocational_school=vocational_school, offered_on=offered_on, outcome=outcome, note=note)
    offer = (
        TwoAfterOffer.objects.select_for_update()
        .filter(student=student, school_year=school_year)
        .first()
    ) or TwoAfterOffer(student=student, school_year=school_year)
    offer.stage, offer.finished_school = finished.stage, finished.school
    offer.vocational_school, offer.offered_on = vocational_school, offered_on
    offer.outcome, offer.note = outcome, note.strip()
    offer.recorded_by = actor_user(actor)
    offer.full_clean()
    # simple_history takes the user from the request; services also run from commands and tests.
    offer._history_user = actor_user(actor)
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError as exc:  # another officer recorded the first offer meanwhile
        raise ValidationError("另一位工作人员刚刚记录了该学生的告知，请刷新后重试。") from exc
    return offer


def _check(
    *, vocational_school: School, offered_on: dt.date | None, outcome: str, note: str
) -> None:
    errors: dict[str, str] = {}
    if Stage.VOCATIONAL not in vocational_school.stage_list:
        errors["vocational_school"] = f"{vocational_school.name}没有中职学段，请选择职业学校。"
    if offered_on is None:
        errors["offered_on"] = "请填写告知日期。"
    elif offered_on > timezone.localdate():
        errors["offered_on"] = "告知日期不能晚于今天。"
    if outcome not in OfferOutcome.values:
        errors["outcome"] = "请从列表中选择结果。"
    elif outcome == OfferOutcome.OTHER and not note.strip():
        errors["note"] = "结果为“其他”时请填写说明。"
    if errors:
        raise ValidationError(errors)
