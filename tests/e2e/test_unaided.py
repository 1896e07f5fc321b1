"""A township officer in the browser: from the aid summary to 应助未助, the cases per school with their reasons."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import HouseholdCategory, Stage, Term
from subsidies.services.policies import policies_seed_load
from tests.campaigns.conftest import current_school_year
from tests.factories import PASSWORD, make_township, make_user
from tests.subsidies.townships import Kids, compute

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_township_officer_finds_the_unaided_children_of_each_school(desktop, portal_server):
    year = current_school_year()
    policies_seed_load(school_year=year)
    term = Term.objects.filter(school_year=year).order_by("start_date").first()
    township = make_township("青山镇")
    kids = Kids(term, township)
    kindergarten = kids.school(
        Stage.KINDERGARTEN, name="青山中心幼儿园", is_inclusive=True, is_county_approved=True
    )
    for name in ("王小特", "李小困"):
        kids(kindergarten, categories=(HouseholdCategory.EXTREME,), name=name)
    for i in range(8):
        kids(kindergarten, name=f"幼儿{i}")
    compute(term, policy_code="PRE-GRANT")  # ten children, one place
    make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan")

    page = desktop
    page.goto(portal_server.url + reverse("aid:index") + f"?term={term.pk}")
    page.get_by_label("用户名").fill("qingshan")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="应助未助").click()
    page.wait_for_url("**/aid/unaided/**")

    body = page.locator("#content-main").inner_text()
    assert "青山中心幼儿园（2 人次）" in body
    assert "名额已满" in body and "未登记发放账号" in body
    assert "学前教育政府助学金" in body and "PRE-GRANT" not in body
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path="/tmp/unaided_page.png", full_page=True)
    assert not overflow
