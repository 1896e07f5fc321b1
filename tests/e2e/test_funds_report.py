"""The county administrator in the browser: enter a funding quota (资金指标) with its document
number, and see the funds report's remaining figure for the township change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import Term
from subsidies.models import FundAllotment, Policy
from subsidies.services.policies import policies_seed_load
from tests.campaigns.conftest import current_school_year
from tests.factories import PASSWORD, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_administrator_enters_an_allotment_and_sees_the_remaining_change(
    desktop, portal_server
):
    year = current_school_year()
    policies_seed_load(school_year=year)
    term = Term.objects.filter(school_year=year).order_by("start_date").first()
    township = make_township("青山镇")
    approved_entitlements(term=term, township=township, count=3)  # 1,800.00 committed
    make_user(role=Role.COUNTY_ADMIN, username="county_admin")
    grant = Policy.objects.get(school_year=year, code="PRE-GRANT")

    page = desktop
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(portal_server.url + reverse("aid:funds"))
    page.get_by_label("用户名").fill("county_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/aid/funds/**")
    row = page.locator("tr.township", has_text="青山镇")
    assert "未录入" in row.inner_text()
    assert page.locator("#no-allotments").is_visible()

    page.get_by_role("link", name="录入资金指标").click()
    page.wait_for_url("**/fundallotment/add/**")
    page.locator("#id_policy").select_option(str(grant.pk))
    page.locator("#id_township").select_option(str(township.pk))
    page.locator("#id_amount").fill("8000")
    page.locator("#id_document_number").fill("县财教〔2024〕12号")
    page.locator("#id_issued_on").fill(f"{year.start_year}-09-05")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/fundallotment/")
    assert FundAllotment.objects.get().document_number == "县财教〔2024〕12号"

    page.goto(portal_server.url + reverse("aid:funds"))
    row = page.locator("tr.township", has_text="青山镇")
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "8,000.00" and cells[3] == "1,800.00" and cells[-1] == "6,200.00"
    assert page.locator("#no-allotments").count() == 0
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path="/tmp/funds_report.png", full_page=True)
    assert not overflow
