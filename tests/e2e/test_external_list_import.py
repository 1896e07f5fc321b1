"""The county reviews the civil-affairs list's differences in the admin, confirms, and a township officer sees theirs."""

from __future__ import annotations

import pytest

from aidsite.models import Role
from students.models import HouseholdHardship, HouseholdMember
from tests.factories import PASSWORD, make_household, make_user
from tests.students.external_sheets import CIVIL_HEADERS, make_county, person, workbook

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_county_previews_then_applies_a_civil_list(desktop, portal_server, tmp_path):
    county = make_county()
    home = make_household(village=county.one, head_name="陈一")
    newcomer = person(2013)
    path = workbook(tmp_path / "民政名单.xlsx", CIVIL_HEADERS, [
        ["东镇", "一村", "陈一", "陈小", newcomer, "低保", "2021-03-01", ""],
    ])  # fmt: skip
    make_user(role=Role.COUNTY_ADMIN, username="county_it")
    page = desktop

    _login(page, portal_server.url + "/admin/students/externallistimport/", "county_it")
    page.get_by_role("link", name="导入名单并比对").click()
    page.get_by_label("名单").select_option("civil")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传并比对").click()

    table = page.locator("#list-differences").inner_text()
    assert "新增人员" in table and "新增类别" in table and newcomer not in table
    assert not HouseholdMember.objects.exists()  # the preview wrote nothing
    page.screenshot(path="/tmp/external_preview.png", full_page=True)
    page.get_by_role("button", name="确认并应用差异").click()
    page.wait_for_url("**/admin/students/externallistimport/")
    assert "已保存名单并应用 2 条差异" in page.locator(".messagelist").inner_text()
    assert HouseholdMember.objects.get().household == home
    assert HouseholdHardship.objects.get(household=home).category == "dibao"

    # The registry drifts: the township's officer sees the difference on the page.
    HouseholdHardship.objects.all().delete()
    make_user(role=Role.TOWNSHIP_STAFF, township=county.east, username="east_officer")
    page.context.clear_cookies()
    _login(page, portal_server.url + "/lists/", "east_officer")
    assert "东镇" in page.locator("#difference-counts").inner_text()
    assert "新增类别" in page.locator("#differences").inner_text()
    page.screenshot(path="/tmp/external_differences.png", full_page=True)
