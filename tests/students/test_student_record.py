"""The student's page (学生档案): aid, payments and home visits registered by the apps above, in scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from aidsite.models import Role
from campaigns.models import HomeVisit
from students.record import student_record_sections
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_school, make_township, make_user
from tests.scoped_world import ID_PATTERN_IN_HTML
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff
from tests.world import aid_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid():
    """One kindergarten child with an approved 学前教育资助 row, paid in an approved batch, visited once."""
    term = aid_term()
    township = make_township("青山镇")
    entitlement = approved_entitlements(term=term, township=township, count=1, names=["陈小朵"])[0]
    preparer, approver = two_staff(township)
    batch = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer
    ).batch
    batch_approve(batch=batch, actor=approver)
    student = entitlement.student
    visit = HomeVisit.objects.create(
        school=entitlement.enrollment.school,
        household=student.household,
        visited_at=timezone.make_aware(dt.datetime(2022, 10, 12, 10)),
        led_by="刘园长",
        actions="talk,policy",
    )
    visit.children.add(student)
    return {
        "term": term,
        "township": township,
        "e": entitlement,
        "student": student,
        "staff": preparer,
    }


def _page(client, user, student) -> str:
    client.force_login(user)
    response = client.get(f"/admin/students/student/{student.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_student_page_shows_aid_payments_and_visits_by_name(client, paid):
    page = _page(client, paid["staff"], paid["student"])
    record = page[page.index('id="student-record"') :]
    policy = paid["e"].policy
    assert (
        "资助记录（1 条）" in record
        and "发放记录（1 条）" in record
        and "走访记录（1 条）" in record
    )
    assert policy.name in record and policy.code not in record
    assert "2022-2023学年秋季学期" in record
    assert "600.00" in record and "第1批" in record
    assert "2022-10-12" in record and "刘园长" in record and "与家长交谈、政策宣讲" in record
    assert re.search(ID_PATTERN_IN_HTML, page) is None


def test_another_townships_officer_does_not_reach_the_record(client, paid):
    stranger = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白水镇"))
    client.force_login(stranger)
    assert client.get(f"/admin/students/student/{paid['student'].pk}/change/").status_code == 404


def test_each_section_reads_only_what_the_actor_may_see(paid):
    director_elsewhere = make_user(
        role=Role.DIRECTOR, school=make_school(township=paid["township"])
    )
    sections = {s.title: s for s in student_record_sections(director_elsewhere, paid["student"])}
    # A director of another school sees no row of this child's, whatever the section.
    assert all(not section.rows for section in sections.values())
    # Directors do not read ledgers: that section is not offered at all.
    assert "发放记录" not in sections
    mine = {s.title: s for s in student_record_sections(paid["staff"], paid["student"])}
    assert [len(mine[t].rows) for t in ("资助记录", "发放记录", "走访记录")] == [1, 1, 1]
