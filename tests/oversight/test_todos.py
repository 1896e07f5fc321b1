"""我的待办 on the 工作台: each role sees what waits for it, in its scope, linked to where it is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aidsite.models import Role
from oversight.todos import LIMIT
from students.models import HouseholdCategory, Stage
from subsidies.models import PublicNotice
from subsidies.selectors import unaided_count
from subsidies.services import ledgers
from subsidies.services.entitlement_review import entitlements_approve
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.notices import notice_publish
from tests.factories import make_school, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of
from tests.world import Kids, aid_term

pytestmark = pytest.mark.django_db


def todo_panel(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("admin:index")).content.decode()
    start = page.index('id="todo-module"')
    return page[start : page.index("</table>", start)]


@pytest.fixture
def term():
    return aid_term()


@pytest.fixture
def qingshan():
    return make_township("青山镇")


def prepared_batch(term, township, preparer, *, count: int = 3, code: str = "PRE-GRANT"):
    approved_entitlements(term=term, township=township, count=count, code=code)
    return ledgers.batch_prepare(
        township=township, policy=policy_of(term, code), term=term, actor=preparer
    ).batch


def test_the_second_officer_sees_the_batch_the_first_prepared(client, term, qingshan):
    preparer = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    preparer.last_name, preparer.first_name = "王", "编制"
    preparer.save()
    second = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    batch = prepared_batch(term, qingshan, preparer)

    panel = todo_panel(client, second)
    assert "待我审核的发放批次（1）" in panel and "由 王编制 于" in panel
    assert f'href="{reverse("ledgers:batch", args=[batch.pk])}"' in panel
    assert "学前教育政府助学金" in panel and "PRE-GRANT" not in panel
    assert "等待他人审核" not in panel

    panel = todo_panel(client, preparer)
    assert "待我审核" not in panel
    assert (
        "等待他人审核" in panel and f'href="{reverse("ledgers:batch", args=[batch.pk])}"' in panel
    )


def test_an_approved_batch_and_another_townships_batch_are_no_to_do(client, term, qingshan):
    baiyun = make_township("白云镇")
    preparer = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    second = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    theirs = prepared_batch(term, baiyun, make_user(role=Role.TOWNSHIP_STAFF, township=baiyun))
    ours = prepared_batch(term, qingshan, preparer)
    ledgers.batch_approve(batch=ours, actor=second)

    panel = todo_panel(client, second)
    assert "待我审核" not in panel and "白云镇" not in panel
    # The county administrator sees every township's batch awaiting approval.
    county = make_user(role=Role.COUNTY_ADMIN)
    panel = todo_panel(client, county)
    assert (
        "待我审核的发放批次（1）" in panel
        and f'href="{reverse("ledgers:batch", args=[theirs.pk])}"' in panel
    )
    assert "白云镇 2022-2023学年秋季学期；由" in panel  # the county sees whose township it is


@pytest.fixture
def computed(term, qingshan):
    """青山镇's rural primary school: 10 boarders, one on 低保, computed (CMP-BOARD below its 15% floor)."""
    kids = Kids(term, qingshan)
    school = kids.school(Stage.PRIMARY, is_rural=True, name="青山镇中心小学")
    for _ in range(9):
        kids(school, is_boarding=True)
    kids(school, categories=(HouseholdCategory.DIBAO,), is_boarding=True)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    entitlements_compute(term=term, township=qingshan, actor=staff)
    return school, staff, kids


def test_a_computed_list_waits_for_review_under_its_policy_name(client, term, qingshan, computed):
    _school, staff, _kids = computed
    panel = todo_panel(client, staff)
    assert "待名单审核" in panel and "家庭经济困难寄宿生生活补助" in panel
    assert "CMP-BOARD" not in panel.replace("policy=CMP-BOARD", "")
    assert f"{reverse('aid:approve')}?term={term.pk}&amp;policy=CMP-BOARD" in panel

    entitlements_approve(term=term, township=qingshan, actor=staff)
    assert "待名单审核" not in todo_panel(client, staff)


def test_schools_below_a_floor_show_to_staff_and_auditors_but_auditors_get_no_approvals(
    client, term, qingshan, computed
):
    auditor = make_user(role=Role.AUDITOR)
    preparer = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    prepared_batch(term, qingshan, preparer)
    for user in (computed[1], auditor):
        panel = todo_panel(client, user)
        assert "低于比例下限的学校（2022-2023学年秋季学期，2）" in panel
        assert "青山镇中心小学：家庭经济困难寄宿生生活补助" in panel
        assert "应不少于 2 人，现 1 人" in panel
    assert "待我审核" not in panel and "待名单审核" not in panel
    # The auditor's link opens the read-only list in the admin, not the workflow's pages.
    link = panel[panel.index('href="', panel.index("青山镇中心小学") - 200) + 6 :].split('"')[0]
    assert link.startswith(reverse("admin:subsidies_entitlement_changelist"))
    assert client.get(link.replace("&amp;", "&")).status_code == 200


def _notice(term, school, staff, start, code="CMP-BOARD"):
    return notice_publish(
        school=school, policy=policy_of(term, code), term=term, start_date=start, actor=staff
    )


def test_notices_ending_soon_and_ended_without_review(client, term, qingshan, computed):
    school, staff, _kids = computed
    today = timezone.localdate()
    ending = _notice(term, school, staff, today - dt.timedelta(days=5))
    assert today <= ending.end_date <= today + dt.timedelta(days=3)
    panel = todo_panel(client, staff)
    assert "公示即将结束：家庭经济困难寄宿生生活补助" in panel
    assert f"最早于{ending.end_date.month}月{ending.end_date.day}日结束" in panel
    assert f'href="{reverse("notices:index")}?term={term.pk}"' in panel

    PublicNotice.objects.filter(pk=ending.pk).update(
        start_date=today - dt.timedelta(days=20), end_date=today - dt.timedelta(days=10)
    )
    panel = todo_panel(client, staff)
    assert "公示即将结束" not in panel
    assert (
        "名单审核：家庭经济困难寄宿生生活补助" in panel
        and "1 所学校的公示已结束，名单尚未审核" in panel
    )

    entitlements_approve(term=term, township=qingshan, actor=staff)
    assert "资助公示" not in todo_panel(client, staff)


def test_directors_get_no_panel_and_an_empty_list_says_so(client, qingshan):
    director = make_user(
        role=Role.DIRECTOR, school=make_school(township=qingshan, stages=Stage.KINDERGARTEN)
    )
    client.force_login(director)
    assert 'id="todo-module"' not in client.get(reverse("admin:index")).content.decode()
    assert "暂无待办事项" in todo_panel(
        client, make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    )


def _index_queries(client) -> int:
    cache.clear()  # the 名单核查 counts are computed afresh each time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(queries)


def test_the_index_runs_as_many_queries_for_many_batches_notices_and_schools(
    client, term, qingshan, computed
):
    school, staff, kids = computed
    second = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    prepared_batch(term, qingshan, staff, code="PRE-GRANT")
    today = timezone.localdate()
    _notice(term, school, staff, today - dt.timedelta(days=5), code="CMP-NUTRI")
    client.force_login(second)
    few = _index_queries(client)

    prepared_batch(term, qingshan, staff, code="PRE-GRANT")
    schools = []
    for i in range(3):
        schools.append(kids.school(Stage.PRIMARY, is_rural=True, name=f"青山镇第{i}小学"))
        for _ in range(10):
            kids(schools[-1], is_boarding=True)
    entitlements_compute(term=term, township=qingshan, actor=staff)
    for i, other in enumerate(schools):
        _notice(term, other, staff, today - dt.timedelta(days=5 + i), code="CMP-NUTRI")
    panel = todo_panel(client, second)
    assert "待我审核的发放批次（2）" in panel and "青山镇第2小学" in panel
    assert (
        "名单审核：农村义务教育学生营养改善计划" in panel
        and "公示即将结束：农村义务教育学生营养改善计划" in panel
    )
    assert _index_queries(client) == few


def test_the_county_administrator_reviews_a_township_s_list_from_the_to_do(
    client, term, qingshan, computed
):
    county = make_user(role=Role.COUNTY_ADMIN)
    panel = todo_panel(client, county)
    link = f"{reverse('aid:approve')}?term={term.pk}&township={qingshan.pk}&policy=CMP-BOARD"
    assert f'href="{link.replace("&", "&amp;")}"' in panel
    page = client.get(link).content.decode()
    assert "家庭经济困难寄宿生生活补助" in page and "审核通过并锁定（1 人" in page


def test_beyond_the_listed_batches_a_link_opens_them_all(client, term, qingshan):
    preparer = make_user(role=Role.TOWNSHIP_STAFF, township=qingshan)
    for _ in range(LIMIT + 1):
        prepared_batch(term, qingshan, preparer, count=1)
    panel = todo_panel(client, make_user(role=Role.TOWNSHIP_STAFF, township=qingshan))
    assert f"待我审核的发放批次（{LIMIT + 1}）" in panel
    assert panel.count('href="/ledgers/batch/') == LIMIT
    assert f'<a href="{reverse("ledgers:index")}">查看全部…</a>' in panel


def test_the_workbench_counts_the_children_and_students_to_check_and_links_each_list(client, term, qingshan, computed):
    """Issue 13: "The same lists are pages for township staff … with counts on the 工作台": 应助未助
    from the computed list (the quota left a qualifying student out), each count linking to its page."""
    school, officer, kids = computed
    panel = todo_panel(client, officer)
    assert "名单核查" in panel and "应助未助" in panel
    assert reverse("aid:unaided") in panel
    page = client.get(f"{reverse('aid:unaided')}?term={term.pk}")
    assert page.status_code == 200


def test_the_check_counts_follow_the_data_not_a_clock(client, term, qingshan, computed):
    """The 名单核查 counts are kept between visits, and computed afresh as soon as the list changes."""
    school, officer, kids = computed
    first = todo_panel(client, officer)
    count = int(re.search(r"应助未助 (\d+) 人次", first).group(1))
    with CaptureQueriesContext(connection) as kept:
        todo_panel(client, officer)
    kids(school, categories=(HouseholdCategory.DIBAO,), is_boarding=True)
    entitlements_compute(term=term, township=qingshan, actor=officer)
    with CaptureQueriesContext(connection) as fresh:
        after = todo_panel(client, officer)
    assert len(fresh) > len(kept)  # the counts were read again
    now = unaided_count(officer, term)
    assert now > count and f"应助未助 {now} 人次" in after
