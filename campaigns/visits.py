"""Home visits (走访): recording a visit with its photos, closing its follow-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aidsite.access import actor_user
from campaigns.corrections import require_correction, save_audited, undo_record
from campaigns.models import HomeVisit, VisitAction, VisitPhoto
from campaigns.photos import photo_errors
from students.models import Enrollment, EnrollmentStatus, Household, School, Student

if TYPE_CHECKING:
    from aidsite.access import Actor

MAX_PHOTOS_PER_VISIT = 9
# Fields written as free text, where an ID number or phone may be typed (SECURITY D1).
VISIT_FREE_TEXT = (
    "led_by", "participants", "other_actions", "family_feedback", "teacher_evaluation", "follow_up",
)  # fmt: skip


def _check_children(*, school: School, household: Household, children: Sequence[Student]) -> None:
    if not children:
        raise ValidationError({"children": _("请至少选择一名幼儿。")})
    if any(child.household_id != household.pk for child in children):
        raise ValidationError({"children": _("所选幼儿不属于这个家庭。")})
    studying = set(
        Enrollment.objects.filter(
            school=school, student__in=children, status=EnrollmentStatus.STUDYING
        ).values_list("student_id", flat=True)
    )
    if any(child.pk not in studying for child in children):
        raise ValidationError({"children": _("只能为本园在读幼儿填写走访记录。")})


def _check_photos(photos: Sequence[Any], *, already: int = 0) -> None:
    if already + len(photos) > MAX_PHOTOS_PER_VISIT:
        raise ValidationError(
            {"photos": _("每次走访最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_VISIT}}
        )
    errors = photo_errors(photos)
    if errors:
        raise ValidationError({"photos": errors})


def _visit_fields(
    *,
    visited_at: dt.datetime,
    led_by: str,
    participants: str = "",
    actions: Iterable[str] = (),
    other_actions: str = "",
    family_feedback: str = "",
    teacher_evaluation: str = "",
    follow_up_needed: bool = False,
    follow_up: str = "",
) -> dict[str, Any]:
    """The visit's own fields, checked and tidied, as the model stores them."""
    codes = [code for code in actions if code]
    if any(code not in VisitAction.values for code in codes):
        raise ValidationError({"actions": _("未知的走访内容。")})
    if follow_up_needed and not follow_up.strip():
        raise ValidationError({"follow_up": _("需要跟进时请写明跟进事项。")})
    if visited_at > timezone.now():
        raise ValidationError({"visited_at": _("走访时间不能晚于现在，请填写实际走访的时间。")})
    return {
        "visited_at": visited_at,
        "led_by": led_by.strip(),
        "participants": participants.strip(),
        "actions": ",".join(code for code in VisitAction.values if code in codes),
        "other_actions": other_actions.strip(),
        "family_feedback": family_feedback.strip(),
        "teacher_evaluation": teacher_evaluation.strip(),
        "follow_up_needed": follow_up_needed,
        "follow_up": follow_up.strip() if follow_up_needed else "",
    }


@transaction.atomic
def visit_record(
    *,
    school: School,
    household: Household,
    children: Sequence[Student],
    photos: Sequence[Any] = (),
    actor: Actor,
    **fields: Any,
) -> HomeVisit:
    """Record a home visit by `school` to `household` for its `children`, with photos.

    `fields` are the visit's own (`_visit_fields`: when, who led, what was done, the
    follow-up). The children must belong to the household and study at the school; the
    visit cannot lie in the future; photos must be real images within the size limit.
    Nothing is saved unless everything is valid.
    """
    _check_children(school=school, household=household, children=children)
    _check_photos(photos)
    visit = HomeVisit(
        school=school, household=household, recorded_by=actor_user(actor), **_visit_fields(**fields)
    )
    save_audited(visit, actor=actor, photos=photos, photo_model=VisitPhoto)
    visit.children.set(children)
    return visit


@transaction.atomic
def visit_update(
    *,
    visit: HomeVisit,
    children: Sequence[Student],
    photos: Sequence[Any] = (),
    actor: Actor,
    **fields: Any,
) -> HomeVisit:
    """Correct a visit: only its author, on the day it was entered; photos are added.

    A follow-up already marked done stays done only if a follow-up is still needed.
    """
    require_correction(author_id=visit.recorded_by_id, entered_at=visit.created_at, actor=actor)
    _check_children(school=visit.school, household=visit.household, children=children)
    _check_photos(photos, already=visit.photos.count())
    for name, value in _visit_fields(**fields).items():
        setattr(visit, name, value)
    if not visit.follow_up_needed:
        visit.follow_up_done, visit.follow_up_done_on = False, None
    save_audited(visit, actor=actor, photos=photos, photo_model=VisitPhoto)
    visit.children.set(children)
    return visit


@transaction.atomic
def visit_undo(*, visit: HomeVisit, actor: Actor) -> None:
    """Take back a visit entered by mistake (author, same day); the history keeps it."""
    undo_record(visit, actor=actor)


@transaction.atomic
def visit_follow_up_close(*, visit: HomeVisit, on: dt.date) -> HomeVisit:
    """Mark the visit's follow-up as done on `on`; closing it twice changes nothing."""
    if not visit.follow_up_needed:
        raise ValidationError(_("这次走访没有需要跟进的事项。"))
    if visit.follow_up_done:
        return visit
    visit.follow_up_done = True
    visit.follow_up_done_on = on
    visit.full_clean()
    visit.save(update_fields=["follow_up_done", "follow_up_done_on"])
    return visit


def photo_delete(*, photo: VisitPhoto) -> None:
    """Delete a photo and its file, so no abandoned upload stays on disk (SECURITY D5)."""
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
