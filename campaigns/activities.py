"""Campaign activities and summaries (services), and the township's view of progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from aidsite.access import actor_user
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
from students.models import School

if TYPE_CHECKING:
    from aidsite.access import Actor


def phase_on(*, phases: Sequence[CampaignPhase], day: dt.date) -> CampaignPhase | None:
    """The phase whose dates contain `day`, if any (pure; phases may leave gaps)."""
    for phase in phases:
        if phase.start_date <= day <= phase.end_date:
            return phase
    return None


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
    """Record a publicity activity of a participating kindergarten."""
    if not campaign.schools.filter(pk=school.pk).exists():
        raise ValidationError({"campaign": _("本园没有参加这次宣传活动。")})
    errors = photo_errors(photos)
    if errors:
        raise ValidationError({"photos": errors})
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
    activity.full_clean()
    activity.save()
    for photo in photos:
        ActivityPhoto.objects.create(activity=activity, image=photo)
    return activity


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
    for row in (
        Activity.objects.filter(campaign=campaign)
        .values("school", "channel")
        .annotate(n=Count("pk"), reach=Sum("reach"))
    ):
        progress = rows.get(row["school"])
        if progress is None:  # a school that left the campaign after reporting
            continue
        counts[row["school"]][row["channel"]] = row["n"]
        progress.activities += row["n"]
        progress.reach += row["reach"] or 0
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
