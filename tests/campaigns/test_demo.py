from django.urls import reverse

from aidsite.access import SystemActor
from campaigns.demo import campaigns_demo_load
from campaigns.models import Activity, Campaign, HomeVisit, PolicyCard
from students.demo import demo_accounts_ensure, demo_load
from students.demo_roster import DEMO_YEAR
from students.models import School
from students.school_years import school_year_open
from tests.campaigns.conftest import SYSTEM


def test_the_demo_township_gets_a_campaign_cards_and_visits_once(client, db):
    school_year_open(name=DEMO_YEAR)
    demo_load(actor=SystemActor("测试演示数据"))
    demo_accounts_ensure()
    assert campaigns_demo_load(actor=SYSTEM)["created"] is True
    counts = (Campaign.objects.count(), Activity.objects.count(), HomeVisit.objects.count(), PolicyCard.objects.count())
    assert all(counts)
    assert campaigns_demo_load(actor=SYSTEM)["created"] is False
    assert counts == (Campaign.objects.count(), Activity.objects.count(), HomeVisit.objects.count(), PolicyCard.objects.count())
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo_director"))
    school = School.objects.get(name="青山镇中心幼儿园")
    page = client.get(reverse("campaigns:school", args=[school.pk]), follow=True)
    assert page.status_code == 200 and "本学期已走访" in page.content.decode()
