"""The county administrator in the browser: from the loan list to an approved loan, signs its
contract and reads the repayment plan; then the 应贷尽贷 list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import EnrollmentStatus, HouseholdCategory, Stage
from tests.factories import (
    PASSWORD,
    make_enrollment,
    make_household,
    make_school,
    make_school_year,
    make_student,
    make_township,
    make_user,
    make_village,
)
from tests.subsidies.loan_factories import approved_loan
from tests.world import year_with_policies

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_overflow(page) -> bool:  # type: ignore[no-untyped-def]
    return not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_county_admin_signs_an_approved_loan_and_sees_its_plan(desktop, portal_server):
    year = year_with_policies()  # the current school year, with the seed's policies
    township = make_township("青山镇")
    poor = make_village(township=township, name="石岭村", poor=True)
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    make_user(role=Role.COUNTY_ADMIN, username="county")
    approved_loan(
        year=year, household=make_household(village=poor, categories=(HouseholdCategory.REGISTERED,)),
        officer=officer, county=make_user(role=Role.COUNTY_ADMIN), name="张大学",
    )  # fmt: skip
    # Finished 普通高中 last year, no loan application: a 应贷尽贷 case to follow up.
    previous = make_school_year(f"{year.start_year - 1}-{year.start_year}")
    make_enrollment(
        student=make_student(household=make_household(village=poor, categories=(HouseholdCategory.DIBAO,)),
                             name="李待联系", birth=dt.date(year.start_year - 18, 5, 1)),
        school=make_school(township=township, stages=Stage.HIGH, name="县第一中学"), school_year=previous,
        stage=Stage.HIGH, study_year=3, status=EnrollmentStatus.GRADUATED,
    )  # fmt: skip

    page = desktop
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(portal_server.url + reverse("aid:loans"))
    page.get_by_label("用户名").fill("county")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/aid/loans/**")
    assert "受理：1" in page.locator(".loan-counts").inner_text()
    page.screenshot(path="/tmp/loan_list.png", full_page=True)
    assert _no_overflow(page)

    page.get_by_role("link", name="张大学").click()
    page.get_by_label("经办银行").fill("县农村信用合作联社")
    page.get_by_label("合同编号").fill("HT-2026-001")
    page.get_by_label("签约日期").fill(f"{year.start_year}-09-01")
    page.get_by_label("年利率（%）").fill("4.35")
    assert page.get_by_label("每年贷款金额（元）").input_value() == "8000.00"
    assert page.get_by_label("贷款期限（年）").input_value() == "20"
    page.get_by_role("button", name="登记签约").click()

    body = page.locator("#content-main").inner_text()
    assert "已签约，合同编号 HT-2026-001" in page.content()
    plan = page.locator("table.loan-plan")
    assert plan.locator("tbody tr").count() == 21  # 20 years and the total
    first = plan.locator("tbody tr").first.inner_text()
    assert "8,000.00" in first and "348.00" in first and "财政贴息" in first
    assert f"{year.start_year + 19}-{year.start_year + 20}" in body
    page.screenshot(path="/tmp/loan_page.png", full_page=True)
    assert _no_overflow(page)

    page.goto(portal_server.url + reverse("aid:must_lend"))
    table = page.locator("table.must-lend-table").inner_text()
    assert "李待联系" in table and "上学年县第一中学毕业" in table and "张大学" not in table
    page.screenshot(path="/tmp/loan_must_lend.png", full_page=True)
    assert _no_overflow(page)
