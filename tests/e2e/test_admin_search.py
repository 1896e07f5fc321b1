"""A township officer finds a student in the admin by a full ID number: the search box
posts the number, and the address bar only ever shows its masked form (SECURITY D4)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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


def test_a_student_picked_by_full_id_in_a_form_never_puts_the_number_in_a_url(desktop, portal_server):
    township = make_township("青山镇")
    village = make_village(township=township, name="石门村")
    wanted = make_student(household=make_household(village=village), name="王小明")
    make_student(household=make_household(village=village), name="李小红")
    make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan_officer")
    page = desktop
    requested: list[tuple[str, str]] = []
    page.on("request", lambda request: requested.append((request.method, request.url)))

    page.goto(portal_server.url + "/admin/subsidies/paymentaccount/add/")
    page.get_by_label("用户名").fill("qingshan_officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/paymentaccount/add/**")

    # The student picker (select2): open it and type the whole ID number.
    page.locator(".field-student .select2-selection").click()
    page.locator(".select2-search__field").fill(wanted.id_number)
    # Once the lookup has answered, the one match is all that is offered.
    expect(page.locator(".select2-results__option")).to_have_text([re.compile("王小明")])
    page.locator(".select2-results__option", has_text="王小明").click()
    assert "王小明" in page.locator(".field-student .select2-selection").inner_text()

    lookups = [(method, url) for method, url in requested if "/admin/autocomplete/" in url]
    assert lookups and all(method == "POST" for method, _url in lookups)
    assert not [url for _method, url in requested if wanted.id_number[6:14] in url]
