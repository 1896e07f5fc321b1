"""SECURITY D4: searching a student by ID number or phone never puts the number in a URL.

Access logs of this server and of any proxy in front hold every request line; the
admin search box posts the term and the list continues at `?q=<masked>&qt=<token>`.
"""

from __future__ import annotations

import re

import pytest

from tests.scoped_world import build_world

pytestmark = pytest.mark.django_db

STUDENTS = "/admin/students/student/"
HOUSEHOLDS = "/admin/students/household/"
ENROLLMENTS = "/admin/students/enrollment/"
URL_IN_PAGE = re.compile(r'(?:href|action|src)="([^"]*)"')


@pytest.fixture
def world():
    return build_world()


def _urls_in(response) -> list[str]:
    return URL_IN_PAGE.findall(response.content.decode())


def _post_search(client, url, term, **params):
    return client.post(url, {"_personal_search": "1", "q": term, **params})


@pytest.mark.parametrize("role", ["county", "township_staff", "director"])
def test_searching_a_full_id_finds_the_student_and_no_url_holds_the_number(client, world, role):
    client.force_login(getattr(world, role))
    number = world.student_a.id_number

    posted = _post_search(client, STUDENTS, number)

    assert posted.status_code == 302
    location = posted["Location"]
    assert number not in location and "qt=" in location
    page = client.get(location)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [world.student_a]
    assert page.context["cl"].query == f"{number[:4]}**********{number[-4:]}"
    urls = _urls_in(page)
    assert urls and not [url for url in urls if number in url]
    # Sorting keeps the exact match: the sort link carries the token, not the number.
    sort = client.get(location + "&o=1")
    assert list(sort.context["cl"].result_list) == [world.student_a]
    assert not [url for url in _urls_in(sort) if number in url]


def test_a_full_id_typed_into_the_url_is_moved_out_of_it(client, world):
    client.force_login(world.county)
    number = world.student_a.id_number
    response = client.get(STUDENTS, {"q": number.lower()[:-1] + number[-1]})
    assert response.status_code == 302
    assert number not in response["Location"]
    followed = client.get(response["Location"])
    assert list(followed.context["cl"].result_list) == [world.student_a]


def test_the_token_means_nothing_in_another_session(client, django_user_model, world):
    client.force_login(world.county)
    location = _post_search(client, STUDENTS, world.student_a.id_number)["Location"]
    other = type(client)()
    other.force_login(world.county)
    page = other.get(location)
    # Without the remembered number only the visible digits match: the student is still found
    # by the masked form the URL shows, and the other session learns nothing more.
    assert page.status_code == 200
    assert world.student_a.id_number not in page.content.decode()


def test_the_enrollment_list_finds_a_student_by_id_the_same_way(client, world):
    client.force_login(world.township_staff)
    number = world.student_a.id_number
    posted = _post_search(client, ENROLLMENTS, number)
    assert posted.status_code == 302 and number not in posted["Location"]
    page = client.get(posted["Location"])
    assert list(page.context["cl"].result_list) == [world.enrollment_a]
    assert not [url for url in _urls_in(page) if number in url]


def test_a_phone_is_searched_the_same_way(client, world):
    client.force_login(world.county)
    posted = _post_search(client, HOUSEHOLDS, "13787654321")
    assert posted.status_code == 302 and "13787654321" not in posted["Location"]
    page = client.get(posted["Location"])
    assert list(page.context["cl"].result_list) == [world.household_b]
    assert not [url for url in _urls_in(page) if "13787654321" in url]


def test_a_name_is_still_searched_by_get(client, world):
    client.force_login(world.county)
    posted = _post_search(client, STUDENTS, "甲学生")
    assert posted.status_code == 302 and "qt=" not in posted["Location"]
    assert list(client.get(posted["Location"]).context["cl"].result_list) == [world.student_a]
    assert list(client.get(STUDENTS, {"q": "甲学生"}).context["cl"].result_list) == [
        world.student_a
    ]


def test_the_search_box_posts_only_where_personal_numbers_are_searched(client, world):
    client.force_login(world.county)
    students = client.get(STUDENTS).content.decode()
    assert re.search(r'<form id="changelist-search" method="post"', students)
    assert 'name="csrfmiddlewaretoken"' in students.split('id="changelist-search"')[1]
    villages = client.get("/admin/students/village/").content.decode()
    assert re.search(r'<form id="changelist-search" method="get"', villages)


def test_a_user_who_may_not_see_the_list_cannot_search_it(client, world):
    from aidsite.models import Role
    from tests.factories import make_user

    nobody = make_user(role=Role.AUDITOR, username="auditor_without_view")
    nobody.groups.clear()
    client.force_login(nobody)
    assert _post_search(client, STUDENTS, world.student_a.id_number).status_code == 403
    assert "personal_searches" not in client.session
