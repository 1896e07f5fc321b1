"""两后生 (issue 14): "对特困'两后生'（初、高中毕业未能继续升学的特困家庭学生），开辟绿色通道，
免费注册入学并免除学费" — who is listed, who sees whom, the offer and its outcome, VOC-FREE."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import OfferOutcome, Stage, TwoAfterOffer
from students.two_after import (
    scoped_two_after,
    two_after_count,
    two_after_default_year,
    two_after_rows,
)
from students.two_after_offers import two_after_offer_record
from subsidies.models import Entitlement
from subsidies.services.policies import policies_seed_load
from tests.factories import make_user
from tests.students.two_after_world import (
    LISTED,
    build_two_after_world,
)

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("测试两后生")
FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def world():
    return build_two_after_world()


@pytest.fixture
def officer(world):
    return make_user(role=Role.TOWNSHIP_STAFF, township=world.township)


def _names(actor, year, township=None) -> set[str]:
    return set(
        scoped_two_after(actor=actor, school_year=year, township=township).values_list(
            "name", flat=True
        )
    )


def _offer(world, name: str, *, actor=SYSTEM, **fields) -> TwoAfterOffer:
    values = {
        "vocational_school": world.vocational,
        "offered_on": dt.date(2023, 7, 10),
        "outcome": OfferOutcome.PENDING,
        **fields,
    }
    return two_after_offer_record(
        actor=actor, student=world[name], school_year=world.year, **values
    )


def _index(client, world, **query) -> str:
    return client.get(
        reverse("dropouts:two_after"), {"year": world.year.pk, **query}
    ).content.decode()


def _student_url(world, name: str) -> str:
    return f"{reverse('dropouts:two_after_student', args=[world[name].pk])}?year={world.year.pk}"


def _post_offer(client, world, name: str, **fields):
    data = {
        "year": world.year.pk,
        "vocational_school": world.vocational.pk,
        "offered_on": "2023-07-10",
        "outcome": OfferOutcome.PENDING,
        "note": "",
        **fields,
    }
    return client.post(reverse("dropouts:two_after_offer", args=[world[name].pk]), data)


# --- who is listed ---------------------------------------------------------------------


def test_it_lists_extreme_poverty_students_who_finished_junior_or_high_school_and_did_not_go_on(
    world,
):
    assert _names(SYSTEM, world.year) == LISTED


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("张低保", "a 低保 household is not 特困"),
        ("张脱贫", "a 特困 category lifted (已脱贫) is not 特困 now"),
        ("张初二", "八年级 still has a year to go"),
        ("张小学", "finishing primary school is not 初、高中毕业"),
        ("张辍学", "a 辍学 enrollment is not finishing: 控辍保学 follows it"),
        ("张升高中", "enrolled at a high school next year"),
        ("张大学", "graduated high school, on the college roll next year (高等教育)"),
        ("张中职", "already at the vocational school next year"),
    ],
)
def test_who_is_not_a_two_after_student(world, name, why):
    assert name not in _names(SYSTEM, world.year), why


def test_before_the_next_year_opens_everyone_finishing_the_year_is_listed():
    """Nobody can have an enrollment in a year not opened: the summer list holds all who finish."""
    world = build_two_after_world(next_year_opened=False)
    assert _names(SYSTEM, world.year) == LISTED | {"张升高中", "张大学", "张中职"}
    assert two_after_default_year() == world.year


def test_the_page_opens_on_the_year_that_ended_last(world, client, officer):
    assert two_after_default_year() == world.year  # 2022-2023, followed by 2023-2024
    client.force_login(officer)
    html = client.get(reverse("dropouts:two_after")).content.decode()
    assert "2022-2023学年两后生" in html and "2023-2024学年在全县没有任何学籍" in html
    assert f'<option value="{world.year.pk}" selected>2022-2023</option>' in html
    assert "张初毕" in html


# --- scope -----------------------------------------------------------------------------


def test_a_township_sees_its_households_and_the_students_who_left_its_schools(world, officer):
    """西川户东岭校 lives in 西川镇 and left 东岭中学: both townships see the student."""
    west = make_user(role=Role.TOWNSHIP_STAFF, township=world.other_township)
    assert _names(officer, world.year) == {"张初毕", "张高三", "张初三", "西川户东岭校"}
    assert _names(west, world.year) == {"西川户东岭校", "西川本地"}


def test_the_county_picks_a_township(world, client):
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    everyone = _index(client, world)
    assert all(name in everyone for name in LISTED)
    west = _index(client, world, township=world.other_township.pk)
    assert "西川本地" in west and "西川户东岭校" in west and "张初毕" not in west


def test_the_officer_sees_the_list_masked(world, client, officer):
    client.force_login(officer)
    response = client.get(reverse("dropouts:two_after"), {"year": world.year.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "共 <strong>4</strong> 人" in html and "西川本地" not in html
    assert world["张初毕"].id_number[:4] + "*" in html
    assert not FULL_ID.search(html)


def test_another_townships_student_is_404_and_a_director_gets_403(world, client):
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=world.other_township))
    assert client.get(_student_url(world, "张初毕")).status_code == 404
    assert _post_offer(client, world, "张初毕").status_code == 404
    assert not TwoAfterOffer.objects.exists()
    client.force_login(make_user(role=Role.DIRECTOR, school=world.junior))
    assert client.get(reverse("dropouts:two_after")).status_code == 403


def test_a_student_not_listed_is_404(world, client, officer):
    client.force_login(officer)
    assert client.get(_student_url(world, "张升高中")).status_code == 404


def test_an_auditor_reads_but_may_not_record(world, client):
    client.force_login(make_user(role=Role.AUDITOR))
    assert "张初毕" in _index(client, world)
    page = client.get(_student_url(world, "张初毕")).content.decode()
    assert "保存告知记录" not in page
    assert _post_offer(client, world, "张初毕").status_code == 403
    assert not TwoAfterOffer.objects.exists()


# --- the offer -------------------------------------------------------------------------


def test_an_officer_records_an_offer_and_then_its_outcome(world, client, officer):
    client.force_login(officer)
    assert "保存告知记录" in client.get(_student_url(world, "张初毕")).content.decode()

    response = _post_offer(client, world, "张初毕")
    assert response.status_code == 302
    offer = TwoAfterOffer.objects.get(student=world["张初毕"], school_year=world.year)
    assert (offer.stage, offer.finished_school, offer.outcome) == (
        Stage.JUNIOR, world.junior, OfferOutcome.PENDING,
    )  # fmt: skip
    assert offer.recorded_by == officer

    _post_offer(client, world, "张初毕", outcome=OfferOutcome.DECLINED, note="家长希望其外出务工")
    offer.refresh_from_db()
    assert offer.outcome == OfferOutcome.DECLINED
    assert TwoAfterOffer.objects.count() == 1
    assert [h.outcome for h in offer.history.order_by("history_id")] == ["pending", "declined"]
    assert offer.history.first().history_user == officer
    page = client.get(_student_url(world, "张初毕")).content.decode()
    assert "记录历史" in page and "家长希望其外出务工" in page
    assert "不愿就读（县职业中专" in _index(client, world)


def test_a_bad_offer_is_a_chinese_error_and_nothing_changes(world, client, officer):
    client.force_login(officer)
    _post_offer(client, world, "张初毕")
    response = _post_offer(client, world, "张初毕", outcome=OfferOutcome.OTHER, note="  ")
    assert response.status_code == 400
    assert "结果为“其他”时请填写说明" in response.content.decode()
    response = _post_offer(
        client, world, "张初毕", vocational_school=world.junior.pk, outcome="declined"
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()  # only vocational schools are offered
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _post_offer(client, world, "张初毕", offered_on=future)
    assert "告知日期不能晚于今天" in response.content.decode()
    offer = TwoAfterOffer.objects.get()
    assert (offer.outcome, offer.vocational_school, offer.history.count()) == (
        OfferOutcome.PENDING, world.vocational, 1,
    )  # fmt: skip


def test_the_service_refuses_a_student_not_listed_or_out_of_scope(world, officer):
    with pytest.raises(ValidationError, match="不在本学年两后生名单中"):
        _offer(world, "张升高中")
    with pytest.raises(ValidationError, match="不在本学年两后生名单中"):
        _offer(world, "张低保")
    with pytest.raises(ValidationError, match="东岭中学没有中职学段，请选择职业学校"):
        _offer(world, "张初毕", vocational_school=world.junior)
    with pytest.raises(PermissionDenied):
        _offer(world, "西川本地", actor=officer)
    _offer(world, "西川户东岭校", actor=officer)  # left 东岭中学: the officer may record it
    assert list(TwoAfterOffer.objects.values_list("student__name", flat=True)) == ["西川户东岭校"]


def test_enrolled_is_checked_against_the_next_years_enrollment(world, client, officer):
    _offer(world, "张初毕", outcome=OfferOutcome.ENROLLED)
    [row] = two_after_rows([world["张初毕"]], world.year)
    assert row.enrollment_unconfirmed
    client.force_login(officer)
    assert "学籍未核实" in client.get(_student_url(world, "张初毕")).content.decode()

    world.enroll_next("张初毕", world.vocational, Stage.VOCATIONAL, grade="一年级", study_year=1)
    assert "张初毕" in _names(SYSTEM, world.year)  # the offer keeps the student on the list
    [row] = two_after_rows([world["张初毕"]], world.year)
    assert row.next_enrollment.vocational and not row.enrollment_unconfirmed
    page = client.get(_student_url(world, "张初毕")).content.decode()
    assert "已在县职业中专中职入学" in page and "学籍未核实" not in page


def test_a_two_after_student_at_the_public_vocational_school_gets_voc_free(world):
    """ "入学后按公办中职学生享受中职免学费": compute_aid treats them as any vocational student."""
    policies_seed_load(school_year=world.next_year)
    _offer(world, "张初毕", outcome=OfferOutcome.ENROLLED)
    world.enroll_next("张初毕", world.vocational, Stage.VOCATIONAL, grade="一年级", study_year=1)
    call_command("compute_aid", "--year", "2023-2024", "--term", "autumn", stdout=io.StringIO())
    free = Entitlement.objects.get(student=world["张初毕"], policy__code="VOC-FREE")
    assert free.amount == Decimal("1500.00")  # half of the 3000 元 a year, for the autumn term
    assert free.enrollment.school == world.vocational


# --- the 工作台 and the cost of the list -------------------------------------------------


def test_the_workbench_counts_the_students_still_to_offer_and_links_the_list(
    world, client, officer
):
    assert two_after_count(officer).waiting == 4
    _offer(world, "张初毕", outcome=OfferOutcome.PENDING)
    _offer(world, "张高三", outcome=OfferOutcome.UNREACHABLE)
    assert two_after_count(officer).waiting == 3  # pending still waits; unreachable is answered
    client.force_login(officer)
    html = client.get(reverse("admin:index")).content.decode()
    assert "两后生待落实 3 人" in html and reverse("dropouts:two_after") in html
    _offer(world, "张初毕", outcome=OfferOutcome.DECLINED, note="")
    assert "两后生待落实 2 人" in client.get(reverse("admin:index")).content.decode()


def test_the_outcome_filter_and_counts(world, client, officer):
    _offer(world, "张初毕", outcome=OfferOutcome.DECLINED)
    client.force_login(officer)
    html = _index(client, world)
    assert "未告知</a> 3 人" in html and "不愿就读</a> 1 人" in html
    declined = _index(client, world, outcome=OfferOutcome.DECLINED)
    assert "张初毕" in declined and "张高三" not in declined
    not_offered = _index(client, world, outcome="none")
    assert "张高三" in not_offered and "张初毕" not in not_offered


def _more(world, prefix: str, count: int) -> None:
    """`count` more 特困 students who graduated from 东岭中学; every second one offered a place."""
    for i in range(count):
        world.finish(f"{prefix}{i}", grade="九年级", study_year=3)
        if i % 2:
            _offer(world, f"{prefix}{i}")


def _page_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dropouts:two_after"), {"year": world.year.pk}).status_code == 200
    return len(captured)


def test_the_list_runs_a_constant_number_of_queries(world, client, officer):
    client.force_login(officer)
    _more(world, "新生", 2)
    few = _page_queries(client, world)
    _more(world, "多生", 30)
    assert "共 <strong>36</strong> 人" in _index(client, world)
    assert _page_queries(client, world) == few
