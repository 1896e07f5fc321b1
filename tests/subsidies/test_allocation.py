"""The coverage steps of `subsidies.rules.allocation`, on plain rows (no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from subsidies.models import Category, EntitlementStatus, PolicyKind
from subsidies.rules.allocation import decide
from subsidies.rules.policy import CategoryRule, PolicySpec

GRANT = PolicySpec(
    id=1,
    code="HS-GRANT",
    name="普通高中国家助学金",
    kind=PolicyKind.TIERED_GRANT,
    stages=("high",),
    tiers={1: Decimal("1500"), 2: Decimal("2000"), 3: Decimal("2500")},
    categories={
        Category.HARDSHIP: CategoryRule(Category.HARDSHIP, True, None, None, False),
        Category.EXTREME: CategoryRule(Category.EXTREME, True, 3, 1, False),
        Category.OTHER: CategoryRule(Category.OTHER, True, 1, 5, False),
    },
    quota_ratio=Decimal("0.1"),
)


def row(pk: int, *, student: int | None = None, school: int = 1, poor_village: bool = False, **hh: bool) -> dict[str, Any]:
    return {
        "id": pk,
        "student_id": student or pk,
        "school_id": school,
        "stage": "high",
        "grade": 1,
        "is_boarding": False,
        "is_agri_major": False,
        "study_year": 1,
        "school__name": f"第{school}中学",
        "school__tuition": None,
        "student__name": f"学生{pk}",
        "student__id_number": f"{pk:018d}",
        "student__is_orphan": False,
        "student__is_martyr_child": False,
        "student__is_disabled": False,
        "student__household__village__is_poor_village": poor_village,
        "hh_extreme": hh.get("extreme", False),
        "hh_registered": False,
        "hh_dibao": False,
        "hh_other": hh.get("other", False),
    }


def statuses(rows: list[dict[str, Any]]) -> dict[int, str]:
    return {d.student_id: d.status for d in decide(GRANT, rows).decisions}


def test_it_fills_the_quota_neediest_first():
    rows = [row(1, other=True), row(2, extreme=True)] + [row(pk) for pk in range(3, 11)]
    assert statuses(rows) == {1: EntitlementStatus.NOT_AWARDED, 2: EntitlementStatus.PROPOSED}


def test_poor_village_children_are_covered_beyond_the_quota():
    rows = [row(1, extreme=True), row(2, other=True, poor_village=True), row(3, other=True, poor_village=True)]
    rows += [row(pk) for pk in range(4, 11)]
    assert statuses(rows) == {
        1: EntitlementStatus.NOT_AWARDED,
        2: EntitlementStatus.PROPOSED,
        3: EntitlementStatus.PROPOSED,
    }


def test_a_student_enrolled_twice_is_decided_once_at_the_enrollment_that_pays_most():
    rows = [row(1, student=7, school=1, other=True), row(2, student=7, school=2, extreme=True)]
    outcome = decide(GRANT, rows)
    assert [(d.enrollment_id, d.standard) for d in outcome.decisions] == [(2, Decimal("1250.00"))]
    assert outcome.conflicts[0].school_names == ("第2中学", "第1中学")
