"""Quotas are the county's allocation of places (名额分配), not only a per-school cap.

Seed: "平均资助面为在园幼儿的10%" (PRE-GRANT) and "资助比例为在校生的10%" (HS-GRANT): an
*average* coverage over the county. Issue 11: "the default stays round(ratio × enrolled),
rounded half up; the county administrator can set a school's places for a policy and term
(with a reason), the summary shows the county's total places against ratio × county
enrolled, and warns where the allocation exceeds it. Whether poor-village children take
places inside the quota … or stand outside it is a setting of the policy, default as today."
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from aidsite.models import Role
from students.models import HouseholdCategory as H
from students.models import Stage
from subsidies.models import EntitlementStatus, Policy, QuotaAllocation
from subsidies.rules.allocation import Allocated, decide
from subsidies.selectors import quota_totals, term_summary
from tests.factories import make_user
from tests.subsidies.test_allocation import GRANT, row
from tests.subsidies.townships import compute, rows

pytestmark = pytest.mark.django_db

AWARDED = EntitlementStatus.PROPOSED
LEFT_OUT = EntitlementStatus.NOT_AWARDED


def _kindergarten(kids: Any, children: int, *, extreme: int = 0, poor: int = 0) -> tuple[Any, list[Any]]:
    """An inclusive kindergarten with `children` enrolled: `extreme` 特困 ones, `poor` of those from a poor village."""
    school = kids.school(Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True)
    hard = [kids(school, categories=(H.EXTREME,), poor=i < poor) for i in range(extreme)]
    for _ in range(children - extreme):
        kids(school)
    return school, hard


def _allocate(term: Any, school: Any, places: int, code: str = "PRE-GRANT", reason: str = "县教育局名额分配") -> QuotaAllocation:
    county = make_user(username="county_quota", role=Role.COUNTY_ADMIN)
    allocation = QuotaAllocation(
        policy=Policy.objects.get(school_year=term.school_year, code=code), term=term, school=school,
        places=places, reason=reason, updated_by=county,
    )  # fmt: skip
    allocation.full_clean()
    allocation.save()
    return allocation


# --- the rules, on plain rows ---------------------------------------------------------------


def test_an_allocation_replaces_the_schools_default_share_of_places():
    """"资助比例为在校生的10%": a school of four has round(0.4) = 0 places unless the county gives it one."""
    four = [row(1, extreme=True)] + [row(pk) for pk in range(2, 5)]
    default = decide(GRANT, four)
    assert [d.status for d in default.decisions] == [LEFT_OUT]
    allocated = decide(GRANT, four, allocations={1: Allocated(1, "小规模学校保底一个名额")})
    [decision] = allocated.decisions
    assert decision.status == AWARDED
    assert allocated.schools[1].quota == 1
    assert "名额：本校名额 1 人（县分配，按在校生 4 人 × 10%应为 0 人；理由：小规模学校保底一个名额），按困难程度排第 1 位，在名额内" in decision.reasons["lines"]


def test_poor_village_children_take_places_inside_the_quota_by_default():
    """"对省定贫困村家庭困难在校生实现资助全覆盖" — today's rule: covered first, the rest of the quota to the others."""
    school = [row(1, extreme=True, poor_village=True), row(2, extreme=True)] + [row(pk) for pk in range(3, 11)]
    statuses = {d.student_id: d.status for d in decide(GRANT, school).decisions}
    assert statuses == {1: AWARDED, 2: LEFT_OUT}


def test_a_policy_may_put_poor_village_children_outside_the_quota():
    """The setting `poor_village_in_quota` off: the poor-village child is covered and the one place
    goes to the neediest of the others."""
    from dataclasses import replace

    outside = replace(GRANT, poor_village_in_quota=False)
    school = [row(1, extreme=True, poor_village=True), row(2, extreme=True)] + [row(pk) for pk in range(3, 11)]
    outcome = decide(outside, school)
    statuses = {d.student_id: d.status for d in outcome.decisions}
    assert statuses == {1: AWARDED, 2: AWARDED}
    village = next(d for d in outcome.decisions if d.student_id == 1)
    assert any("全覆盖，不占名额" in line for line in village.reasons["lines"])
    other = next(d for d in outcome.decisions if d.student_id == 2)
    assert not any("省定贫困村学生" in line for line in other.reasons["lines"])


# --- computing a term -----------------------------------------------------------------------


def test_default_places_are_the_share_rounded_half_up(term, kids):
    """"平均资助面为在园幼儿的10%": 25 children → round(2.5) = 3 places, half up (banker's rounding would give 2)."""
    school, hard = _kindergarten(kids, 25, extreme=4)
    compute(term, policy_code="PRE-GRANT")
    grant = rows(term, "PRE-GRANT")
    assert sorted(grant[c.student_id].status for c in hard).count(AWARDED) == 3
    [summary] = [r for r in term_summary(term=term, policy_code="PRE-GRANT") if r.school_id == school.pk]
    assert (summary.quota, summary.default_quota, summary.allocated) == (3, 3, False)


def test_a_small_kindergarten_funds_its_extreme_poverty_child_with_an_allocated_place(term, kids):
    """A kindergarten of four can fund its 特困 child once the county allocates it a place, said in the reason."""
    school, [child] = _kindergarten(kids, 4, extreme=1)
    compute(term, policy_code="PRE-GRANT")
    assert rows(term, "PRE-GRANT")[child.student_id].status == LEFT_OUT
    _allocate(term, school, 1, reason="村小附设幼儿园，县里统筹调剂 1 个名额")
    compute(term, policy_code="PRE-GRANT")
    entitlement = rows(term, "PRE-GRANT")[child.student_id]
    assert entitlement.status == AWARDED
    assert "县分配" in entitlement.reason_text and "村小附设幼儿园，县里统筹调剂 1 个名额" in entitlement.reason_text
    [summary] = [r for r in term_summary(term=term, policy_code="PRE-GRANT") if r.school_id == school.pk]
    assert (summary.quota, summary.default_quota, summary.allocated) == (1, 0, True)


def test_the_county_total_is_set_against_the_average_standard_and_an_excess_is_flagged(term, kids):
    """"平均资助面为在园幼儿的10%" over the county: 4 + 16 children → 2 places on average;
    allocating 1 to the small school keeps 0 + 1 + 2 = 3 > 2 and is flagged."""
    small, _ = _kindergarten(kids, 4, extreme=1)
    _kindergarten(kids, 16, extreme=3)
    compute(term, policy_code="PRE-GRANT")
    [before] = quota_totals(term_summary(term=term, policy_code="PRE-GRANT"))
    assert (before.places, before.base, before.standard_places, before.excess) == (2, 20, 2, 0)
    _allocate(term, small, 1)
    [after] = quota_totals(term_summary(term=term, policy_code="PRE-GRANT"))
    assert (after.places, after.average_places, after.standard_places, after.excess) == (3, Decimal("2"), 2, 1)
    assert after.allocated_schools == 1


def test_compute_aid_prints_the_allocated_places_and_the_county_total(term, kids):
    small, _ = _kindergarten(kids, 4, extreme=1)
    _kindergarten(kids, 16, extreme=3)
    _allocate(term, small, 1)
    out = StringIO()
    call_command("compute_aid", "--year", term.school_year.name, "--term", "autumn", "--policy", "PRE-GRANT", stdout=out)
    text = out.getvalue()
    assert "县分配名额（按比例0人）" in text
    assert "名额合计：PRE-GRANT" in text
    assert "各校名额 3 人（县分配 1 所），平均资助面 10% × 适用 20 人 = 2，应不超过 2 人；名额分配超出平均资助面 1 人" in text


def test_the_aid_summary_page_shows_the_allocation_and_the_county_total(term, kids, township):
    small, _ = _kindergarten(kids, 4, extreme=1)
    _kindergarten(kids, 16, extreme=3)
    _allocate(term, small, 1, reason="县里统筹调剂")
    compute(term, policy_code="PRE-GRANT")
    client = Client()
    client.force_login(make_user(username="county_view", role=Role.COUNTY_ADMIN))
    page = client.get(reverse("aid:index"), {"year": term.school_year_id, "term": term.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "县分配名额 1 人（按比例 0 人）：县里统筹调剂" in html
    assert "名额分配与平均资助面（全县）" in html
    assert "名额分配超出平均资助面 1 人" in html
    assert "调整名额分配" in html


def test_an_allocation_must_fit_the_policy_term_and_school_and_give_a_reason(term, kids):
    school, _ = _kindergarten(kids, 4)
    high = kids.school(Stage.HIGH)
    county = make_user(username="county_check", role=Role.COUNTY_ADMIN)
    grant = Policy.objects.get(school_year=term.school_year, code="PRE-GRANT")
    wrong_stage = QuotaAllocation(policy=grant, term=term, school=high, places=1, reason="x", updated_by=county)
    with pytest.raises(ValidationError) as stage_error:
        wrong_stage.full_clean()
    assert "学段不在此资助项目的适用范围内" in str(stage_error.value)
    no_reason = QuotaAllocation(policy=grant, term=term, school=school, places=1, reason="  ", updated_by=county)
    with pytest.raises(ValidationError) as reason_error:
        no_reason.full_clean()
    assert "reason" in reason_error.value.message_dict
    no_quota = Policy.objects.filter(school_year=term.school_year, quota_ratio__isnull=True).first()
    unlimited = QuotaAllocation(policy=no_quota, term=term, school=school, places=1, reason="x", updated_by=county)
    with pytest.raises(ValidationError) as quota_error:
        unlimited.full_clean()
    assert "不设名额" in str(quota_error.value)


def test_the_county_administrator_sets_places_in_the_admin_and_a_township_officer_cannot(term, kids, township):
    school, _ = _kindergarten(kids, 4, extreme=1)
    grant = Policy.objects.get(school_year=term.school_year, code="PRE-GRANT")
    data = {"term": term.pk, "policy": grant.pk, "school": school.pk, "places": 1, "reason": "保底名额"}
    officer = Client()
    officer.force_login(make_user(username="officer_quota", role=Role.TOWNSHIP_STAFF, township=township))
    assert officer.post(reverse("admin:subsidies_quotaallocation_add"), data).status_code == 403
    county = Client()
    county.force_login(make_user(username="county_admin_quota", role=Role.COUNTY_ADMIN))
    response = county.post(reverse("admin:subsidies_quotaallocation_add"), data)
    assert response.status_code == 302
    allocation = QuotaAllocation.objects.get()
    assert (allocation.places, allocation.updated_by.username) == (1, "county_admin_quota")
    change = county.get(reverse("admin:subsidies_quotaallocation_change", args=[allocation.pk]))
    assert "0 人（4 人 × 10%，四舍五入）" in change.content.decode()


def test_poor_village_children_outside_the_quota_leave_every_place_to_the_others(term, kids):
    """"对省定贫困村家庭困难儿童实施资助全覆盖" with the policy set to keep them outside the quota:
    a kindergarten of ten (one place) funds its poor-village child and its other 特困 child,
    and the summary does not call that over the quota."""
    Policy.objects.filter(school_year=term.school_year, code="PRE-GRANT").update(poor_village_in_quota=False)
    school, [village_child, other_child] = _kindergarten(kids, 10, extreme=2, poor=1)
    compute(term, policy_code="PRE-GRANT")
    grant = rows(term, "PRE-GRANT")
    assert (grant[village_child.student_id].status, grant[other_child.student_id].status) == (AWARDED, AWARDED)
    assert "全覆盖，不占名额" in grant[village_child.student_id].reason_text
    [summary] = [r for r in term_summary(term=term, policy_code="PRE-GRANT") if r.school_id == school.pk]
    assert (summary.quota, summary.in_quota, summary.over_quota, summary.beyond_quota_poor_village) == (1, 1, False, 0)
    Policy.objects.filter(school_year=term.school_year, code="PRE-GRANT").update(poor_village_in_quota=True)
    compute(term, policy_code="PRE-GRANT")
    grant = rows(term, "PRE-GRANT")
    assert (grant[village_child.student_id].status, grant[other_child.student_id].status) == (AWARDED, LEFT_OUT)
