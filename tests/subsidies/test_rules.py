"""Each policy's rule, pinned with small hand-built townships (the seed's rules, as DOMAIN.md states them)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from students.models import HouseholdCategory as H
from students.models import HouseholdHardship, Ownership, PovertyStatus, Stage
from subsidies.models import EntitlementStatus, Policy
from subsidies.rules.allocation import quota_for
from tests.factories import make_enrollment
from tests.subsidies.townships import compute, rows

pytestmark = pytest.mark.django_db


def test_an_orphans_meal_subsidy_is_1825_a_term(term, kids):
    school = kids.school(Stage.PRIMARY)
    orphan = kids(school, orphan=True)
    compute(term)
    meal = rows(term, "CMP-MEAL")[orphan.student_id]
    assert meal.amount == Decimal("1825.00")
    assert meal.status == EntitlementStatus.PROPOSED
    assert "182.5" in meal.reason_text


def test_meal_subsidy_pays_one_rate_the_highest(term, kids):
    special = kids.school(Stage.SPECIAL)
    primary = kids.school(Stage.PRIMARY)
    special_orphan = kids(special, orphan=True)
    special_child = kids(special)
    dibao_child = kids(primary, categories=(H.DIBAO,))
    other_child = kids(primary, categories=(H.OTHER,))
    plain_child = kids(primary)
    compute(term)
    meal = rows(term, "CMP-MEAL")
    assert meal[special_orphan.student_id].amount == Decimal("1825.00")
    assert meal[special_child.student_id].amount == Decimal("1000.00")
    assert meal[dibao_child.student_id].amount == Decimal("300.00")
    assert meal[other_child.student_id].amount == Decimal("300.00")
    assert plain_child.student_id not in meal
    assert "多项标准取最高" in meal[special_orphan.student_id].reason_text


def test_nutrition_plan_covers_every_rural_compulsory_student_at_one_yuan_a_day(term, kids):
    rural = kids.school(Stage.JUNIOR, is_rural=True)
    town = kids.school(Stage.PRIMARY, is_rural=False)
    kindergarten = kids.school(Stage.KINDERGARTEN, is_rural=True)
    a, b = kids(rural), kids(rural, categories=(H.REGISTERED,))
    c, d = kids(town), kids(kindergarten)
    compute(term)
    nutrition = rows(term, "CMP-NUTRI")
    assert {a.student_id, b.student_id} == set(nutrition)
    assert {e.amount for e in nutrition.values()} == {Decimal("100.00")}
    assert c.student_id not in nutrition and d.student_id not in nutrition


def test_boarding_subsidy_pays_rural_boarders_with_hardship_by_stage(term, kids):
    primary = kids.school(Stage.PRIMARY, is_rural=True)
    junior = kids.school(Stage.JUNIOR, is_rural=True)
    town = kids.school(Stage.PRIMARY, is_rural=False)
    p = kids(primary, categories=(H.DIBAO,), is_boarding=True)
    j = kids(junior, orphan=True, is_boarding=True)
    day_pupil = kids(primary, categories=(H.DIBAO,), is_boarding=False)
    no_hardship = kids(primary, is_boarding=True)
    town_boarder = kids(town, categories=(H.DIBAO,), is_boarding=True)
    compute(term)
    board = rows(term, "CMP-BOARD")
    assert board[p.student_id].amount == Decimal("500.00")
    assert board[j.student_id].amount == Decimal("625.00")
    for left_out in (day_pupil, no_hardship, town_boarder):
        assert left_out.student_id not in board


def test_preschool_grant_goes_to_inclusive_kindergartens_with_tiers_by_category(term, kids):
    inclusive = kids.school(Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True)
    private_inclusive = kids.school(
        Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True, ownership=Ownership.PRIVATE
    )
    not_inclusive = kids.school(Stage.KINDERGARTEN, is_inclusive=False, is_county_approved=True)
    martyr = kids(inclusive, martyr=True, poor=True)
    dibao = kids(inclusive, categories=(H.DIBAO,), poor=True)
    other = kids(private_inclusive, categories=(H.OTHER,), poor=True)
    plain = kids(inclusive)
    elsewhere = kids(not_inclusive, categories=(H.EXTREME,), poor=True)
    compute(term)
    grant = rows(term, "PRE-GRANT")
    assert (grant[martyr.student_id].tier, grant[martyr.student_id].amount) == (3, Decimal("700.00"))
    assert (grant[dibao.student_id].tier, grant[dibao.student_id].amount) == (2, Decimal("600.00"))
    assert (grant[other.student_id].tier, grant[other.student_id].amount) == (1, Decimal("500.00"))
    assert plain.student_id not in grant
    assert elsewhere.student_id not in grant
    assert "烈士子女对应 3 档" in grant[martyr.student_id].reason_text


def test_high_school_grant_includes_private_schools_and_takes_the_highest_tier(term, kids):
    private = kids.school(Stage.HIGH, ownership=Ownership.PRIVATE)
    both = kids(private, categories=(H.REGISTERED, H.EXTREME), poor=True)
    registered = kids(private, categories=(H.REGISTERED,), poor=True)
    compute(term)
    grant = rows(term, "HS-GRANT")
    assert (grant[both.student_id].tier, grant[both.student_id].amount) == (3, Decimal("1250.00"))
    assert (grant[registered.student_id].tier, grant[registered.student_id].amount) == (2, Decimal("1000.00"))


def test_vocational_tuition_is_waived_at_public_schools_only(term, kids):
    public = kids.school(Stage.VOCATIONAL, tuition=Decimal("3000"))
    private = kids.school(Stage.VOCATIONAL, tuition=Decimal("5000"), ownership=Ownership.PRIVATE)
    a, b = kids(public, study_year=3), kids(private, study_year=1)
    compute(term)
    free = rows(term, "VOC-FREE")
    assert free[a.student_id].amount == Decimal("1500.00")
    assert b.student_id not in free


def test_vocational_grant_covers_agricultural_majors_and_poor_first_and_second_years(term, kids):
    school = kids.school(Stage.VOCATIONAL)
    agri = kids(school, is_agri_major=True, study_year=1)
    poor_second_year = kids(school, categories=(H.DIBAO,), poor=True, study_year=2)
    third_year = kids(school, is_agri_major=True, categories=(H.DIBAO,), study_year=3)
    plain = kids(school, study_year=1)
    compute(term)
    grant = rows(term, "VOC-GRANT")
    assert grant[agri.student_id].amount == Decimal("1000.00")
    assert "不占名额" in grant[agri.student_id].reason_text
    assert grant[poor_second_year.student_id].amount == Decimal("1000.00")
    assert third_year.student_id not in grant
    assert plain.student_id not in grant


@pytest.mark.parametrize(
    ("count", "quota"), [(25, 3), (15, 2), (14, 1), (5, 1), (4, 0), (35, 4), (45, 5)]
)
def test_quota_is_ratio_times_count_rounded_half_up(count, quota):
    assert quota_for(Decimal("0.10"), count) == quota


def _high_school_of(kids, size: int):
    school = kids.school(Stage.HIGH)
    return school, [kids(school) for _ in range(size)]


def test_a_quota_is_filled_neediest_first(term, kids):
    school, _others = _high_school_of(kids, 20)
    other = kids(school, categories=(H.OTHER,))
    dibao = kids(school, categories=(H.DIBAO,))
    registered = kids(school, categories=(H.REGISTERED,))
    orphan = kids(school, orphan=True)
    extreme = kids(school, categories=(H.EXTREME,))
    compute(term)  # 25 enrolled: quota 3
    grant = rows(term, "HS-GRANT")
    awarded = {s for s, e in grant.items() if e.status == EntitlementStatus.PROPOSED}
    assert awarded == {extreme.student_id, orphan.student_id, registered.student_id}
    for left in (dibao, other):
        entitlement = grant[left.student_id]
        assert entitlement.status == EntitlementStatus.NOT_AWARDED
        assert entitlement.amount == 0
        assert "名额已满" in entitlement.reason_text
    assert grant[dibao.student_id].reasons["quota"]["position"] == 4
    assert grant[other.student_id].reasons["quota"]["position"] == 5


def test_ties_in_priority_are_broken_by_id_number(term, kids):
    school, _others = _high_school_of(kids, 12)
    a = kids(school, categories=(H.DIBAO,))
    b = kids(school, categories=(H.DIBAO,))
    c = kids(school, categories=(H.DIBAO,))
    compute(term)  # 15 enrolled: quota 2
    grant = rows(term, "HS-GRANT")
    by_id = sorted((a, b, c), key=lambda e: e.student.id_number)
    assert grant[by_id[0].student_id].status == EntitlementStatus.PROPOSED
    assert grant[by_id[1].student_id].status == EntitlementStatus.PROPOSED
    assert grant[by_id[2].student_id].status == EntitlementStatus.NOT_AWARDED


def test_poor_village_children_are_covered_beyond_the_quota(term, kids):
    school, _others = _high_school_of(kids, 11)
    village_kids = [kids(school, categories=(H.OTHER,), poor=True) for _ in range(3)]
    extreme_elsewhere = kids(school, categories=(H.EXTREME,))
    compute(term)  # 15 enrolled: quota 2, three poor-village children
    grant = rows(term, "HS-GRANT")
    for child in village_kids:
        assert grant[child.student_id].status == EntitlementStatus.PROPOSED
        assert "省定贫困村" in grant[child.student_id].reason_text
    assert grant[extreme_elsewhere.student_id].status == EntitlementStatus.NOT_AWARDED
    assert len([e for e in grant.values() if e.status == EntitlementStatus.PROPOSED]) == 3


def test_nobody_who_does_not_qualify_fills_a_quota(term, kids):
    school, others = _high_school_of(kids, 29)
    dibao = kids(school, categories=(H.DIBAO,))
    compute(term)  # 30 enrolled: quota 3, one qualifying child
    grant = rows(term, "HS-GRANT")
    assert set(grant) == {dibao.student_id}


def test_a_school_below_the_floor_is_reported_and_nobody_is_added(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=True)
    for _ in range(18):
        kids(school, is_boarding=True)
    poor = [kids(school, categories=(H.DIBAO,), is_boarding=True) for _ in range(2)]
    result = compute(term)  # 20 boarders: 15% is 3, only 2 qualify
    board = rows(term, "CMP-BOARD")
    assert set(board) == {p.student_id for p in poor}
    warnings = [w for w in result.floor_warnings if w.policy_code == "CMP-BOARD"]
    assert len(warnings) == 1
    assert (warnings[0].base, warnings[0].counted, warnings[0].required) == (20, 2, Decimal("3.0000"))


def test_a_school_at_the_floor_raises_no_warning(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=True)
    for _ in range(17):
        kids(school, is_boarding=True)
    for _ in range(3):
        kids(school, categories=(H.DIBAO,), is_boarding=True)
    result = compute(term)
    assert not [w for w in result.floor_warnings if w.policy_code == "CMP-BOARD"]


def test_a_student_enrolled_at_two_schools_gets_a_policy_once_and_the_conflict_is_reported(term, kids):
    first = kids.school(Stage.PRIMARY, is_rural=True)
    second = kids.school(Stage.PRIMARY, is_rural=True)
    enrollment = kids(first, orphan=True)
    make_enrollment(student=enrollment.student, school=second, school_year=term.school_year)
    result = compute(term)
    meal = [e for e in rows(term, "CMP-MEAL").values() if e.student_id == enrollment.student_id]
    assert len(meal) == 1
    assert meal[0].has_conflict
    assert "重复学籍" in meal[0].reason_text
    assert any(c.policy_code == "CMP-MEAL" and len(c.school_names) == 2 for c in result.conflicts)


def test_lifted_households_keep_their_policies_unless_the_policy_says_otherwise(term, kids):
    school = kids.school(Stage.PRIMARY)
    child = kids(school, categories=(H.DIBAO,))
    HouseholdHardship.objects.filter(household=child.student.household).update(status=PovertyStatus.LIFTED)
    compute(term)
    assert child.student_id in rows(term, "CMP-MEAL")
    Policy.objects.filter(school_year=term.school_year, code="CMP-MEAL").update(lifted_households_count=False)
    compute(term)
    assert child.student_id not in rows(term, "CMP-MEAL")


def test_case_by_case_and_higher_education_policies_are_not_computed(term, kids):
    kindergarten = kids.school(Stage.KINDERGARTEN)
    high = kids.school(Stage.HIGH)
    kids(kindergarten, categories=(H.EXTREME,), poor=True)
    kids(high, categories=(H.EXTREME,), poor=True)
    result = compute(term)
    assert not {"PRE-FEE", "HS-FEE", "HE-LIVING", "HE-AUTUMN", "HE-LOAN"} & set(result.policy_codes)
    for code in ("PRE-FEE", "HS-FEE", "HE-LIVING", "HE-AUTUMN", "HE-LOAN"):
        assert not rows(term, code)


def test_only_enrollments_in_study_count(term, kids):
    school = kids.school(Stage.PRIMARY)
    suspended = kids(school, orphan=True, status="suspended")
    compute(term)
    assert suspended.student_id not in rows(term, "CMP-MEAL")


def test_amounts_come_from_the_policy_data_not_the_code(term, kids):
    school = kids.school(Stage.PRIMARY)
    orphan = kids(school, orphan=True)
    meal = Policy.objects.get(school_year=term.school_year, code="CMP-MEAL")
    meal.daily_rates.filter(category="orphan").update(rate=Decimal("12.00"))
    compute(term)
    assert rows(term, "CMP-MEAL")[orphan.student_id].amount == Decimal("2190.00")
