"""The public notice (公示): its period in working days, and the anonymous page (SECURITY A1, D3)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.reports import Selection, report_render
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.notices import notice_end_date, notice_publish
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import policy_of

CATEGORY_WORDS = ("建档立卡", "低保", "特困", "孤儿", "残疾", "烈士")


def test_five_working_days_skip_the_weekend():
    friday = dt.date(2022, 9, 2)
    assert notice_end_date(friday) == dt.date(2022, 9, 8)  # Fri, Mon–Thu
    assert notice_end_date(dt.date(2022, 9, 3)) == dt.date(2022, 9, 9)  # Saturday start: Mon–Fri
    assert notice_end_date(dt.date(2022, 9, 5)) == dt.date(2022, 9, 9)  # Monday start: Mon–Fri
    assert notice_end_date(friday, 1) == friday


@pytest.fixture
def school_with_aid(term, township, kids):
    school = kids.school(Stage.KINDERGARTEN, name="青山镇阳光幼儿园")
    for name in ("孙小雨", "周大山"):
        enrollment = kids(
            school, categories=(HouseholdCategory.REGISTERED,), poor=True, orphan=(name == "孙小雨"),
            name=name, grade="中班", class_name="1班",
        )
        household = enrollment.student.household
        household.address = "石岭村东头十八号"
        household.save()
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    entitlements_compute(term=term, township=township, policy_code="PRE-GRANT", actor=staff)
    return school, staff


def _publish(term, school, staff, start):
    return notice_publish(school=school, policy=policy_of(term), term=term, start_date=start, actor=staff)


def test_the_page_is_public_during_the_period_with_only_the_public_columns(client, term, school_with_aid):
    school, staff = school_with_aid
    notice = _publish(term, school, staff, timezone.localdate())

    response = client.get(f"/gongshi/{notice.token}/")

    assert response.status_code == 200
    assert "noindex" in response["X-Robots-Tag"]
    html = response.content.decode()
    assert "孙小雨" in html and "周大山" in html and "青山镇阳光幼儿园" in html and "中班1班" in html
    assert not re.search(r"\d{17}[\dX]", html)
    assert not re.search(r"1[3-9]\d{9}", html)
    assert "石岭村东头十八号" not in html
    for word in CATEGORY_WORDS:
        assert word not in html, word
    assert notice.end_date.strftime("%Y年%-m月%-d日") in html


def test_the_page_is_404_before_the_start_and_after_the_period(client, term, school_with_aid):
    school, staff = school_with_aid
    today = timezone.localdate()
    past = _publish(term, school, staff, today - dt.timedelta(days=20))
    future = _publish(term, school, staff, today + dt.timedelta(days=3))

    assert past.end_date < today
    assert client.get(f"/gongshi/{past.token}/").status_code == 404
    assert client.get(f"/gongshi/{future.token}/").status_code == 404
    assert client.get("/gongshi/no-such-notice/").status_code == 404


def test_only_the_schools_township_publishes_its_notice(term, school_with_aid):
    school, _ = school_with_aid
    outsider = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白云镇"))

    with pytest.raises(PermissionDenied):
        _publish(term, school, outsider, timezone.localdate())


def test_the_printed_notice_states_the_published_period_and_issuer(term, school_with_aid):
    school, staff = school_with_aid
    notice_publish(
        school=school, policy=policy_of(term), term=term, start_date=dt.date(2022, 9, 2), actor=staff,
        issuing_unit="青山镇中心学校", objection_contact="青山镇教办，电话 0537-6860000",
    )
    out = io.BytesIO()

    report_render("notice", selection=Selection(term=term, school=school), out=out, actor=SystemActor("tests"))

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert "2022年9月2日至2022年9月8日" in text
    assert "青山镇中心学校" in text and "0537-6860000" in text
