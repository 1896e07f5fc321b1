"""Aid by application in the browser: from the township's entry to the next ledger batch.

A township officer enters a 保教费减免 (PRE-FEE) application with a photo of the 特困证明
for a 特困 child of a poor village at a kindergarten with a fee, and passes it at 初审; a
county administrator (another person) finds it on the 工作台 and approves it; the township
then prepares the term's batch for that policy and the approved amount is in it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.models import AidApplication, ApplicationStatus, DisbursementBatch, Policy
from subsidies.selectors import TermData, default_term
from tests.campaigns.conftest import png_bytes
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_four_eyes_journey import log_in
from tests.factories import make_school, make_township, make_user, make_village
from tests.world import enroll_child, year_with_policies

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def qingshan():  # type: ignore[no-untyped-def]
    year = year_with_policies()
    term = default_term(actor=SystemActor("测试"), data=TermData.AID)
    township = make_township("青山镇")
    village = make_village(township=township, name="石岭村", poor=True)
    kindergarten = make_school(
        township=township,
        stages=Stage.KINDERGARTEN,
        name="青山镇中心幼儿园",
        tuition=Decimal("1800"),
    )
    child = enroll_child(
        school=kindergarten,
        year=year,
        village=village,
        categories=(HouseholdCategory.EXTREME,),
        name="石小花",
    ).student
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan_officer")
    county = make_user(role=Role.COUNTY_ADMIN, username="county_reviewer")
    return term, child, officer, county


def _page(browser):  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="zh-CN", **DESKTOP).new_page()
    page.set_default_timeout(20000)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_an_application_is_entered_checked_approved_and_paid_in_the_next_batch(
    browser, portal_server, qingshan, tmp_path
):
    term, child, officer, county = qingshan
    policy = Policy.objects.get(school_year=term.school_year, code="PRE-FEE")
    evidence = tmp_path / "特困证明.png"
    evidence.write_bytes(png_bytes((300, 200)))

    # The township officer enters it from the 工作台's 日常工作.
    page = _page(browser)
    log_in(page, portal_server.url + reverse("admin:index"), officer.username)
    page.locator("#workbench-module").get_by_role("link", name="资助申请").click()
    page.locator(".app-nav").get_by_role("link", name="录入申请").click()
    college = Policy.objects.get(school_year=term.school_year, code="HE-AUTUMN")
    page.locator("#id_policy").select_option(str(college.pk))
    assert (
        page.locator("#college-fields").is_visible() and page.locator(".field-partner").is_visible()
    )
    page.set_viewport_size(SCREEN)
    page.screenshot(path="/tmp/application_new_college.png", full_page=True)
    page.locator("#id_policy").select_option(label="保教费减免")
    assert not page.locator("#college-fields").is_visible()
    page.get_by_label("申请人身份证号").fill(child.id_number)
    page.locator("#id_term").select_option(str(term.pk))
    page.get_by_label("申请金额（元）").fill("900")
    page.locator("#id_evidence-0-kind").select_option("hardship")
    page.locator("#id_evidence-0-file").set_input_files(str(evidence))
    page.get_by_role("button", name="提交申请").click()
    page.locator(".messagelist").get_by_text("等待初审").wait_for()
    assert page.locator(".app-evidence img").count() == 1
    page.get_by_role("button", name="初审通过").click()
    page.locator(".messagelist").get_by_text("已报县资助中心审核").wait_for()
    application = AidApplication.objects.get()
    assert application.status == ApplicationStatus.CHECKED and application.checked_by == officer
    page.context.close()

    # The county administrator: the 工作台 says what waits; the application opens from the list.
    page = _page(browser)
    log_in(page, portal_server.url + reverse("admin:index"), county.username)
    page.locator("#todo-module").get_by_role("link", name="待我审核的资助申请 1 件").click()
    page.wait_for_url("**/aid/applications/**")
    page.set_viewport_size(SCREEN)
    page.screenshot(path="/tmp/application_list.png", full_page=True)
    page.get_by_role("link", name="石小花").click()
    assert "900.00 元" in page.locator("#rules-amount").inner_text()
    page.get_by_role("button", name="批准", exact=True).click()
    page.locator(".messagelist").get_by_text("已批准 900.00 元").wait_for()
    page.screenshot(path="/tmp/application_detail.png", full_page=True)
    assert "批准 900.00 元" in page.locator("#timeline").inner_text()
    page.context.close()

    # The township prepares the term's batch for 保教费减免: the approved amount is in it.
    page = _page(browser)
    log_in(page, portal_server.url + reverse("admin:index"), officer.username)
    page.goto(portal_server.url + reverse("ledgers:prepare"))
    page.locator("select[name=term]").select_option(str(term.pk))
    page.locator("select[name=policy]").select_option(str(policy.pk))
    page.locator("select[name=default_method]").select_option("cash")
    page.get_by_role("button", name="编制批次").click()
    page.wait_for_url("**/ledgers/batch/**")
    batch = DisbursementBatch.objects.get()
    assert (batch.policy, batch.term, batch.total_amount, batch.entry_count) == (
        policy,
        term,
        Decimal("900.00"),
        1,
    )
    assert "石小花" in page.content()
    page.context.close()
