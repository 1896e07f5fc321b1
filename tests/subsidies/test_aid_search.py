"""Searching the aid list (/aid/list/) by name and by ID number, without a full number in any URL."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from aidsite.lib.idcard import mask_id_number
from aidsite.models import AccessLog, Role
from students.models import HouseholdCategory as H
from students.models import Stage
from tests.factories import make_township, make_user
from tests.scoped_world import ID_PATTERN_IN_HTML
from tests.subsidies.townships import compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(term, kids):
    school = kids.school(Stage.HIGH, name="青山中学")
    people = {
        "dibao": kids(school, categories=(H.DIBAO,), name="王小明"),
        "extreme": kids(school, categories=(H.EXTREME,), name="李小红"),
        "other": kids(school, categories=(H.OTHER,), name="王大力"),
    }
    compute(term)
    return people


@pytest.fixture
def staff(township, listed):
    """The township's officer (the list is computed first)."""
    return make_user(role=Role.TOWNSHIP_STAFF, township=township)


def _names(response) -> list[str]:
    assert response.status_code == 200
    return sorted({row["e"].student.name for row in response.context["rows"]})


def test_the_list_finds_students_by_part_of_the_name(client, term, listed, staff):
    client.force_login(staff)
    response = client.get(reverse("aid:list"), {"term": term.pk, "q": "王"})
    assert _names(response) == ["王大力", "王小明"]
    assert _names(client.get(reverse("aid:list"), {"term": term.pk, "q": "小红"})) == ["李小红"]


def test_the_last_four_digits_find_the_student(client, term, listed, staff):
    client.force_login(staff)
    number = listed["extreme"].student.id_number
    response = client.get(reverse("aid:list"), {"term": term.pk, "q": number[-4:]})
    assert "李小红" in _names(response)
    assert all(row["e"].student.id_number.endswith(number[-4:]) for row in response.context["rows"])


def test_a_full_number_is_posted_and_the_list_url_holds_only_its_masked_form(
    client, term, listed, staff
):
    client.force_login(staff)
    number = listed["dibao"].student.id_number
    posted = client.post(reverse("aid:list"), {"term": term.pk, "q": f" {number.lower()} "})
    assert posted.status_code == 302
    assert number not in posted["Location"] and mask_id_number(number) in unquote(
        posted["Location"]
    )
    page = client.get(posted["Location"])
    assert _names(page) == ["王小明"]
    body = page.content.decode()
    assert re.search(ID_PATTERN_IN_HTML, body) is None
    assert mask_id_number(number) in body
    assert not AccessLog.objects.exists()


def test_a_full_number_typed_into_the_url_is_moved_out_of_it(client, term, listed, staff):
    client.force_login(staff)
    number = listed["dibao"].student.id_number
    response = client.get(reverse("aid:list"), {"term": term.pk, "q": number})
    assert response.status_code == 302 and number not in response["Location"]
    assert _names(client.get(response["Location"])) == ["王小明"]


def test_a_masked_number_without_this_sessions_token_matches_only_the_visible_digits(
    client, term, listed, staff
):
    client.force_login(staff)
    number = listed["dibao"].student.id_number
    response = client.get(
        reverse("aid:list"), {"term": term.pk, "q": mask_id_number(number), "qt": "forged"}
    )
    names = _names(response)
    assert "王小明" in names
    for row in response.context["rows"]:
        found = row["e"].student.id_number
        assert found[:4] == number[:4] and found[-4:] == number[-4:]


def test_a_longer_tail_than_the_role_may_ask_for_is_a_clear_error(client, term, listed, staff):
    client.force_login(staff)
    number = listed["dibao"].student.id_number
    page = client.get(reverse("aid:list"), {"term": term.pk, "q": number[-9:]}).content.decode()
    assert "按身份证号查找请输入后 4 至 6 位" in page
    six = client.get(reverse("aid:list"), {"term": term.pk, "q": number[-6:]})
    assert "王小明" in _names(six)


def test_the_search_stays_inside_the_township(client, term, listed, staff):
    other = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白水镇"))
    client.force_login(other)
    response = client.get(reverse("aid:list"), {"term": term.pk, "q": "王小明"})
    assert response.status_code == 200 and response.context["rows"] == []
