"""Campaign activities and summaries (services), and the township's view of progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aidsite.access import actor_user
from campaigns.corrections import require_correction, save_audited, undo_record
from campaigns.models import (
    Activity,
    ActivityPhoto,
    Campaign,
    CampaignMember,
    CampaignPhase,
    Channel,
    KindergartenSummary,
    MemberRole,
)
from campaigns.photos import photo_errors
from campaigns.selectors import activity_totals
from students.models import School

if TYPE_CHECKING:
    from aidsite.access import Actor


def phase_on(*, phases: Sequence[CampaignPhase], day: dt.date) -> CampaignPhase | None:
    """The phase whose dates contain `day`, if any (pure; phases may leave gaps)."""
    for phase in phases:
        if phase.start_date <= day <= phase.end_date:
            return phase
    return None


def _check_activity(
    *, campaign: Campaign, school: School, date: dt.date, reach: int, notes: str, photos: Sequence[Any]
) -> None:
    """What every recorded or corrected activity must satisfy, each error by its field."""
    errors: dict[str, Any] = {}
    if not campaign.schools.filter(pk=school.pk).exists():
        errors["campaign"] = _("本园没有参加这次宣传活动。")
    # The campaign's school year runs from its first term's first day to its last term's last.
    year = campaign.school_year.terms.aggregate(start=Min("start_date"), end=Max("end_date"))
    if date > timezone.localdate():
        errors["date"] = _("活动日期不能晚于今天。")
    elif year["start"] and not year["start"] <= date <= year["end"]:
        errors["date"] = _("活动日期须在“%(campaign)s”所属的%(year)s学年（%(start)s至%(end)s）内。") % {
            "campaign": campaign.name,
            "year": campaign.school_year.name,
            "start": f"{year['start'].year}年{year['start'].month}月{year['start'].day}日",
            "end": f"{year['end'].year}年{year['end'].month}月{year['end'].day}日",
        }
    if not reach or reach < 1:
        errors["reach"] = _("请填写覆盖人数（参加或收到宣传的人数，至少 1 人）。")
    if not notes.strip():
        errors["notes"] = _("请填写活动内容，如宣传了哪些政策、怎样宣传的。")
    if photo_errors(photos):
        errors["photos"] = photo_errors(photos)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_record(
    *,
    campaign: Campaign,
    school: School,
    date: dt.date,
    phase: str,
    channel: str,
    audience: str = "",
    reach: int = 0,
    notes: str = "",
    photos: Sequence[Any] = (),
    actor: Actor,
) -> Activity:
    """Record a publicity activity of a participating kindergarten.

    An activity says what was done (`notes`) and how many it reached (`reach` ≥ 1), on a
    day of the campaign's school year that is not in the future.
    """
    _check_activity(
        campaign=campaign, school=school, date=date, reach=reach, notes=notes, photos=photos
    )
    activity = Activity(
        campaign=campaign,
        school=school,
        date=date,
        phase=phase,
        channel=channel,
        audience=audience.strip(),
        reach=reach,
        notes=notes.strip(),
        recorded_by=actor_user(actor),
    )
    save_audited(activity, actor=actor, photos=photos, photo_model=ActivityPhoto)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    campaign: Campaign,
    date: dt.date,
    phase: str,
    channel: str,
    audience: str = "",
    reach: int = 0,
    notes: str = "",
    photos: Sequence[Any] = (),
    actor: Actor,
) -> Activity:
    """Correct an activity: only its author, on the day it was entered; photos are added."""
    require_correction(author_id=activity.recorded_by_id, entered_at=activity.created_at, actor=actor)
    _check_activity(
        campaign=campaign, school=activity.school, date=date, reach=reach, notes=notes, photos=photos
    )
    activity.campaign = campaign
    activity.date, activity.phase, activity.channel = date, phase, channel
    activity.audience, activity.reach, activity.notes = audience.strip(), reach, notes.strip()
    save_audited(activity, actor=actor, photos=photos, photo_model=ActivityPhoto)
    return activity


@transaction.atomic
def activity_undo(*, activity: Activity, actor: Actor) -> None:
    """Take back an activity entered by mistake (author, same day); the history keeps it."""
    undo_record(activity, actor=actor)


@transaction.atomic
def summary_save(
    *, campaign: Campaign, school: School, text: str, actor: Actor
) -> KindergartenSummary:
    """Write or replace the kindergarten's summary of the campaign."""
    if not campaign.schools.filter(pk=school.pk).exists():
        raise ValidationError(_("本园没有参加这次宣传活动。"))
    if not text.strip():
        raise ValidationError({"text": _("请填写总结。")})
    summary, _created = KindergartenSummary.objects.select_for_update().get_or_create(
        campaign=campaign, school=school, defaults={"text": text.strip()}
    )
    summary.text = text.strip()
    summary.written_by = actor_user(actor)
    summary.full_clean()
    summary.save()
    return summary


def campaign_members(*, campaign: Campaign) -> list[CampaignMember]:
    """The leading group: 组长 first, then 副组长, then members, each in the order entered."""
    order = list(MemberRole.values)
    return sorted(campaign.members.all(), key=lambda m: (order.index(m.role), m.pk))


@dataclass
class SchoolProgress:
    school: School
    by_channel: dict[str, int] = field(default_factory=dict)
    activities: int = 0
    reach: int = 0
    has_summary: bool = False

    @property
    def channel_counts(self) -> list[tuple[str, int]]:
        """(label, count) of each channel used, in the order of `Channel`."""
        return [(str(label), self.by_channel[code]) for code, label in Channel.choices if self.by_channel.get(code)]


@dataclass
class CampaignProgress:
    campaign: Campaign
    phases: list[CampaignPhase]
    current_phase: CampaignPhase | None
    schools: list[SchoolProgress]
    channels: list[tuple[str, str]]

    @property
    def schools_without_activity(self) -> list[School]:
        return [row.school for row in self.schools if row.activities == 0]

    @property
    def total_activities(self) -> int:
        return sum(row.activities for row in self.schools)

    @property
    def total_reach(self) -> int:
        return sum(row.reach for row in self.schools)


def campaign_progress(
    *, campaign: Campaign, today: dt.date, schools: QuerySet[School] | None = None
) -> CampaignProgress:
    """Which phase `today` is in, activities per kindergarten and channel, who has none.

    `schools` narrows the kindergartens shown (a director sees only their own).
    Four queries whatever the number of kindergartens and activities.
    """
    phases = list(campaign.phases.all())
    schools = list((schools if schools is not None else campaign.schools.all()).order_by("name"))
    rows = {school.pk: SchoolProgress(school=school) for school in schools}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    totals = activity_totals(Activity.objects.filter(campaign=campaign), by=("school", "channel"))
    for (school_id, channel), total in totals.items():
        progress = rows.get(school_id)
        if progress is None:  # a school that left the campaign after reporting
            continue
        counts[school_id][channel] = total.count
        progress.activities += total.count
        progress.reach += total.reach
    for pk, by_channel in counts.items():
        rows[pk].by_channel = by_channel
    summarised = set(
        KindergartenSummary.objects.filter(campaign=campaign).values_list("school_id", flat=True)
    )
    for pk in summarised & rows.keys():
        rows[pk].has_summary = True
    return CampaignProgress(
        campaign=campaign,
        phases=phases,
        current_phase=phase_on(phases=phases, day=today),
        schools=list(rows.values()),
        channels=[(value, str(label)) for value, label in Channel.choices],
    )
