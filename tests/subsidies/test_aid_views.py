"""The aid-list pages (/aid/): preview then accept, review, override, approve; refused to auditors and directors."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aidsite.lib.idcard import mask_id_number
from aidsite.models import AccessAction, AccessLog, Role
from students.models import HouseholdCategory as H
from students.models import Season, Stage, Term
from subsidies.models import (
    Entitlement,
    EntitlementApproval,
    EntitlementOverride,
    EntitlementStatus,
    OverrideAction,
    Policy,
)
from subsidies.services.entitlement_review import entitlements_approve
from tests.campaigns.conftest import current_school_year
from tests.factories import make_township, make_user
from tests.scoped_world import ID_PATTERN_IN_HTML
from tests.subsidies.townships import Kids, compute, rows

pytestmark = pytest.mark.django_db

STALE = "名单在预览后已有变化，请重新核对"


@pytest.fixture
def staff(township):
    return make_user(role=Role.TOWNSHIP_STAFF, township=township, username="qingshan")


@pytest.fixture
def high(kids):
    """A high school of 15: quota 2 for HS-GRANT, taken by the 特困 and the 低保 child; 其他困难 left out."""
    school = kids.school(Stage.HIGH, name="青山中学")
    plain = [kids(school, name=f"普通{i}") for i in range(12)]
    return {
        "school": school,
        "plain": plain,
        "extreme": kids(school, categories=(H.EXTREME,), name="特困生"),
        "dibao": kids(school, categories=(H.DIBAO,), name="低保生"),
        "other": kids(school, categories=(H.OTHER,), name="其他困难生"),
    }


def _login(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _grant(term, enrollment) -> Entitlement:
    return rows(term, "HS-GRANT")[enrollment.student_id]


# ---------------------------------------------------------------------------
# Compute: preview, accept, stale preview


def test_a_preview_writes_nothing_and_accepting_writes_exactly_the_preview(client, term, high, staff):
    c = _login(client, staff)
    assert c.get(reverse("aid:compute")).status_code == 200
    preview = c.post(reverse("aid:compute"), {"term": term.pk, "policy": "HS-GRANT", "preview": "1"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "新增 <strong>3</strong> 条" in page and "特困生" in page and "确认生成" in page
    assert mask_id_number(high["extreme"].student.id_number) in page
    assert not re.search(ID_PATTERN_IN_HTML, page)
    assert Entitlement.objects.count() == 0 and Entitlement.history.count() == 0

    digest = preview.context["digest"]
    accepted = c.post(
        reverse("aid:compute"), {"term": term.pk, "policy": "HS-GRANT", "digest": digest, "accept": "1"}
    )
    assert accepted.status_code == 302 and accepted.url.startswith(reverse("aid:list"))
    grants = rows(term, "HS-GRANT")
    assert {e.student.name: e.status for e in grants.values()} == {
        "特困生": EntitlementStatus.PROPOSED,
        "低保生": EntitlementStatus.PROPOSED,
        "其他困难生": EntitlementStatus.NOT_AWARDED,
    }
    assert any("新增 3 条" in m for m in _messages(accepted))


def test_accepting_a_stale_preview_is_refused_and_shows_the_fresh_preview(client, term, kids, high, staff):
    c = _login(client, staff)
    data = {"term": term.pk, "policy": "HS-GRANT"}
    digest = c.post(reverse("aid:compute"), {**data, "preview": "1"}).context["digest"]
    kids(high["school"], categories=(H.EXTREME,), name="新转入特困生")  # the list changes after the preview

    refused = c.post(reverse("aid:compute"), {**data, "digest": digest, "accept": "1"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert STALE in page and "新转入特困生" in page
    assert Entitlement.objects.count() == 0 and Entitlement.history.count() == 0
    fresh = refused.context["digest"]
    assert fresh != digest

    accepted = c.post(reverse("aid:compute"), {**data, "digest": fresh, "accept": "1"})
    assert accepted.status_code == 302
    assert "新转入特困生" in {e.student.name for e in rows(term, "HS-GRANT").values()}


def test_accepting_without_a_preview_applies_nothing(client, term, high, staff):
    c = _login(client, staff)
    response = c.post(reverse("aid:compute"), {"term": term.pk, "accept": "1"})
    assert response.status_code == 200 and STALE in response.content.decode()
    assert not Entitlement.objects.exists()


def test_a_preview_reports_schools_below_a_floor(client, term, kids, staff):
    school = kids.school(Stage.PRIMARY, is_rural=True, name="青山镇寄宿小学")
    for _ in range(10):
        kids(school, is_boarding=True)  # 10 boarders, none with hardship: CMP-BOARD floor 15 % not met
    page = _login(client, staff).post(reverse("aid:compute"), {"term": term.pk, "preview": "1"}).content.decode()
    assert "低于资助比例下限" in page and "家庭经济困难寄宿生生活补助 青山镇寄宿小学" in page and "应不少于 2 人" in page


# ---------------------------------------------------------------------------
# The review list


def test_the_list_filters_by_policy_school_tier_and_status(client, term, kids, high, staff):
    primary = kids.school(Stage.PRIMARY, is_rural=False, name="青山小学")
    orphan = kids(primary, orphan=True, name="孤儿甲")
    compute(term)
    c = _login(client, staff)

    def names(**params):
        response = c.get(reverse("aid:list"), {"term": term.pk, **params})
        assert response.status_code == 200
        return sorted(row["e"].student.name for row in response.context["rows"])

    assert names(policy="HS-GRANT") == ["低保生", "其他困难生", "特困生"]
    assert names(policy="HS-GRANT", status=EntitlementStatus.NOT_AWARDED) == ["其他困难生"]
    assert names(policy="HS-GRANT", tier=3) == ["特困生"]
    assert names(school=primary.pk) == [orphan.student.name]
    assert names(policy="CMP-MEAL") == ["孤儿甲"]


def test_the_list_shows_masked_ids_and_readable_reasons(client, term, high, staff):
    compute(term)
    c = _login(client, staff)
    page = c.get(reverse("aid:list"), {"term": term.pk}).content.decode()
    assert not re.search(ID_PATTERN_IN_HTML, page)
    assert mask_id_number(high["dibao"].student.id_number) in page
    reason = _grant(term, high["dibao"]).reason_text
    assert "低保" in reason and reason.split("；")[0] in page
    assert '"lines"' not in page


def test_the_list_runs_a_constant_number_of_queries(client, term, kids, staff, django_assert_num_queries):
    school = kids.school(Stage.PRIMARY, is_rural=False)
    for _ in range(10):
        kids(school, orphan=True)  # one CMP-MEAL row each
    compute(term)
    c = _login(client, staff)
    url = reverse("aid:list")
    params = {"term": term.pk, "policy": "CMP-MEAL"}
    c.get(url, params)  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = c.get(url, params)
    assert len(response.context["rows"]) == 10
    assert len(small.captured_queries) <= 20
    for _ in range(50):
        kids(school, orphan=True)
    compute(term)
    with django_assert_num_queries(len(small.captured_queries)):
        response = c.get(url, params)
    assert len(response.context["rows"]) == 60


# ---------------------------------------------------------------------------
# Overrides


def test_a_tier_override_with_a_reason_survives_recomputation(client, term, high, staff):
    compute(term)
    row = _grant(term, high["dibao"])
    assert row.tier == 2
    c = _login(client, staff)
    response = c.post(
        reverse("aid:entitlement", args=[row.pk]),
        {"action": OverrideAction.TIER, "tier": 3, "reason": "家访核实，父亲重病"},
    )
    assert response.status_code == 302
    compute(term)
    row = _grant(term, high["dibao"])
    assert (row.tier, row.amount) == (3, Decimal("1250.00"))
    assert "家访核实，父亲重病" in row.reason_text
    page = c.get(reverse("aid:entitlement", args=[row.pk])).content.decode()
    assert "家访核实，父亲重病" in page and "撤销人工调整" in page
    listed = c.get(reverse("aid:list"), {"term": term.pk, "policy": "HS-GRANT"}).content.decode()
    assert "人工调整</span>" in listed


def test_an_override_needs_a_reason(client, term, high, staff):
    compute(term)
    row = _grant(term, high["dibao"])
    response = _login(client, staff).post(
        reverse("aid:entitlement", args=[row.pk]), {"action": OverrideAction.TIER, "tier": 3, "reason": "  "}
    )
    assert response.status_code == 200 and "人工调整须写明理由" in response.content.decode()
    assert not EntitlementOverride.objects.exists()


def test_excluding_a_student_gives_the_place_to_the_next_in_line(client, term, high, staff):
    compute(term)
    row = _grant(term, high["extreme"])
    response = _login(client, staff).post(
        reverse("aid:entitlement", args=[row.pk]), {"action": OverrideAction.EXCLUDE, "reason": "已享受其他资助"}
    )
    assert response.status_code == 302
    assert _grant(term, high["extreme"]).status == EntitlementStatus.EXCLUDED
    assert _grant(term, high["other"]).status == EntitlementStatus.PROPOSED


def test_a_qualifying_student_left_out_is_added_from_the_row_and_withdrawing_undoes_it(client, term, high, staff):
    compute(term)
    row = _grant(term, high["other"])
    c = _login(client, staff)
    page = c.get(reverse("aid:entitlement", args=[row.pk])).content.decode()
    assert 'value="add"' in page and 'value="exclude"' not in page
    c.post(reverse("aid:entitlement", args=[row.pk]), {"action": OverrideAction.ADD, "reason": "村委证明家庭突发变故"})
    assert _grant(term, high["other"]).status == EntitlementStatus.PROPOSED
    assert _grant(term, high["dibao"]).status == EntitlementStatus.PROPOSED  # nobody pushed out

    response = c.post(reverse("aid:withdraw", args=[row.pk]))
    assert response.status_code == 302
    assert not EntitlementOverride.objects.exists()
    assert _grant(term, high["other"]).status == EntitlementStatus.NOT_AWARDED


def test_a_student_not_on_the_list_is_added_by_id_number(client, term, high, staff):
    compute(term)
    child = high["plain"][0]
    assert child.student_id not in rows(term, "HS-GRANT")
    c = _login(client, staff)
    assert c.get(reverse("aid:add")).status_code == 200
    response = c.post(
        reverse("aid:add"),
        {"term": term.pk, "id_number": child.student.id_number.lower(), "policy": "HS-GRANT", "tier": 1,
         "reason": "突发重大变故，村委证明"},
    )
    assert response.status_code == 302
    row = _grant(term, child)
    assert (row.status, row.tier, row.qualifies) == (EntitlementStatus.PROPOSED, 1, False)
    assert response.url == reverse("aid:entitlement", args=[row.pk])

    withdrawn = c.post(reverse("aid:withdraw", args=[row.pk]))
    assert withdrawn.status_code == 302 and withdrawn.url.startswith(reverse("aid:list"))
    assert child.student_id not in rows(term, "HS-GRANT") and not EntitlementOverride.objects.exists()


def test_the_add_page_opens_blank_without_errors(client, term, staff):
    page = _login(client, staff).get(reverse("aid:add"), {"term": term.pk}).content.decode()
    assert "身份证号" in page and "errorlist" not in page


def test_adding_an_unknown_or_out_of_scope_student_is_refused(client, term, high, staff):
    other_kids = Kids(term, make_township("白云镇"))
    outsider = other_kids(other_kids.school(Stage.HIGH))
    response = _login(client, staff).post(
        reverse("aid:add"),
        {"term": term.pk, "id_number": outsider.student.id_number, "policy": "HS-GRANT", "reason": "测试"},
    )
    assert response.status_code == 200 and "辖区内没有此身份证号的学生" in response.content.decode()
    assert not EntitlementOverride.objects.exists()


# ---------------------------------------------------------------------------
# Approval


def test_approval_records_who_and_when_and_freezes_the_rows(client, term, township, high, staff):
    compute(term)
    c = _login(client, staff)
    page = c.get(reverse("aid:approve"), {"term": term.pk, "policy": "HS-GRANT"})
    assert page.context["proposed_count"] == 2 and page.context["expected"] == "2|2250.00"
    response = c.post(
        reverse("aid:approve"), {"term": term.pk, "policy": "HS-GRANT", "expected": page.context["expected"]}
    )
    assert response.status_code == 302
    approval = EntitlementApproval.objects.get()
    assert approval.approved_by == staff and approval.approved_at is not None
    assert (approval.entitlement_count, approval.total_amount) == (2, Decimal("2250.00"))
    assert any("审核人" in m and "qingshan" in m for m in _messages(response))
    row = _grant(term, high["dibao"])
    assert row.status == EntitlementStatus.APPROVED

    # Frozen: no override form, an override post changes nothing, recomputation leaves it.
    detail = c.get(reverse("aid:entitlement", args=[row.pk])).content.decode()
    assert "保存调整并重新测算" not in detail and "不能再调整" in detail
    c.post(reverse("aid:entitlement", args=[row.pk]), {"action": OverrideAction.EXCLUDE, "reason": "测试"})
    assert not EntitlementOverride.objects.exists()
    compute(term)
    assert _grant(term, high["dibao"]).status == EntitlementStatus.APPROVED
    listed = c.get(reverse("aid:approve"), {"term": term.pk}).content.decode()
    assert "qingshan" in listed and "2,250.00" in listed


def test_approving_a_list_that_changed_since_it_was_shown_is_refused(client, term, high, staff):
    compute(term)
    response = _login(client, staff).post(reverse("aid:approve"), {"term": term.pk, "expected": "1|10.00"})
    assert response.status_code == 200 and STALE in response.content.decode()
    assert not EntitlementApproval.objects.exists()
    assert _grant(term, high["dibao"]).status == EntitlementStatus.PROPOSED


def test_a_service_refusal_is_shown_as_a_message_not_a_500(client, term, high, staff):
    response = _login(client, staff).post(reverse("aid:approve"), {"term": term.pk, "expected": "0|0.00"})
    assert response.status_code == 200 and "没有待审核的拟资助名单" in response.content.decode()


# ---------------------------------------------------------------------------
# The county administrator and the summary


def test_the_county_administrator_picks_a_township(client, term, township, high):
    county = make_user(role=Role.COUNTY_ADMIN)
    other_kids = Kids(term, make_township("白云镇"))
    other_kids(other_kids.school(Stage.HIGH, name="白云中学"), categories=(H.EXTREME,), name="白云特困生")
    c = _login(client, county)
    preview = c.post(
        reverse("aid:compute"), {"term": term.pk, "township": township.pk, "policy": "HS-GRANT", "preview": "1"}
    ).content.decode()
    assert "特困生" in preview and "白云特困生" not in preview
    compute(term)
    summary = c.get(reverse("aid:index"), {"term": term.pk, "township": township.pk}).content.decode()
    assert "青山中学" in summary and "白云中学" not in summary
    county_wide = c.get(reverse("aid:index"), {"term": term.pk}).content.decode()
    assert "青山中学" in county_wide and "白云中学" in county_wide


def test_the_summary_gives_figures_totals_statuses_and_approvals(client, term, township, high, staff):
    compute(term)
    entitlements_approve(term=term, township=township, actor=staff, policy_code="HS-GRANT")
    c = _login(client, staff)
    response = c.get(reverse("aid:index"), {"term": term.pk})
    assert response.status_code == 200
    (group,) = [g for g in response.context["groups"] if g["code"] == "HS-GRANT"]
    (item,) = group["rows"]
    assert (item["r"].enrolled, item["r"].qualifying, item["r"].quota, item["r"].awarded) == (15, 3, 2, 2)
    assert group["total"] == Decimal("2250.00")
    page = response.content.decode()
    assert "青山中学" in page and "普通高中国家助学金 小计" in page and "合计" in page
    assert "qingshan" in page  # the approval, with who
    statuses = {s["code"]: s["n"] for s in response.context["statuses"]}
    assert statuses[EntitlementStatus.APPROVED] == 2 and statuses[EntitlementStatus.NOT_AWARDED] == 1


def test_the_pages_open_on_the_latest_term_that_has_its_policies(client, term, staff):
    current_school_year()  # this year is opened, but has no policies yet
    response = _login(client, staff).get(reverse("aid:index"))
    shown = response.context["term"]
    assert shown.school_year == term.school_year and shown.start_date <= timezone.localdate()
    assert response.context["form"]["term"].value() == str(shown.pk)


def test_the_pages_open_on_the_term_with_a_list_and_say_when_a_term_is_not_computed(client, term, high, staff):
    compute(term)
    spring = Term.objects.get(school_year=term.school_year, season=Season.SPRING)
    c = _login(client, staff)
    response = c.get(reverse("aid:index"))
    assert response.context["term"] == term  # the computed autumn, not the later spring
    assert "尚未测算" not in response.content.decode()
    page = c.get(reverse("aid:index"), {"term": spring.pk}).content.decode()
    assert "本学期尚未测算资助名单" in page and "低于比例下限" not in page


def test_without_policies_anywhere_the_pages_open_on_the_term_under_way(client, term, staff):
    Policy.objects.all().delete()
    current = current_school_year()
    response = _login(client, staff).get(reverse("aid:index"))
    shown = response.context["term"]
    assert shown.school_year == current and shown.start_date <= timezone.localdate() <= shown.end_date


def test_revealing_a_full_id_number_is_logged(client, term, high, staff):
    compute(term)
    row = _grant(term, high["dibao"])
    c = _login(client, staff)
    masked = c.get(reverse("aid:entitlement", args=[row.pk])).content.decode()
    assert high["dibao"].student.id_number not in masked and not AccessLog.objects.exists()
    revealed = c.get(reverse("aid:entitlement", args=[row.pk]), {"reveal": "1"}).content.decode()
    assert high["dibao"].student.id_number in revealed
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.row_count) == (staff, AccessAction.REVEAL, 1)


# ---------------------------------------------------------------------------
# Who may come in


def _urls(entitlement_pk: int) -> list[tuple[str, list[int]]]:
    return [
        ("aid:index", []),
        ("aid:compute", []),
        ("aid:list", []),
        ("aid:entitlement", [entitlement_pk]),
        ("aid:withdraw", [entitlement_pk]),
        ("aid:add", []),
        ("aid:approve", []),
    ]


URL_NAMES = [name for name, _ in _urls(0)]


@pytest.fixture
def listed(term, high, staff):
    compute(term)
    row = _grant(term, high["other"])
    EntitlementOverride.objects.create(
        student=row.student, policy=row.policy, term=term, action=OverrideAction.ADD, reason="测试", created_by=staff
    )
    return row


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DIRECTOR])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_auditors_and_directors_are_refused_every_aid_url(client, term, township, listed, role, method, name):
    school = listed.enrollment.school
    user = make_user(role=role, school=school if role == Role.DIRECTOR else None)
    args = dict(_urls(listed.pk))[name]
    before = (Entitlement.objects.count(), EntitlementOverride.objects.count(), EntitlementApproval.objects.count())
    data = {"term": term.pk, "action": OverrideAction.EXCLUDE, "reason": "测试", "accept": "1", "expected": "x"}
    response = getattr(_login(client, user), method)(reverse(name, args=args), data)
    assert response.status_code == 403
    assert (Entitlement.objects.count(), EntitlementOverride.objects.count(), EntitlementApproval.objects.count()) == before


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_visitors_are_sent_to_log_in(client, listed, name):
    url = reverse(name, args=dict(_urls(listed.pk))[name])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


@pytest.mark.parametrize("name", ["aid:entitlement", "aid:withdraw"])
def test_another_townships_entitlement_is_not_found(client, term, listed, name):
    stranger = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("白云镇"))
    c = _login(client, stranger)
    url = reverse(name, args=[listed.pk])
    assert c.post(url, {"action": OverrideAction.EXCLUDE, "reason": "测试"}).status_code == 404
    if name == "aid:entitlement":
        assert c.get(url).status_code == 404
    assert EntitlementOverride.objects.count() == 1


def test_other_townships_rows_stay_out_of_the_list_and_summary(client, term, high, staff):
    other_kids = Kids(term, make_township("白云镇"))
    other_kids(other_kids.school(Stage.HIGH, name="白云中学"), categories=(H.EXTREME,), name="白云特困生")
    compute(term)
    c = _login(client, staff)
    # A township officer cannot widen the scope by asking for another township.
    other = other_kids.township.pk
    for name in ("aid:index", "aid:list"):
        page = c.get(reverse(name), {"term": term.pk, "township": other}).content.decode()
        assert "白云特困生" not in page and "白云中学" not in page
