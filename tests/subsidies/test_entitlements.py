"""Computing a term: idempotent, previewable, overrides kept, approved rows untouched, approval recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import EnrollmentStatus, Stage
from students.models import HouseholdCategory as H
from subsidies.models import (
    Entitlement,
    EntitlementOverride,
    EntitlementStatus,
    OverrideAction,
    Policy,
)
from subsidies.selectors import term_summary
from subsidies.services.entitlement_review import (
    entitlement_override,
    entitlement_override_remove,
    entitlements_approve,
)
from subsidies.services.entitlements import entitlements_compute
from tests.factories import make_township, make_user
from tests.subsidies.townships import compute, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(township):
    return make_user(role=Role.TOWNSHIP_STAFF, township=township)


def _policy(term, code):
    return Policy.objects.get(school_year=term.school_year, code=code)


def test_computing_twice_changes_nothing(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=True)
    for _ in range(5):
        kids(school, categories=(H.DIBAO,), is_boarding=True)
    first = compute(term)
    assert first.added
    history = Entitlement.history.count()
    snapshot = list(Entitlement.objects.order_by("pk").values())
    second = compute(term)
    assert not second.has_changes
    assert second.unchanged == len(snapshot)
    assert list(Entitlement.objects.order_by("pk").values()) == snapshot
    assert Entitlement.history.count() == history


def test_a_dry_run_previews_the_changes_and_writes_nothing(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=False)
    orphan = kids(school, orphan=True)
    preview = compute(term, dry_run=True)
    assert preview.dry_run
    assert [(d.policy_code, d.student_id, d.after) for d in preview.added] == [
        ("CMP-MEAL", orphan.student_id, (EntitlementStatus.PROPOSED, None, Decimal("1825.00")))
    ]
    assert "*" in preview.added[0].masked_id_number
    assert Entitlement.objects.count() == 0


def test_the_preview_shows_what_would_be_removed_and_changed(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=False)
    leaving = kids(school, orphan=True)
    changing = kids(school, categories=(H.DIBAO,))
    compute(term)
    leaving.status = EnrollmentStatus.DROPPED
    leaving.save()
    changing.student.is_orphan = True
    changing.student.save()
    preview = compute(term, dry_run=True)
    assert [(d.student_id, d.student_name, d.school_name) for d in preview.removed] == [
        (leaving.student_id, leaving.student.name, school.name)
    ]
    assert [(d.before[2], d.after[2]) for d in preview.changed] == [(Decimal("300.00"), Decimal("1825.00"))]
    compute(term)
    assert set(rows(term, "CMP-MEAL")) == {changing.student_id}
    assert Entitlement.history.filter(history_type="-", student_id=leaving.student_id).count() == 1


def test_approved_entitlements_are_never_touched_by_recomputation(term, kids, township, staff):
    school = kids.school(Stage.PRIMARY)
    child = kids(school, categories=(H.DIBAO,))
    compute(term)
    entitlements_approve(term=term, township=township, actor=staff)
    child.student.is_orphan = True
    child.student.save()
    child.status = EnrollmentStatus.DROPPED
    child.save()
    result = compute(term)
    meal = rows(term, "CMP-MEAL")[child.student_id]
    assert (meal.status, meal.amount) == (EntitlementStatus.APPROVED, Decimal("300.00"))
    assert not result.removed and not result.changed


def test_approval_records_who_and_when_and_a_second_approval_changes_nothing(term, kids, township, staff):
    school = kids.school(Stage.PRIMARY)
    kids(school, orphan=True)
    kids(school, categories=(H.OTHER,))
    compute(term)
    approval = entitlements_approve(term=term, township=township, actor=staff, policy_code="CMP-MEAL")
    assert approval.approved_by == staff
    assert approval.approved_at <= timezone.now()
    assert (approval.entitlement_count, approval.total_amount) == (2, Decimal("2125.00"))
    meal = Entitlement.objects.filter(policy__code="CMP-MEAL")
    assert set(meal.values_list("status", flat=True)) == {EntitlementStatus.APPROVED}
    assert set(meal.values_list("approval", flat=True)) == {approval.pk}
    assert Entitlement.objects.filter(policy__code="CMP-NUTRI", status=EntitlementStatus.PROPOSED).count() == 2
    assert Entitlement.history.filter(history_user=staff, status=EntitlementStatus.APPROVED).count() == 2
    with pytest.raises(ValidationError):
        entitlements_approve(term=term, township=township, actor=staff, policy_code="CMP-MEAL")


def test_only_the_townships_own_staff_compute_and_approve(term, kids, township):
    kids(kids.school(Stage.PRIMARY), orphan=True)
    other_staff = make_user(role=Role.TOWNSHIP_STAFF, township=make_township())
    auditor = make_user(role=Role.AUDITOR)
    director = make_user(role=Role.DIRECTOR, school=kids.school(Stage.PRIMARY))
    for user in (other_staff, auditor, director):
        with pytest.raises(PermissionDenied):
            entitlements_compute(term=term, township=township, actor=user)
    compute(term)
    for user in (other_staff, auditor, director):
        with pytest.raises(PermissionDenied):
            entitlements_approve(term=term, township=township, actor=user)
    assert not Entitlement.objects.filter(status=EntitlementStatus.APPROVED).exists()


def test_a_tier_override_survives_recomputation(term, kids, staff):
    school = kids.school(Stage.KINDERGARTEN)
    child = kids(school, categories=(H.OTHER,), poor=True)
    compute(term)
    assert rows(term, "PRE-GRANT")[child.student_id].tier == 1
    entitlement_override(
        student=child.student, policy=_policy(term, "PRE-GRANT"), term=term,
        action=OverrideAction.TIER, tier=3, reason="家访核实，父亲重病", actor=staff,
    )
    compute(term)
    grant = rows(term, "PRE-GRANT")[child.student_id]
    assert (grant.tier, grant.amount) == (3, Decimal("700.00"))
    assert "家访核实，父亲重病" in grant.reason_text
    assert not compute(term).has_changes


def test_an_exclusion_frees_the_place_for_the_next_in_line(term, kids, staff):
    school = kids.school(Stage.HIGH)
    for _ in range(13):
        kids(school)
    extreme = kids(school, categories=(H.EXTREME,))
    dibao = kids(school, categories=(H.DIBAO,))  # 15 enrolled: quota 2
    other = kids(school, categories=(H.OTHER,))
    compute(term)
    assert rows(term, "HS-GRANT")[other.student_id].status == EntitlementStatus.NOT_AWARDED
    entitlement_override(
        student=extreme.student, policy=_policy(term, "HS-GRANT"), term=term,
        action=OverrideAction.EXCLUDE, reason="已享受其他资助", actor=staff,
    )
    compute(term)
    grant = rows(term, "HS-GRANT")
    assert (grant[extreme.student_id].status, grant[extreme.student_id].amount) == (EntitlementStatus.EXCLUDED, 0)
    assert grant[dibao.student_id].status == EntitlementStatus.PROPOSED
    assert grant[other.student_id].status == EntitlementStatus.PROPOSED


def test_an_addition_awards_a_student_the_rules_left_out_and_withdrawing_it_undoes_that(term, kids, staff):
    school = kids.school(Stage.HIGH)
    child = kids(school)
    entitlement_override(
        student=child.student, policy=_policy(term, "HS-GRANT"), term=term,
        action=OverrideAction.ADD, tier=2, reason="突发重大变故，村委证明", actor=staff,
    )
    grant = rows(term, "HS-GRANT")[child.student_id]
    assert (grant.status, grant.tier, grant.amount, grant.qualifies) == (
        EntitlementStatus.PROPOSED, 2, Decimal("1000.00"), False,
    )
    entitlement_override_remove(override=EntitlementOverride.objects.get(), actor=staff)
    assert child.student_id not in rows(term, "HS-GRANT")


def test_an_addition_of_a_qualifying_student_left_out_by_the_quota_stands_outside_it(term, kids, staff):
    school = kids.school(Stage.HIGH)
    for _ in range(8):
        kids(school)
    dibao = kids(school, categories=(H.DIBAO,))  # 10 enrolled: quota 1, taken by 低保
    other = kids(school, categories=(H.OTHER,))
    compute(term)
    assert rows(term, "HS-GRANT")[other.student_id].status == EntitlementStatus.NOT_AWARDED
    entitlement_override(
        student=other.student, policy=_policy(term, "HS-GRANT"), term=term,
        action=OverrideAction.ADD, tier=1, reason="村委证明家庭突发变故", actor=staff,
    )
    grant = rows(term, "HS-GRANT")
    assert (grant[other.student_id].status, grant[other.student_id].amount) == (
        EntitlementStatus.PROPOSED, Decimal("750.00"),
    )
    assert "人工增补" in grant[other.student_id].reason_text
    assert grant[dibao.student_id].status == EntitlementStatus.PROPOSED  # nobody pushed out
    compute(term)  # the addition survives recomputation
    assert rows(term, "HS-GRANT")[other.student_id].status == EntitlementStatus.PROPOSED


def test_an_approved_entitlement_cannot_be_overridden(term, kids, township, staff):
    child = kids(kids.school(Stage.PRIMARY), orphan=True)
    compute(term)
    entitlements_approve(term=term, township=township, actor=staff)
    with pytest.raises(ValidationError):
        entitlement_override(
            student=child.student, policy=_policy(term, "CMP-MEAL"), term=term,
            action=OverrideAction.EXCLUDE, reason="测试", actor=staff,
        )


def test_the_database_refuses_a_second_entitlement_for_the_same_student_policy_and_term(term, kids):
    child = kids(kids.school(Stage.PRIMARY), orphan=True)
    compute(term)
    existing = rows(term, "CMP-MEAL")[child.student_id]
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(
            student=existing.student, enrollment=existing.enrollment, policy=existing.policy,
            term=term, amount=Decimal("1"), max_amount=Decimal("1"), computed_at=timezone.now(),
        )


def test_the_database_refuses_negative_amounts(term, kids):
    child = kids(kids.school(Stage.PRIMARY), orphan=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(
            student=child.student, enrollment=child, policy=_policy(term, "CMP-MEAL"),
            term=term, amount=Decimal("-1"), max_amount=Decimal("0"), computed_at=timezone.now(),
        )


def test_computing_for_one_township_leaves_the_others_alone(term, kids):
    mine = kids(kids.school(Stage.PRIMARY), orphan=True)
    other_town = make_township()
    other_kids = type(kids)(term, other_town)
    theirs = other_kids(other_kids.school(Stage.PRIMARY), orphan=True)
    system = SystemActor("测试")
    entitlements_compute(term=term, township=kids.township, actor=system)
    assert set(rows(term, "CMP-MEAL")) == {mine.student_id}
    entitlements_compute(term=term, township=other_town, actor=system)
    assert set(rows(term, "CMP-MEAL")) == {mine.student_id, theirs.student_id}
    assert not entitlements_compute(term=term, township=kids.township, actor=system).has_changes


def test_the_number_of_queries_does_not_grow_with_the_number_of_students(term, kids):
    def queries_for(count: int) -> int:
        school = kids.school(Stage.PRIMARY, is_rural=True)
        for _ in range(count):
            kids(school, categories=(H.DIBAO,), is_boarding=True)
        Entitlement.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            entitlements_compute(
                term=term, township=kids.township, policy_code="CMP-BOARD", actor=SystemActor("测试")
            )
        return len(captured.captured_queries)

    assert queries_for(3) == queries_for(30)


def test_the_summary_gives_each_policy_and_school_its_figures(term, kids):
    school = kids.school(Stage.HIGH)
    for _ in range(20):
        kids(school)
    for category in (H.EXTREME, H.REGISTERED, H.DIBAO, H.OTHER, H.OTHER):
        kids(school, categories=(category,))
    compute(term)
    (row,) = [r for r in term_summary(term=term) if r.policy_code == "HS-GRANT"]
    assert (row.enrolled, row.qualifying, row.quota, row.awarded, row.not_awarded) == (25, 5, 3, 3, 2)
    assert row.total_amount == Decimal("3250.00")  # 1250 + 1000 + 1000
    assert row.actual_average == Decimal("2166.67")
    assert row.average_standard == Decimal("2000.00")
    assert not row.below_floor and not row.over_quota


def test_the_summary_reports_floors(term, kids):
    school = kids.school(Stage.PRIMARY, is_rural=True)
    for _ in range(9):
        kids(school, is_boarding=True)
    kids(school, categories=(H.DIBAO,), is_boarding=True)
    compute(term)
    (board,) = [r for r in term_summary(term=term, policy_code="CMP-BOARD")]
    assert (board.enrolled, board.awarded, board.floor_counted) == (10, 1, 1)
    assert board.floor_required == Decimal("1.5000")
    assert board.below_floor


def test_every_computed_entitlement_has_its_history_row(term, kids, staff):
    school = kids.school(Stage.PRIMARY)
    kids(school, orphan=True)
    kids(school, categories=(H.DIBAO,), is_boarding=True)
    entitlements_compute(term=term, township=kids.township, actor=staff)
    created = Entitlement.history.filter(history_type="+")
    assert created.count() == Entitlement.objects.count() == 5
    for entitlement in Entitlement.objects.all():
        record = created.get(id=entitlement.pk)
        assert (record.amount, record.status, record.reasons) == (entitlement.amount, entitlement.status, entitlement.reasons)
        assert record.history_user == staff


@pytest.mark.postgres(reason="needs PostgreSQL (concurrent writers)")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_computations_leave_one_entitlement_per_student_policy_and_term():
    import threading

    from django.db import connections

    from students.models import Season, Term
    from subsidies.services.policies import policies_seed_load
    from tests.factories import make_school_year
    from tests.subsidies.townships import Kids

    year = make_school_year("2022-2023")
    policies_seed_load(school_year=year)
    term = Term.objects.get(school_year=year, season=Season.AUTUMN)
    town = make_township()
    kids = Kids(term, town)
    school = kids.school(Stage.PRIMARY, is_rural=False)
    for _ in range(30):
        kids(school, orphan=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            entitlements_compute(term=term, township=town, actor=SystemActor("测试"))
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("retry")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "ok" in outcomes
    assert Entitlement.objects.count() == 30
    assert Entitlement.objects.values("student", "policy", "term").distinct().count() == 30


def test_the_summary_tells_poor_village_coverage_and_exempt_awards_from_an_exceeded_quota(term, kids):
    school = kids.school(Stage.VOCATIONAL)
    for _ in range(8):
        kids(school, study_year=1)
    agri = [kids(school, is_agri_major=True, study_year=2) for _ in range(3)]
    village = [kids(school, categories=(H.OTHER,), poor=True, study_year=1) for _ in range(2)]
    compute(term)  # 10 non-agricultural students: quota 1; two poor-village children
    (row,) = term_summary(term=term, policy_code="VOC-GRANT")
    assert (row.quota, row.awarded, row.awarded_exempt, row.awarded_poor_village) == (1, 5, 3, 2)
    assert row.beyond_quota_poor_village == 1
    assert not row.over_quota
    assert len(agri) + len(village) == row.awarded


def test_the_summary_flags_a_quota_exceeded_by_staff_additions(term, kids, staff):
    school = kids.school(Stage.HIGH)
    others = [kids(school) for _ in range(9)]
    kids(school, categories=(H.DIBAO,))  # 10 enrolled: quota 1, taken
    entitlement_override(
        student=others[0].student, policy=_policy(term, "HS-GRANT"), term=term,
        action=OverrideAction.ADD, tier=1, reason="村委证明家庭突发困难", actor=staff,
    )
    (row,) = term_summary(term=term, policy_code="HS-GRANT")
    assert (row.quota, row.awarded) == (1, 2)
    assert row.over_quota


def test_the_review_list_holds_only_the_users_township(term, kids, staff):
    from subsidies.selectors import entitlement_list

    mine = kids(kids.school(Stage.PRIMARY, is_rural=False), orphan=True)
    other_kids = type(kids)(term, make_township())
    other_kids(other_kids.school(Stage.PRIMARY, is_rural=False), orphan=True)
    compute(term)
    listed = entitlement_list(actor=staff, term=term, policy_code="CMP-MEAL")
    assert [e.student_id for e in listed] == [mine.student_id]
    fresh = entitlement_list(actor=staff, term=term)
    with CaptureQueriesContext(connection) as captured:
        shown = [(e.student.name, e.enrollment.school.township.name, e.policy.code) for e in fresh]
    assert len(captured.captured_queries) == 1
    assert {code for _name, _town, code in shown} == {"CMP-MEAL"}
