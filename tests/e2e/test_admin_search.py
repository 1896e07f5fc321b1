"""A township officer finds a student in the admin by a full ID number: the search box
posts the number, and the address bar only ever shows its masked form (SECURITY D4)."""

from __future__ import annotations

import pytest

from aidsite.models import Role
from tests.factories import (
    PASSWORD,
    make_household,
    make_student,
    make_township,
    make_user,
    make_village,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_township_officer_finds_a_student_by_full_id_and_the_url_stays_masked(desktop, portal_server):
    township = make_township("青山镇")
    village = make_village(township=township, name="石门村")
    wanted = make_student(household=make_household(village=village), name="王小明")
    make_student(household=make_household(village=village), name="李小红")
    make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan_officer")

    page = desktop
    page.goto(portal_server.url + "/admin/students/student/")
    page.get_by_label("用户名").fill("qingshan_officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/students/student/**")
    assert "李小红" in page.locator("#result_list").inner_text()

    # Typed the way a clerk copies it from a paper form: spaces and a lower-case x are fine.
    page.locator("#searchbar").fill(" ".join([wanted.id_number[:6], wanted.id_number[6:]]).lower())
    page.locator("#changelist-search input[type=submit]").click()
    page.wait_for_url("**qt=**")
    results = page.locator("#result_list").inner_text()
    assert "王小明" in results and "李小红" not in results
    assert wanted.id_number not in page.url and wanted.id_number[6:14] not in page.url
    assert wanted.masked_id_number in page.locator("#searchbar").input_value()
    page.screenshot(path="/tmp/admin_search.png", full_page=True)
