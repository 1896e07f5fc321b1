"""Public notices (公示): the notice period, publishing a notice and withdrawing it early.

A notice runs for a number of working days (default 5, 教财〔2018〕16号 asks for
no fewer) counted from its start date, weekends skipped. Public holidays are
not in the data; an office that posts across one sets a longer period.

A notice posted by mistake (a wrong list) is withdrawn with a reason; its
public page is gone at once and the corrected list can be posted again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.access import actor_user, require
from students.models import School, Term
from subsidies.models import Policy, PublicNotice
from subsidies.selectors import notice_entitlements

if TYPE_CHECKING:
    from aidsite.access import Actor

DEFAULT_PERIOD_DAYS = 5
# 教财〔2018〕16号 (and SECURITY D3): a notice runs no fewer than 5 working days.
MIN_PERIOD_DAYS = 5
MAX_PERIOD_DAYS = 30


class NoticeState(models.TextChoices):
    PENDING = "pending", _("未开始")
    OPEN = "open", _("公示中")
    ENDED = "ended", _("已结束")
    WITHDRAWN = "withdrawn", _("已撤回")


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


def notice_state(notice: PublicNotice, *, today: dt.date) -> NoticeState:
    if notice.withdrawn_at is not None:
        return NoticeState.WITHDRAWN
    if today < notice.start_date:
        return NoticeState.PENDING
    if today > notice.end_date:
        return NoticeState.ENDED
    return NoticeState.OPEN


def notice_is_open(notice: PublicNotice, *, today: dt.date) -> bool:
    """Whether the notice is public on `today` (start and end dates included, never once withdrawn)."""
    return notice_state(notice, today=today) == NoticeState.OPEN


def _check_can_write(actor: Actor, school: School, permission: str) -> None:
    require(
        actor,
        permission,
        township=school.township_id,
        write=True,
        denied="没有发布或撤回公示的权限。",
        out_of_scope="只能发布或撤回本乡镇学校的公示。",
    )


def default_objection_contact() -> str:
    return f"{settings.AID_OFFICE_NAME}，电话 {settings.AID_OFFICE_PHONE}"


@transaction.atomic
def notice_publish(
    *,
    school: School,
    policy: Policy,
    term: Term,
    start_date: dt.date,
    actor: Actor,
    period_days: int = DEFAULT_PERIOD_DAYS,
    objection_contact: str = "",
    issuing_unit: str = "",
) -> PublicNotice:
    """Publish a school's notice for a policy and term; the public page opens on `start_date`.

    Refused: a period under MIN_PERIOD_DAYS working days, a notice with nobody
    on it, and one overlapping a notice of the same school, policy and term
    that is still up (withdraw that one first).
    """
    _check_can_write(actor, school, "subsidies.add_publicnotice")
    if policy.school_year_id != term.school_year_id:
        raise ValidationError("资助项目与学期不属于同一学年。")
    if not MIN_PERIOD_DAYS <= period_days <= MAX_PERIOD_DAYS:
        raise ValidationError(f"公示期应为 {MIN_PERIOD_DAYS}–{MAX_PERIOD_DAYS} 个工作日。")
    if not notice_entitlements(term=term, school_id=school.pk, policy_id=policy.pk).exists():
        raise ValidationError("该学校本学期此项目没有拟资助或已审核的学生，无需公示。")
    end_date = notice_end_date(start_date, period_days)
    overlapping = (
        PublicNotice.objects.filter(
            school=school, policy=policy, term=term, withdrawn_at__isnull=True,
            start_date__lte=end_date, end_date__gte=start_date,
        )
        .order_by("start_date")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            f"该学校此项目本学期已有公示（{overlapping.start_date:%Y-%m-%d} 至 {overlapping.end_date:%Y-%m-%d}），"
            "期间不能重复发布；如名单有误，请先撤回原公示。"
        )
    notice = PublicNotice(
        school=school,
        policy=policy,
        term=term,
        start_date=start_date,
        period_days=period_days,
        end_date=end_date,
        objection_contact=(objection_contact or default_objection_contact()).strip(),
        issuing_unit=(issuing_unit or school.township.office_name).strip(),
        token=secrets.token_urlsafe(24),
        created_by=actor_user(actor),
    )
    notice.full_clean()
    notice.save()
    return notice


@transaction.atomic
def notice_withdraw(*, notice: PublicNotice, actor: Actor, reason: str) -> PublicNotice:
    """Take a notice down before its end (a wrong list posted by mistake); the reason is kept."""
    _check_can_write(actor, notice.school, "subsidies.change_publicnotice")
    reason = reason.strip()
    if not reason:
        raise ValidationError("撤回公示须写明原因。")
    # Locked so that two officers withdrawing at once record one withdrawal.
    locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    state = notice_state(locked, today=timezone.localdate())
    if state == NoticeState.WITHDRAWN:
        raise ValidationError("该公示已撤回。")
    if state == NoticeState.ENDED:
        raise ValidationError("该公示已期满自动撤下，无需撤回。")
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = actor_user(actor)
    locked.withdrawal_reason = reason[:200]
    locked.full_clean()
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    return locked
