"""A township officer in the browser: from the 工作台's count of suspected drop-outs to one
child's case, a follow-up recorded, the case closed as 已返校 with a school."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import Enrollment, EnrollmentStatus
from tests.factories import PASSWORD, make_user
from tests.students.dropout_world import build_dropout_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_follows_up_a_suspected_drop_out_and_closes_it_as_returned(desktop, portal_server):
    world = build_dropout_world()
    make_user(role=Role.TOWNSHIP_STAFF, township=world.township, username="dongling_officer")
    page = desktop
    page.goto(portal_server.url + reverse("admin:index"))
    page.get_by_label("用户名").fill("dongling_officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    to_do = page.locator("#todo-module").get_by_role("link", name="疑似失学辍学")
    count = int(re.search(r"疑似失学辍学 (\d+) 人", to_do.inner_text()).group(1))
    to_do.click()
    page.wait_for_url("**/dropouts/**")
    table = page.locator("table.aid-table").last
    assert "王小学" in table.inner_text() and "未跟进" in table.inner_text()
    assert table.locator("tbody tr").count() == count  # the to-do counts the list it opens
    page.screenshot(path="/tmp/dropout_list.png", full_page=True)

    table.get_by_role("link", name="王小学").click()
    page.wait_for_url("**/dropouts/child/**")
    page.get_by_label("联系人").fill("李老师")
    page.get_by_label("方式").select_option(label="入户走访")
    page.get_by_label("情况").fill("家长同意下周一送孩子返校")
    page.get_by_label("责任人").fill("张主任")
    page.get_by_role("button", name="保存劝返记录").click()
    page.get_by_text("已记录劝返情况").wait_for()
    assert "家长同意下周一送孩子返校" in page.locator("#content-main").inner_text()

    page.locator("#id_outcome").select_option(label="已返校")
    page.get_by_label("佐证说明").fill("东岭小学出具的返校证明")
    page.get_by_label("返校学校").select_option(label="东岭镇 东岭小学")
    page.get_by_label("年级").fill("四年级")
    page.screenshot(path="/tmp/dropout_case.png", full_page=True)
    page.get_by_role("button", name="结案").click()
    page.get_by_text("王小学的个案已结案：已返校").wait_for()
    assert "/dropouts/" in page.url and "/child/" not in page.url
    assert "王小学" not in page.locator("table.aid-table").last.inner_text()
    enrollment = Enrollment.objects.get(student__id_number=world["王小学"].id_number)
    assert (enrollment.school, enrollment.status) == (world.school, EnrollmentStatus.STUDYING)
