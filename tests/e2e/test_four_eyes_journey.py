"""Township staff and the second officer in the browser, from log-in to an approved batch.

The first officer computes the term's list, follows the 工作台's to-do to review it (名单审核)
and prepares a disbursement batch; the second officer logs in, finds the batch under 我的待办
on the 工作台, follows it and approves it (four-eyes, SECURITY A5).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.models import BatchStatus, DisbursementBatch, Policy
from subsidies.selectors import TermData, default_term
from tests.e2e.conftest import DESKTOP
from tests.factories import PASSWORD, make_school, make_township, make_user, make_village
from tests.world import enroll_child, year_with_policies

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PRE_GRANT = "学前教育政府助学金"


@pytest.fixture
def qingshan():  # type: ignore[no-untyped-def]
    """青山镇 as in the demo: its central kindergarten, children of poor households, two officers."""
    year = year_with_policies()
    term = default_term(actor=SystemActor("测试"), data=TermData.AID)
    assert term is not None and term.school_year == year
    township = make_township("青山镇")
    village = make_village(township=township, name="石岭村", poor=True)
    kindergarten = make_school(
        township=township, stages=Stage.KINDERGARTEN, name="青山镇中心幼儿园"
    )
    hardships = [
        HouseholdCategory.DIBAO,
        HouseholdCategory.EXTREME,
        HouseholdCategory.REGISTERED,
        (),
    ]
    for i, category in enumerate(hardships * 3):
        categories = (category,) if category else ()
        enroll_child(
            school=kindergarten, year=year, village=village, categories=categories, name=f"幼儿{i}"
        )
    first = make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan_first")
    second = make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan_second")
    second.last_name, second.first_name = "林", "复核"
    second.save()
    return term, first, second


def log_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#todo-module").wait_for()


def confirm_if_asked(page, done) -> None:  # type: ignore[no-untyped-def]
    """An irreversible step may ask again (a confirm dialog is accepted by the page's handler,
    or a page with a 确认 button): press it, then wait for `done`."""
    again = page.get_by_role("button", name=re.compile("^确认"))
    done.or_(again).first.wait_for()
    if not done.first.is_visible():
        again.first.click()
    done.first.wait_for()


def test_the_second_officer_finds_the_batch_on_the_workbench_and_approves_it(
    browser, portal_server, qingshan
):
    term, first, second = qingshan
    page = browser.new_context(locale="zh-CN", **DESKTOP).new_page()
    page.set_default_timeout(20000)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, portal_server.url + reverse("admin:index"), first.username)
    assert "暂无待办事项" in page.locator("#todo-module").inner_text()

    # Compute the term's list: preview, then accept.
    page.get_by_role("link", name="资助名单", exact=True).first.click()
    page.locator(".aid-nav").get_by_role("link", name="测算与预览").click()
    page.get_by_role("button", name="预览").click()
    page.get_by_role("button", name="确认生成").click()
    page.wait_for_url("**/aid/list/**")

    # Back on the 工作台 the computed list waits for review; the to-do opens its 名单审核.
    page.goto(portal_server.url + reverse("admin:index"))
    todos = page.locator("#todo-module")
    assert "待名单审核" in todos.inner_text() and "PRE-GRANT" not in todos.inner_text()
    todos.get_by_role("link", name=re.compile(PRE_GRANT)).click()
    page.wait_for_url("**/aid/approve/**")
    page.get_by_role("button", name=re.compile("^审核通过")).click()
    confirm_if_asked(page, page.get_by_text("资助名单审核完成"))

    # Prepare the batch (cash for those without an account).
    policy = Policy.objects.get(school_year=term.school_year, code="PRE-GRANT")
    page.goto(portal_server.url + reverse("ledgers:index"))
    page.get_by_role("link", name="编制发放批次").click()
    page.locator("select[name=policy]").select_option(str(policy.pk))
    page.locator("select[name=default_method]").select_option("cash")
    page.get_by_role("button", name="编制批次").click()
    page.wait_for_url("**/ledgers/batch/**")
    batch = DisbursementBatch.objects.get()
    assert batch.prepared_by == first and batch.status == BatchStatus.PREPARED

    page.goto(portal_server.url + reverse("admin:index"))
    todos = page.locator("#todo-module").inner_text()
    assert "等待他人审核" in todos and "待我审核" not in todos
    page.context.close()

    # The second officer: the batch is the first thing on the 工作台.
    page = browser.new_context(locale="zh-CN", **DESKTOP).new_page()
    page.set_default_timeout(20000)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, portal_server.url + reverse("admin:index"), second.username)
    todos = page.locator("#todo-module")
    assert "待我审核的发放批次（1）" in todos.inner_text()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path="/tmp/workbench_second_officer.png")
    todos.get_by_role("link", name=re.compile(PRE_GRANT)).click()
    page.wait_for_url(f"**{reverse('ledgers:batch', args=[batch.pk])}")
    # The confirmation states what is frozen, then the button inside it approves.
    page.locator("#approve-confirm summary").click()
    assert "锁定后金额和收款账号不能再修改" in page.locator("#approve-confirm").inner_text()
    page.get_by_role("button", name="确认审核通过并锁定").click()
    confirm_if_asked(page, page.locator(".messagelist").get_by_text("已审核"))

    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == second
    assert batch.entry_count == batch.entries.count() > 0
    page.goto(portal_server.url + reverse("admin:index"))
    assert "待我审核" not in page.locator("#todo-module").inner_text()
    page.context.close()
