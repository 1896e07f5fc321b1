"""The back office lists of the campaigns app hold only the user's scope."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.activities import activity_record
from campaigns.models import Channel, Mentoring, MentoringFocus, PhaseKind
from campaigns.visits import visit_record
from tests.campaigns.conftest import SYSTEM, visit_at


@pytest.fixture
def records(world):
    for enrollment in (world.a_poor, world.b_poor):
        visit_record(actor=SYSTEM, school=enrollment.school, household=enrollment.student.household,
                     children=[enrollment.student], visited_at=visit_at(world.term), led_by="园长")
        activity_record(actor=SYSTEM, campaign=world.campaign, school=enrollment.school, date=timezone.localdate(),
                        phase=PhaseKind.IMPLEMENT, channel=Channel.SMS, audience=f"{enrollment.school.name}家长",
                        reach=30, notes="短信宣传资助政策")
        Mentoring.objects.create(student=enrollment.student, school=enrollment.school, teachers="王老师",
                                 focus=MentoringFocus.TUTORING, started_on=world.term.start_date)


@pytest.mark.parametrize("model", ["homevisit", "activity", "mentoring", "policycard", "campaign"])
def test_director_changelists_hold_only_their_kindergarten(client, world, records, model):
    client.force_login(world.users["director_b"])
    response = client.get(reverse(f"admin:campaigns_{model}_changelist"))
    assert response.status_code == 200
    shown = list(response.context["cl"].queryset)
    schools = {getattr(obj, "school_id", None) for obj in shown} - {None}
    assert schools <= {world.school_b.pk}
    if model in ("homevisit", "activity", "mentoring"):
        assert len(shown) == 1


def test_visits_are_not_edited_in_the_admin(client, world, records):
    client.force_login(world.users["director_a"])
    visit = world.a_poor.student.home_visits.get()
    assert client.get(reverse("admin:campaigns_homevisit_add")).status_code == 403
    page = client.get(reverse("admin:campaigns_homevisit_change", args=[visit.pk]))
    assert page.status_code == 200  # view only: no save button is offered
    assert b"_save" not in page.content
    other = world.b_poor.student.home_visits.get()
    assert client.get(reverse("admin:campaigns_homevisit_change", args=[other.pk])).status_code == 404


def test_township_staff_set_up_campaigns_for_their_own_township(client, world):
    client.force_login(world.users["township"])
    assert client.get(reverse("admin:campaigns_campaign_add")).status_code == 200
    client.force_login(world.users["township_west"])
    assert client.get(reverse("admin:campaigns_campaign_change", args=[world.campaign.pk])).status_code == 404
    client.force_login(world.users["auditor"])
    assert client.get(reverse("admin:campaigns_campaign_add")).status_code == 403
