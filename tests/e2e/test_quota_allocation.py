"""The county administrator in the browser: allocate a small kindergarten one quota place
(名额分配) with its reason, and see it on the aid summary against the average standard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.models import Role
from students.models import HouseholdCategory, Stage, Term
from subsidies.models import Policy, QuotaAllocation
from subsidies.services.policies import policies_seed_load
from tests.campaigns.conftest import current_school_year
from tests.factories import PASSWORD, make_township, make_user
from tests.subsidies.townships import Kids, compute

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_administrator_allocates_a_place_and_sees_it_on_the_summary(desktop, portal_server):
    year = current_school_year()
    policies_seed_load(school_year=year)
    term = Term.objects.filter(school_year=year).order_by("start_date").first()
    kids = Kids(term, make_township("青山镇"))
    small = kids.school(Stage.KINDERGARTEN, name="石岭村幼儿园", is_inclusive=True, is_county_approved=True)
    kids(small, categories=(HouseholdCategory.EXTREME,), name="王小特")
    for i in range(3):
        kids(small, name=f"幼儿{i}")
    make_user(role=Role.COUNTY_ADMIN, username="county_admin")
    grant = Policy.objects.get(school_year=year, code="PRE-GRANT")

    page = desktop
    page.goto(portal_server.url + reverse("admin:subsidies_quotaallocation_add"))
    page.get_by_label("用户名").fill("county_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/quotaallocation/add/**")
    page.locator("#id_term").select_option(str(term.pk))
    page.locator("#id_policy").select_option(str(grant.pk))
    page.locator("#id_school").select_option(str(small.pk))
    page.locator("#id_places").fill("1")
    page.locator("#id_reason").fill("村幼儿园规模小，县里统筹调剂 1 个名额")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/quotaallocation/")
    assert QuotaAllocation.objects.get().places == 1

    compute(term, policy_code="PRE-GRANT")
    page.goto(portal_server.url + reverse("aid:index") + f"?year={year.pk}&term={term.pk}")
    body = page.locator("#content-main").inner_text()
    assert "县分配名额 1 人（按比例 0 人）：村幼儿园规模小，县里统筹调剂 1 个名额" in body
    assert "名额分配与平均资助面（全县）" in body
    assert "名额分配超出平均资助面 1 人" in body
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path="/tmp/quota_summary.png", full_page=True)
    assert not overflow
