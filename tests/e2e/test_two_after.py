"""A township officer in the browser: from the 工作台's count of 两后生 to the list, one
student's page, the vocational school's offer recorded, and the list showing its outcome."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import OfferOutcome, TwoAfterOffer
from tests.factories import PASSWORD, make_user
from tests.students.two_after_world import build_two_after_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1366, "height": 768}


def test_officer_records_the_vocational_schools_offer_to_a_two_after_student(
    desktop, portal_server
):
    world = build_two_after_world()
    make_user(role=Role.TOWNSHIP_STAFF, township=world.township, username="dongling_officer")
    page = desktop
    page.set_viewport_size(SCREEN)
    page.goto(portal_server.url + reverse("admin:index"))
    page.get_by_label("用户名").fill("dongling_officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    to_do = page.locator("#todo-module").get_by_role("link", name="两后生待落实")
    assert re.search(r"两后生待落实 4 人", to_do.inner_text())
    to_do.click()
    page.wait_for_url("**/dropouts/two-after/**")
    table = page.locator("table.aid-table")
    assert "张初毕" in table.inner_text() and "未告知" in table.inner_text()
    assert table.locator("tbody tr").count() == 4
    page.screenshot(path="/tmp/two_after_list.png")

    table.get_by_role("link", name="张初毕").click()
    page.wait_for_url("**/dropouts/two-after/*/?year=*")
    page.get_by_label("职业学校").select_option(label="城关镇 县职业中专")
    page.locator("#id_outcome").select_option(label="已报名入学")
    page.get_by_label("说明").fill("家长同意，8月20日到校报名")
    page.screenshot(path="/tmp/two_after_student.png", full_page=True)
    page.get_by_role("button", name="保存告知记录").click()
    page.get_by_text("已记录张初毕的职业学校告知：已报名入学").wait_for()

    row = page.locator("table.aid-table tbody tr", has_text="张初毕")
    assert "已报名入学（县职业中专" in row.inner_text() and "学籍未核实" in row.inner_text()
    page.screenshot(path="/tmp/two_after_after.png")
    offer = TwoAfterOffer.objects.get(student=world["张初毕"])
    assert (offer.outcome, offer.vocational_school) == (OfferOutcome.ENROLLED, world.vocational)
