"""Public notices (公示): the notice period, and publishing a notice.

A notice runs for a number of working days (default 5, 教财〔2018〕16号 asks for
no fewer) counted from its start date, weekends skipped. Public holidays are
not in the data; an office that posts across one sets a longer period.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from aidsite.access import user_scope
from students.models import School, Term
from subsidies.models import Policy, PublicNotice

DEFAULT_PERIOD_DAYS = 5


def notice_end_date(start: dt.date, working_days: int = DEFAULT_PERIOD_DAYS) -> dt.date:
    """The last day of a notice that starts on `start` and runs `working_days` working days.

    The start counts as the first day when it is a working day; a notice that
    starts on a weekend begins counting on the Monday.
    """
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    day = start
    counted = 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == working_days:
                return day
        day += dt.timedelta(days=1)


def notice_is_open(notice: PublicNotice, *, today: dt.date) -> bool:
    """Whether the notice is public on `today` (start and end dates included)."""
    return notice.start_date <= today <= notice.end_date


def default_objection_contact() -> str:
    return f"{settings.AID_OFFICE_NAME}，电话 {settings.AID_OFFICE_PHONE}"


@transaction.atomic
def notice_publish(
    *,
    school: School,
    policy: Policy,
    term: Term,
    start_date: dt.date,
    user: Any,
    period_days: int = DEFAULT_PERIOD_DAYS,
    objection_contact: str = "",
    issuing_unit: str = "",
) -> PublicNotice:
    """Publish a school's notice for a policy and term; the public page opens on `start_date`."""
    scope = user_scope(user)
    if scope.read_only or scope.role is None:
        raise PermissionDenied("没有发布公示的权限。")
    if not scope.everything and scope.township_id != school.township_id:
        raise PermissionDenied("只能发布本乡镇学校的公示。")
    if policy.school_year_id != term.school_year_id:
        raise ValidationError("资助项目与学期不属于同一学年。")
    notice = PublicNotice(
        school=school,
        policy=policy,
        term=term,
        start_date=start_date,
        period_days=period_days,
        end_date=notice_end_date(start_date, period_days),
        objection_contact=(objection_contact or default_objection_contact()).strip(),
        issuing_unit=(issuing_unit or f"{school.township.name}教育办公室").strip(),
        token=secrets.token_urlsafe(24),
        created_by=user,
    )
    notice.full_clean()
    notice.save()
    return notice
