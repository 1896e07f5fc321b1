"""The 控辍保学 pages: the lists per township and village, one child's case, contacts, closing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from aidsite.access import SystemActor
from aidsite.models import Role
from students.dropout_cases import dropout_case_close
from students.models import DropoutOutcome, Enrollment
from tests.factories import make_user
from tests.students.dropout_world import build_dropout_world

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def world():
    return build_dropout_world()


@pytest.fixture
def officer(world):
    return make_user(role=Role.TOWNSHIP_STAFF, township=world.township)


def _case_url(world, name: str) -> str:
    return f"{reverse('dropouts:case', args=[world[name].pk])}?year={world.year.pk}"


def test_the_index_links_to_the_list(client, officer):
    client.force_login(officer)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("dropouts:index") in html and "控辍保学" in html


def test_the_officer_sees_their_township_masked(client, world, officer):
    client.force_login(officer)
    response = client.get(reverse("dropouts:index"), {"year": world.year.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "王小学" in html and "陈西川" not in html and "王在读" not in html
    assert "共 <strong>7</strong> 人" in html
    assert not FULL_ID.search(html)


def test_the_preschool_list_is_the_second_list(client, world, officer):
    client.force_login(officer)
    html = client.get(
        reverse("dropouts:index"), {"year": world.year.pk, "list": "preschool"}
    ).content.decode()
    assert "王五岁" in html and "王小学" not in html


def test_the_county_picks_a_township_and_a_village(client, world):
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    everyone = client.get(reverse("dropouts:index"), {"year": world.year.pk}).content.decode()
    assert "陈西川" in everyone and "王小学" in everyone
    lower = world.village.township.villages.get(name="下村")
    one = client.get(
        reverse("dropouts:index"),
        {"year": world.year.pk, "township": world.township.pk, "village": lower.pk},
    ).content.decode()
    assert "赵脱贫" in one and "王小学" not in one and "陈西川" not in one


def test_a_director_gets_403(client, world):
    client.force_login(make_user(role=Role.DIRECTOR, school=world.school))
    assert client.get(reverse("dropouts:index")).status_code == 403


def test_another_townships_child_is_404(client, world):
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=world.other_township))
    assert client.get(_case_url(world, "王小学")).status_code == 404


def test_a_contact_then_returned_with_a_school(client, world, officer):
    client.force_login(officer)
    url = _case_url(world, "王小学")
    page = client.get(url)
    assert page.status_code == 200 and not FULL_ID.search(page.content.decode())
    response = client.post(
        reverse("dropouts:contact", args=[world["王小学"].pk]),
        {"year": world.year.pk, "date": "2022-09-20", "by": "李老师", "mode": "visit",
         "content": "家长同意返校", "responsible": "张主任"},
    )  # fmt: skip
    assert response.status_code == 302
    assert "家长同意返校" in client.get(url).content.decode()
    response = client.post(
        reverse("dropouts:close", args=[world["王小学"].pk]),
        {"year": world.year.pk, "outcome": DropoutOutcome.RETURNED, "outcome_date": "2022-09-28",
         "evidence": "学校出具返校证明", "school": world.school.pk, "stage": "primary", "grade": "四年级"},
    )  # fmt: skip
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(student__id_number=world["王小学"].id_number)
    assert (enrollment.school, enrollment.grade, enrollment.history.first().history_user) == (
        world.school, "四年级", officer,
    )  # fmt: skip
    listed = client.get(reverse("dropouts:index"), {"year": world.year.pk}).content.decode()
    assert "王小学的个案已结案：已返校" in listed
    assert reverse("dropouts:case", args=[world["王小学"].pk]) not in listed
    assert "王初中" in listed


def test_a_bad_closing_is_a_chinese_form_error(client, world, officer):
    client.force_login(officer)
    response = client.post(
        reverse("dropouts:close", args=[world["王初中"].pk]),
        {"year": world.year.pk, "outcome": DropoutOutcome.RETURNED, "outcome_date": "2022-09-28",
         "evidence": "证明", "school": world.school.pk, "stage": "junior"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "没有“初中”学段" in response.content.decode()
    assert not world["王初中"].dropout_cases.exists()


def test_an_auditor_reads_but_may_not_post(client, world):
    client.force_login(make_user(role=Role.AUDITOR))
    assert client.get(_case_url(world, "王小学")).status_code == 200
    response = client.post(
        reverse("dropouts:contact", args=[world["王小学"].pk]),
        {
            "year": world.year.pk,
            "date": "2022-09-20",
            "by": "李老师",
            "mode": "visit",
            "content": "走访",
        },
    )
    assert response.status_code == 403


def test_a_long_list_is_paged(client, world, officer, monkeypatch):
    monkeypatch.setattr("students.dropout_views.PAGE_SIZE", 3)
    client.force_login(officer)
    html = client.get(reverse("dropouts:index"), {"year": world.year.pk, "page": 2}).content.decode()
    assert "第 2 / 3 页" in html and "下一页" in html and "上一页" in html


def test_the_county_sets_the_ages_in_the_school_years_admin(client, world):
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    url = reverse("admin:students_schoolyear_change", args=[world.year.pk])
    assert "义务教育截止年龄" in client.get(url).content.decode()
    form = {
        "name": "2022-2023", "start_year": 2022, "compulsory_age_from": 6, "compulsory_age_to": 16,
        "preschool_age_from": 3, "preschool_age_to": 5, "age_cutoff": "2022-09-01",
        "terms-TOTAL_FORMS": 0, "terms-INITIAL_FORMS": 0,
    }  # fmt: skip
    assert client.post(url, form).status_code == 302
    world.year.refresh_from_db()
    assert (world.year.compulsory_age_to, world.year.age_reference_date().isoformat()) == (16, "2022-09-01")
    form["compulsory_age_from"] = 17
    assert "起始年龄不能大于截止年龄" in client.post(url, form).content.decode()


def test_a_township_officer_may_not_change_the_ages(client, world, officer):
    client.force_login(officer)
    url = reverse("admin:students_schoolyear_change", args=[world.year.pk])
    client.post(url, {"name": "2022-2023", "start_year": 2022, "compulsory_age_to": 18})
    world.year.refresh_from_db()
    assert world.year.compulsory_age_to == 15


def test_a_case_closed_by_a_command_shows_its_outcome(client, world, officer):
    dropout_case_close(
        actor=SystemActor("导入"), member=world["王初中"], school_year=world.year,
        outcome=DropoutOutcome.HOME_TEACHING, outcome_date=dt.date(2022, 10, 1), evidence="重度残疾，每周送教两次",
    )  # fmt: skip
    client.force_login(officer)
    response = client.get(_case_url(world, "王初中"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "已结案：<strong>送教上门</strong>" in html and "每周送教两次" in html and "系统" in html
    assert "保存劝返记录" not in html  # a closed case takes no contact
