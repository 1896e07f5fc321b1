"""A township officer in the browser: log in, preview the term's computation, accept it,
review the list and approve it (资助名单审核)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.models import Entitlement, EntitlementApproval, EntitlementStatus
from subsidies.selectors import TermData, default_term
from subsidies.services.policies import policies_seed_load
from tests.campaigns.conftest import current_school_year
from tests.factories import PASSWORD, make_township, make_user
from tests.subsidies.townships import Kids

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township_world():  # type: ignore[no-untyped-def]
    """青山镇 in the current school year: a high school with a full HS-GRANT quota, a primary school."""
    year = current_school_year()
    policies_seed_load(school_year=year)
    term = default_term(actor=SystemActor("测试"), data=TermData.AID)
    assert term is not None and term.school_year == year
    township = make_township("青山镇")
    kids = Kids(term, township)
    high = kids.school(Stage.HIGH, name="青山镇中学")
    for i in range(12):
        kids(high, name=f"普通学生{i}", grade="高一", class_name="1班")
    kids(high, categories=(HouseholdCategory.EXTREME,), name="王特困", grade="高一", class_name="2班")
    kids(high, categories=(HouseholdCategory.DIBAO,), name="李低保", grade="高二", class_name="1班")
    kids(high, categories=(HouseholdCategory.OTHER,), name="赵困难", grade="高二", class_name="3班")
    primary = kids.school(Stage.PRIMARY, name="青山镇中心小学", is_rural=True)
    kids(primary, orphan=True, name="孙孤儿", grade="三年级", class_name="1班", is_boarding=True)
    kids(primary, categories=(HouseholdCategory.REGISTERED,), poor=True, name="周建档", grade="五年级", class_name="2班")
    make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan_officer")
    return term


def test_township_officer_previews_accepts_reviews_and_approves(desktop, portal_server, township_world):
    page = desktop
    page.goto(portal_server.url + reverse("aid:compute"))
    assert "/admin/login/" in page.url
    page.get_by_label("用户名").fill("qingshan_officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/aid/compute/**")

    page.get_by_role("button", name="预览").click()
    page.get_by_text("预览：青山镇").wait_for()
    body = page.locator("#content-main").inner_text()
    assert "王特困" in body and "孙孤儿" in body and "新增" in body
    assert Entitlement.objects.count() == 0  # a preview writes nothing
    page.screenshot(path="/tmp/aid_preview.png", full_page=True)

    page.get_by_role("button", name="确认生成").click()
    page.wait_for_url("**/aid/list/**")
    page.get_by_text("已生成青山镇").wait_for()
    table = page.locator("table.aid-table").inner_text()
    assert "王特困" in table and "拟资助" in table and "符合条件未安排" in table
    assert "依据" in page.locator("table.aid-table thead").inner_text()
    page.screenshot(path="/tmp/aid_list.png", full_page=True)
    proposed = Entitlement.objects.filter(status=EntitlementStatus.PROPOSED).count()
    assert proposed > 0

    page.locator(".aid-nav").get_by_role("link", name="名单审核").click()
    page.wait_for_url("**/aid/approve/**")
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("资助名单审核完成").wait_for()
    assert "审核人 qingshan_officer" in page.locator(".messagelist").inner_text()
    approval = EntitlementApproval.objects.get()
    assert approval.approved_by.username == "qingshan_officer" and approval.entitlement_count == proposed
    assert not Entitlement.objects.filter(status=EntitlementStatus.PROPOSED).exists()
