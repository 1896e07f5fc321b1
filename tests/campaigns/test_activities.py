import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.activities import activity_record, campaign_progress, phase_on, summary_save
from campaigns.models import Channel, PhaseKind
from students.models import School
from tests.campaigns.conftest import SYSTEM


def test_today_is_in_the_implementation_phase(world):
    progress = campaign_progress(campaign=world.campaign, today=timezone.localdate())
    assert progress.current_phase.kind == PhaseKind.IMPLEMENT


def test_no_phase_between_phases():
    class P:
        def __init__(self, s, e):
            self.start_date, self.end_date = s, e

    phases = [P(dt.date(2022, 5, 20), dt.date(2022, 5, 25)), P(dt.date(2022, 5, 28), dt.date(2022, 6, 15))]
    assert phase_on(phases=phases, day=dt.date(2022, 5, 26)) is None
    assert phase_on(phases=phases, day=dt.date(2022, 5, 28)) is phases[1]


def test_progress_counts_activities_per_kindergarten_and_channel_and_names_those_without(world):
    day = timezone.localdate()
    for channel, reach in [(Channel.PARENT_MEETING, 80), (Channel.WECHAT, 120), (Channel.WECHAT, 30)]:
        activity_record(actor=SYSTEM, campaign=world.campaign, school=world.school_a, date=day,
                        phase=PhaseKind.IMPLEMENT, channel=channel, reach=reach, notes="宣传资助政策")
    summary_save(actor=SYSTEM, campaign=world.campaign, school=world.school_a, text="本园宣传到位")
    progress = campaign_progress(campaign=world.campaign, today=day)
    rows = {r.school.name: r for r in progress.schools}
    a = rows["东城镇中心幼儿园"]
    assert a.by_channel == {Channel.PARENT_MEETING: 1, Channel.WECHAT: 2}
    assert (a.activities, a.reach, a.has_summary) == (3, 230, True)
    assert [s.name for s in progress.schools_without_activity] == ["东城镇河口幼儿园"]
    narrowed = campaign_progress(campaign=world.campaign, today=day, schools=School.objects.filter(pk=world.school_b.pk))
    assert [r.school.name for r in narrowed.schools] == ["东城镇河口幼儿园"]


def test_a_kindergarten_outside_the_campaign_cannot_record_activities(world):
    with pytest.raises(ValidationError):
        activity_record(actor=SYSTEM, campaign=world.campaign, school=world.school_c, date=timezone.localdate(),
                        phase=PhaseKind.IMPLEMENT, channel=Channel.SMS, reach=10, notes="短信宣传")
