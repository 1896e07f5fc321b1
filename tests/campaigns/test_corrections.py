"""The portal's records can be corrected by their author on the day, with history; blank,
future or out-of-year records are refused with the reason next to the field."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.activities import activity_record, activity_undo
from campaigns.corrections import correction_refusal
from campaigns.models import Activity, Channel, HomeVisit, PhaseKind, PolicyCard
from tests.campaigns.conftest import SYSTEM


def _activity_post(world, **changes):
    data = {
        "campaign": world.campaign.pk, "date": timezone.localdate().isoformat(), "phase": "implement",
        "channel": "parent_meeting", "audience": "全体家长", "reach": "45", "notes": "讲解学前教育资助政策",
    }  # fmt: skip
    return {**data, **changes}


def _record(client, world, user="director_a", **changes):
    client.force_login(world.users[user])
    url = reverse("campaigns:activity_new", args=[world.school_a.pk])
    return client.post(url, _activity_post(world, **changes))


def test_a_blank_activity_is_refused_with_the_reason_next_to_each_field(client, world):
    response = _record(client, world, reach="", notes="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "请填写覆盖人数" in errors["reach"][0] and "请填写活动内容" in errors["notes"][0]
    assert "请填写活动内容" in response.content.decode()
    assert _record(client, world, reach="0").context["form"].errors["reach"]
    assert not Activity.objects.exists()


def test_an_activity_in_the_future_or_outside_the_campaigns_year_is_refused(world):
    common = dict(campaign=world.campaign, school=world.school_a, phase=PhaseKind.IMPLEMENT,
                  channel=Channel.SMS, reach=10, notes="短信宣传", actor=SYSTEM)  # fmt: skip
    with pytest.raises(ValidationError) as future:
        activity_record(date=timezone.localdate() + dt.timedelta(days=1), **common)
    assert "不能晚于今天" in str(future.value.message_dict["date"])
    with pytest.raises(ValidationError) as outside:
        activity_record(
            date=world.term.start_date.replace(year=world.term.start_date.year - 3), **common
        )
    assert "学年" in str(outside.value.message_dict["date"])
    assert not Activity.objects.exists()


def test_the_author_corrects_and_undoes_an_activity_the_same_day_and_the_history_keeps_it(
    client, world
):
    assert _record(client, world).status_code == 302
    activity = Activity.objects.get()
    page = client.get(reverse("campaigns:activities", args=[world.school_a.pk])).content.decode()
    assert reverse("campaigns:activity_edit", args=[activity.pk]) in page

    response = client.post(
        reverse("campaigns:activity_edit", args=[activity.pk]), _activity_post(world, reach="60")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.reach == 60

    assert client.post(reverse("campaigns:activity_undo", args=[activity.pk])).status_code == 302
    assert not Activity.objects.exists()
    history = list(Activity.history.order_by("history_id"))
    assert [(h.history_type, h.reach) for h in history] == [("+", 45), ("~", 60), ("-", 60)]
    assert {h.history_user for h in history} == {world.users["director_a"]}


def test_nobody_else_and_not_the_next_day_may_correct(client, world):
    _record(client, world)
    activity = Activity.objects.get()
    client.force_login(world.users["county"])  # in scope, may change activities, not the author
    assert client.get(reverse("campaigns:activity_edit", args=[activity.pk])).status_code == 403
    assert client.post(reverse("campaigns:activity_undo", args=[activity.pk])).status_code == 403
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    author = world.users["director_a"]
    reason = correction_refusal(
        author_id=author.pk, entered_at=activity.created_at, actor=author, today=tomorrow
    )
    assert "填报当天" in reason
    with pytest.raises(PermissionDenied):
        activity_undo(activity=activity, actor=SYSTEM)
    assert Activity.objects.filter(pk=activity.pk).exists()


def _visit_post(world, **changes):
    now = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    data = {"children": [world.a_poor.student.pk], "visited_at": now.strftime("%Y-%m-%dT%H:%M"),
            "led_by": "李雪", "actions": ["talk"]}  # fmt: skip
    return {**data, **changes}


def test_a_visit_in_the_future_is_refused_and_the_leader_is_prefilled(client, world):
    director = world.users["director_a"]
    director.first_name, director.last_name = "雪", "李"
    director.save()
    client.force_login(director)
    url = reverse("campaigns:visit_new", args=[world.a_poor.pk])
    assert client.get(url).context["form"].initial["led_by"] == "李雪"  # 姓 then 名
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, _visit_post(world, visited_at=tomorrow))
    assert response.status_code == 200
    assert "走访时间不能晚于现在" in response.context["form"].errors["visited_at"][0]
    assert not HomeVisit.objects.exists()


def test_the_author_corrects_and_undoes_a_visit_with_history(client, world):
    client.force_login(world.users["director_a"])
    client.post(reverse("campaigns:visit_new", args=[world.a_poor.pk]), _visit_post(world))
    visit = HomeVisit.objects.get()
    detail = client.get(reverse("campaigns:visit", args=[visit.pk])).content.decode()
    assert reverse("campaigns:visit_edit", args=[visit.pk]) in detail
    edit = reverse("campaigns:visit_edit", args=[visit.pk])
    assert client.post(edit, _visit_post(world, led_by="王芳")).status_code == 302
    visit.refresh_from_db()
    assert visit.led_by == "王芳"
    assert client.post(reverse("campaigns:visit_undo", args=[visit.pk])).status_code == 302
    assert not HomeVisit.objects.exists()
    history = list(
        HomeVisit.history.order_by("history_id")
    )  # the children are saved as a change too
    assert (history[0].history_type, history[0].led_by) == ("+", "李雪")
    assert ("~", "王芳") in [(h.history_type, h.led_by) for h in history]
    assert history[-1].history_type == "-" and history[-1].history_user == world.users["director_a"]


def _tick(client, world, step, by="园长"):
    url = reverse(
        "campaigns:card_tick", args=[world.school_a.pk, world.a_poor.student.household.pk]
    )
    return client.post(url, {"step": step, "by": by, "on": timezone.localdate().isoformat()})


def test_the_card_buttons_name_the_action_and_the_state_shows_as_a_status(client, world):
    client.force_login(world.users["director_a"])
    _tick(client, world, "printed")
    page = client.get(reverse("campaigns:cards", args=[world.school_a.pk])).content.decode()
    assert "登记发放" in page and "✓ 已" not in page
    assert '<span class="badge info">已打印</span>' in page
    assert 'name="by" value="director_a"' in page  # no full name: the login name


def test_a_card_step_done_by_mistake_is_undone_by_its_author_that_day(client, world):
    household = world.a_poor.student.household
    client.force_login(world.users["director_a"])
    _tick(client, world, "printed")
    _tick(client, world, "handed_out")
    page = client.get(reverse("campaigns:cards", args=[world.school_a.pk])).content.decode()
    assert "撤销发放" in page
    undo = reverse("campaigns:card_undo", args=[world.school_a.pk, household.pk])

    client.force_login(world.users["county"])  # not who recorded it
    client.post(undo, {"step": "handed_out"})
    assert PolicyCard.objects.get(household=household).handed_out_on is not None

    client.force_login(world.users["director_a"])
    client.post(undo, {"step": "printed"})  # not the last step
    assert PolicyCard.objects.get(household=household).printed_on is not None
    response = client.post(undo, {"step": "handed_out"}, HTTP_HX_REQUEST="true")
    card = PolicyCard.objects.get(household=household)
    assert card.handed_out_on is None and card.handed_out_by == "" and card.printed_on is not None
    assert "已撤销发放" in response.content.decode() and "登记发放" in response.content.decode()
    assert [h.history_type for h in card.history.order_by("history_id")] == ["+", "~", "~"]


def test_the_families_list_can_be_searched(client, world):
    client.force_login(world.users["director_a"])
    url = reverse("campaigns:cards", args=[world.school_a.pk])
    rows = client.get(url, {"q": world.a_orphan.student.name}).context["rows"]
    assert [r.household.pk for r in rows] == [world.a_orphan.student.household_id]
    page = client.get(url, {"q": "没有这个人"}).content.decode()
    assert "没有找到“没有这个人”" in page


@pytest.mark.parametrize(
    ("user", "title"), [("county", "全县资助走访概况"), ("township", "东城镇资助走访概况")]
)
def test_the_overview_is_titled_by_what_it_covers(client, world, user, title):
    client.force_login(world.users[user])
    page = client.get(reverse("campaigns:home")).content.decode()
    assert title in page and "全镇" not in page


def test_the_campaign_page_and_the_term_summary_count_activities_alike(client, world):
    _record(client, world, reach="45")
    _record(client, world, reach="30", channel="wechat")
    campaign = client.get(reverse("campaigns:campaign", args=[world.campaign.pk]))
    summary = client.get(reverse("campaigns:term_summary", args=[world.school_a.pk]))
    progress = campaign.context["progress"]
    assert (progress.total_activities, progress.total_reach) == (2, 75)
    assert (summary.context["activity_count"], summary.context["activity_reach"]) == (2, 75)
    for page in (campaign, summary):
        assert "覆盖人数：各次活动登记的覆盖人数之和" in page.content.decode()
