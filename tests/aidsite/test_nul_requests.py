"""SECURITY B5: a NUL in the path, the query or a form field is a 400 on both databases."""

from __future__ import annotations

import pytest
from django.test import Client

from aidsite.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/gongshi/abc%00def/", "/gongshi/%00/", "/admin/login/?next=%00", "/admin/login/?%00=1"],
)
def test_it_answers_400_to_an_anonymous_url_with_a_nul(client, url):
    assert client.get(url).status_code == 400


def test_it_answers_400_to_an_admin_list_filtered_by_a_nul():
    client = Client()
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    assert client.get("/admin/students/student/?id_number=%00").status_code == 400
    assert client.get("/admin/students/student/?q=a%00b").status_code == 400


def test_it_answers_400_to_a_posted_field_with_a_nul(client):
    response = client.post("/admin/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400


def test_it_lets_ordinary_requests_through(client):
    assert client.get("/admin/login/?next=/admin/").status_code == 200
    assert client.get("/gongshi/abcdef/").status_code == 404
