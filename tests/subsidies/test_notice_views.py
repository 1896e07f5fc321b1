"""The notice pages (/notices/): publish after a preview, the list, early withdrawal; who may do what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aidsite.models import ExportJob, ExportJobStatus, Role
from students.models import HouseholdCategory, Stage
from subsidies.models import PublicNotice
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.notices import notice_publish
from tests.factories import make_school, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of

pytestmark = pytest.mark.django_db

CATEGORY_WORDS = ("建档立卡", "低保", "特困", "孤儿", "残疾", "烈士")
ID_PATTERN = r"\d{17}[\dX]"


@pytest.fixture
def staff(township):
    return make_user(role=Role.TOWNSHIP_STAFF, township=township)


@pytest.fixture
def school(term, township, kids, staff):
    """A kindergarten of the township with two children proposed for the preschool grant."""
    school = kids.school(Stage.KINDERGARTEN, name="青山镇阳光幼儿园")
    for name in ("孙小雨", "周大山"):
        enrollment = kids(
            school, categories=(HouseholdCategory.REGISTERED, HouseholdCategory.DIBAO), poor=True,
            orphan=(name == "孙小雨"), name=name, grade="中班", class_name="1班",
        )
        household = enrollment.student.household
        household.address = "石岭村东头十八号"
        household.phone = "13912345678"
        household.save()
    entitlements_compute(term=term, township=township, policy_code="PRE-GRANT", actor=staff)
    return school


def _form(term, school, start, **extra):
    return {
        "term": term.pk,
        "school": school.pk,
        "policy": policy_of(term).pk,
        "start_date": start.isoformat(),
        "period_days": 5,
        "objection_contact": "青山镇教办，电话 0537-6860000",
        "issuing_unit": "青山镇教育办公室",
        **extra,
    }


def _next_friday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(4 - today.weekday()) % 7)


def _assert_nothing_private(html: str, school) -> None:
    assert not re.search(ID_PATTERN, html)
    assert "13912345678" not in html
    assert "石岭村东头十八号" not in html
    for word in CATEGORY_WORDS:
        assert word not in html, word


def test_staff_previews_then_publishes_a_notice_whose_end_skips_the_weekend(client, term, school, staff):
    client.force_login(staff)
    friday = _next_friday()
    form_page = client.get(reverse("notices:new"))
    assert form_page.status_code == 200 and "青山镇阳光幼儿园" in form_page.content.decode()

    preview = client.post(reverse("notices:new"), _form(term, school, friday, preview="1"))

    html = preview.content.decode()
    assert preview.status_code == 200 and not PublicNotice.objects.exists()
    assert "孙小雨" in html and "周大山" in html and "中班1班" in html and ">发布<" not in html
    # Friday plus Monday to Thursday: five working days.
    assert f"{friday:%Y-%m-%d} 至 {friday + dt.timedelta(days=6):%Y-%m-%d}" in html
    _assert_nothing_private(html, school)

    back = client.post(reverse("notices:new"), _form(term, school, friday, edit="1"))
    assert "下一步：预览" in back.content.decode() and "0537-6860000" in back.content.decode()
    published = client.post(reverse("notices:new"), _form(term, school, friday, publish="1"))

    notice = PublicNotice.objects.get()
    assert published.status_code == 302
    assert notice.school == school and notice.created_by == staff
    assert notice.end_date == friday + dt.timedelta(days=6)
    assert notice.objection_contact == "青山镇教办，电话 0537-6860000"


def test_the_published_page_shows_the_previewed_rows_and_nothing_private(client, term, school, staff):
    client.force_login(staff)
    client.post(reverse("notices:new"), _form(term, school, timezone.localdate(), publish="1"))
    notice = PublicNotice.objects.get()
    client.logout()

    public = client.get(f"/gongshi/{notice.token}/").content.decode()

    assert "孙小雨" in public and "周大山" in public
    _assert_nothing_private(public, school)


def test_a_notice_with_nobody_on_it_is_refused(client, term, township, staff):
    empty = make_school(township=township, stages=Stage.KINDERGARTEN, name="青山镇空幼儿园")
    client.force_login(staff)

    preview = client.post(reverse("notices:new"), _form(term, empty, timezone.localdate(), preview="1"))
    forced = client.post(reverse("notices:new"), _form(term, empty, timezone.localdate(), publish="1"))

    assert "没有拟资助或已审核的学生" in preview.content.decode()
    assert "没有拟资助或已审核的学生" in forced.content.decode()
    assert not PublicNotice.objects.exists()


def test_a_period_under_five_working_days_is_refused(client, term, school, staff):
    client.force_login(staff)

    response = client.post(reverse("notices:new"), _form(term, school, timezone.localdate(), period_days=3, publish="1"))

    assert response.status_code == 200 and not PublicNotice.objects.exists()
    assert "公示期" in response.content.decode()


def test_another_townships_school_is_not_offered_and_refused_when_posted(client, term, school, staff):
    other = make_township("白云镇")
    [entitlement] = approved_entitlements(term=term, township=other, count=1)
    foreign = entitlement.enrollment.school
    client.force_login(staff)

    form_page = client.get(reverse("notices:new")).content.decode()
    preview = client.post(reverse("notices:new"), _form(term, foreign, timezone.localdate(), preview="1"))
    publish = client.post(reverse("notices:new"), _form(term, foreign, timezone.localdate(), publish="1"))

    assert foreign.name not in form_page
    assert preview.status_code == 200 and entitlement.student.name not in preview.content.decode()
    assert publish.status_code == 200 and not PublicNotice.objects.exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DIRECTOR])
def test_auditors_and_directors_may_not_publish_or_withdraw(client, term, school, staff, role):
    notice = notice_publish(school=school, policy=policy_of(term), term=term, start_date=timezone.localdate(), actor=staff)
    user = make_user(role=role, school=school if role == Role.DIRECTOR else None)
    client.force_login(user)
    withdraw = reverse("notices:withdraw", args=[notice.pk])

    assert client.get(reverse("notices:new")).status_code == 403
    assert client.post(reverse("notices:new"), _form(term, school, timezone.localdate(), publish="1")).status_code == 403
    assert client.get(withdraw).status_code == 403
    assert client.post(withdraw, {"reason": "试试"}).status_code == 403
    notice.refresh_from_db()
    assert PublicNotice.objects.count() == 1 and notice.withdrawn_at is None


def test_auditors_read_the_list_and_directors_get_403(client, term, school, staff):
    notice_publish(school=school, policy=policy_of(term), term=term, start_date=timezone.localdate(), actor=staff)

    client.force_login(make_user(role=Role.AUDITOR))
    page = client.get(reverse("notices:index"))
    client.force_login(make_user(role=Role.DIRECTOR, school=school))
    director = client.get(reverse("notices:index"))

    html = page.content.decode()
    assert page.status_code == 200 and "青山镇阳光幼儿园" in html
    assert reverse("notices:new") not in html and "/withdraw/" not in html
    assert director.status_code == 403


def test_the_list_shows_period_state_counts_and_the_public_link(client, term, township, staff):
    first, *_ = approved_entitlements(term=term, township=township, count=3)  # 600 yuan each
    idle = make_school(township=township, name="青山镇无公示小学")
    notice = notice_publish(
        school=first.enrollment.school, policy=policy_of(term), term=term, start_date=timezone.localdate(), actor=staff
    )
    client.force_login(staff)

    html = client.get(reverse("notices:index"), {"term": term.pk}).content.decode()

    assert "公示中" in html and idle.name not in html
    assert re.search(r">\s*3\s*</td>", html) and "1,800.00" in html
    assert f"http://testserver/gongshi/{notice.token}/" in html
    assert reverse("export_start", args=["report_notice"]) in html


def test_the_pdf_button_starts_a_notice_job_in_the_export_centre(client, term, school, staff):
    notice_publish(school=school, policy=policy_of(term), term=term, start_date=timezone.localdate(), actor=staff)
    client.force_login(staff)

    response = client.post(
        reverse("export_start", args=["report_notice"]),
        {"term": term.pk, "policy": policy_of(term).pk, "school": school.pk, "township": ""},
    )

    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == ExportJobStatus.DONE and job.row_count == 2


def _notices(term, township, staff, count):
    for _ in range(count):
        [entitlement] = approved_entitlements(term=term, township=township, count=1)
        notice_publish(
            school=entitlement.enrollment.school, policy=policy_of(term), term=term,
            start_date=timezone.localdate(), actor=staff,
        )


def test_the_list_runs_a_constant_number_of_queries(client, term, township, staff, django_assert_num_queries):
    client.force_login(staff)
    _notices(term, township, staff, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("notices:index")).status_code == 200

    _notices(term, township, staff, 20)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(reverse("notices:index"))

    assert page.content.decode().count("notice-state notice-state-open") == 22


def test_withdrawing_closes_the_public_page_and_allows_a_corrected_notice(client, term, school, staff):
    today = timezone.localdate()
    notice = notice_publish(school=school, policy=policy_of(term), term=term, start_date=today, actor=staff)
    assert client.get(f"/gongshi/{notice.token}/").status_code == 200
    client.force_login(staff)
    url = reverse("notices:withdraw", args=[notice.pk])

    twice = client.post(reverse("notices:new"), _form(term, school, today, publish="1"))
    blank = client.post(url, {"reason": "  "})
    done = client.post(url, {"reason": "名单有误，更正后重新公示"})
    again = client.post(url, {"reason": "再撤一次"})

    assert "请先撤回原公示" in twice.content.decode()
    assert blank.status_code == 200 and "原因" in blank.content.decode()
    assert done.status_code == 302 and "该公示已撤回" in again.content.decode()
    notice.refresh_from_db()
    assert notice.withdrawn_by == staff and notice.withdrawal_reason == "名单有误，更正后重新公示"
    client.logout()
    assert client.get(f"/gongshi/{notice.token}/").status_code == 404
    # The corrected list goes up the same day: the withdrawn notice does not block it.
    corrected = notice_publish(school=school, policy=policy_of(term), term=term, start_date=today, actor=staff)
    assert client.get(f"/gongshi/{corrected.token}/").status_code == 200


def test_another_townships_notice_is_404(client, term, school, staff):
    notice = notice_publish(school=school, policy=policy_of(term), term=term, start_date=timezone.localdate(), actor=staff)
    outsider = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白云镇"))
    client.force_login(outsider)

    assert client.get(reverse("notices:withdraw", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notices:withdraw", args=[notice.pk]), {"reason": "越权"}).status_code == 404
    assert school.name not in client.get(reverse("notices:index")).content.decode()


def test_a_withdrawn_notice_never_sets_the_printed_notices_dates(term, school, staff):
    from subsidies.reports import Selection, notice_contexts
    from subsidies.services.notices import notice_withdraw

    start = timezone.localdate() + dt.timedelta(days=3)
    notice = notice_publish(
        school=school, policy=policy_of(term), term=term, start_date=start, actor=staff,
        objection_contact="撤回前的联系人",
    )
    (printed,) = notice_contexts(selection=Selection(term=term, school=school), actor=staff)
    assert printed["objection_contact"] == "撤回前的联系人"
    notice_withdraw(notice=notice, reason="名单有误", actor=staff)
    (printed,) = notice_contexts(selection=Selection(term=term, school=school), actor=staff)
    assert printed["objection_contact"] != "撤回前的联系人"
