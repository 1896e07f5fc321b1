"""The county administrator in the browser, with the defaults as they come: the aid summary
opens on last year's list (this year has no policies yet); choosing this year says so and
links to opening it; the year is opened from the page (preview, then confirm), its policies
are listed; then the new term's list is computed and its summary read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import Season, Stage, Term
from students.school_years import current_school_year_name
from subsidies.models import Entitlement, Policy
from subsidies.services.entitlements import entitlements_compute
from tests.factories import PASSWORD, make_township, make_user
from tests.world import Kids, current_school_year, year_with_policies

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THIS = current_school_year_name()
LAST = f"{int(THIS[:4]) - 1}-{THIS[:4]}"


@pytest.fixture
def county_world():  # type: ignore[no-untyped-def]
    """Last year with its policies and a computed autumn list; this year opened without policies."""
    last_autumn = Term.objects.get(school_year=year_with_policies(LAST), season=Season.AUTUMN)
    this_autumn = Term.objects.select_related("school_year").get(
        school_year=current_school_year(), season=Season.AUTUMN
    )
    kids = Kids(last_autumn, make_township("青山镇"))
    school = kids.school(Stage.PRIMARY, name="青山镇中心小学", is_rural=True)
    for term in (last_autumn, this_autumn):
        kids.term = term
        kids(
            school,
            orphan=True,
            name=f"孤儿{term.school_year.name[:4]}",
            grade="三年级",
            class_name="1班",
            is_boarding=True,
        )
        kids(
            school,
            poor=True,
            categories=("registered",),
            name=f"建档{term.school_year.name[:4]}",
            grade="五年级",
            class_name="2班",
        )
    assert entitlements_compute(term=last_autumn, actor=SystemActor("测试")).added
    make_user(role=Role.COUNTY_ADMIN, username="county_admin")
    return last_autumn, this_autumn


def test_county_administrator_opens_the_year_and_reads_the_new_terms_summary(
    desktop, portal_server, county_world
):
    last_autumn, this_autumn = county_world
    page = desktop
    page.goto(portal_server.url + reverse("aid:index"))
    page.get_by_label("用户名").fill("county_admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/aid/**")
    main = page.locator("#content-main")
    assert f"{last_autumn} 各项目、各学校汇总" in main.inner_text()  # the latest term with data

    page.get_by_label("学期").select_option(label=str(this_autumn))
    page.get_by_role("button", name="查询").click()
    page.get_by_text(f"{THIS}学年尚未设置资助项目").wait_for()
    page.screenshot(path="/tmp/county_no_policies.png", full_page=True)
    page.get_by_role("link", name=f"开设{THIS}学年（复制上一学年的资助项目）").click()

    page.wait_for_url("**/policies/open-year/**")
    page.get_by_role("button", name="下一步：预览").click()
    page.get_by_text(f"预览：{THIS}学年将设置").wait_for()
    preview = main.inner_text()
    names = list(
        Policy.objects.filter(school_year=last_autumn.school_year).values_list("name", flat=True)
    )
    assert f"复制自{LAST}学年" in preview and all(name in preview for name in names)
    assert "档" in preview and "元/年" in preview
    assert not Policy.objects.filter(
        school_year=this_autumn.school_year
    ).exists()  # a preview writes nothing
    page.screenshot(path="/tmp/county_open_year_preview.png", full_page=True)
    page.get_by_role("button", name=f"确认开设{THIS}学年").click()

    page.wait_for_url("**/admin/subsidies/policy/**")
    page.get_by_text(f"已开设{THIS}学年").wait_for()
    assert Policy.objects.filter(school_year=this_autumn.school_year).count() == len(names)
    assert names[0] in page.locator("#result_list").inner_text()
    page.screenshot(path="/tmp/county_policies.png", full_page=True)

    page.goto(portal_server.url + reverse("admin:index"))
    page.locator("#workbench-module").get_by_role("link", name="资助名单").click()
    page.wait_for_url("**/aid/**")
    page.get_by_label("学期").select_option(label=str(this_autumn))
    page.get_by_role("button", name="查询").click()
    page.get_by_text("本学期尚未测算资助名单").wait_for()
    page.locator("#content-main").get_by_role("link", name="测算与预览").click()
    page.wait_for_url("**/aid/compute/**")
    page.get_by_role("button", name="预览").click()
    page.get_by_text("预览：全县").wait_for()
    page.get_by_role("button", name="确认生成").click()
    page.get_by_text("已生成全县").wait_for()
    page.locator(".aid-nav").get_by_role("link", name="概览").click()
    page.get_by_text(f"{this_autumn} 各项目、各学校汇总").wait_for()
    summary = page.locator("table.aid-table").first.inner_text()
    assert "青山镇中心小学" in summary and "合计" in summary
    assert Entitlement.objects.filter(term=this_autumn).exists()
    page.screenshot(path="/tmp/county_summary.png", full_page=True)
