"""Small hand-built townships for the aid rules (used by the tests of this folder)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aidsite.access import SystemActor
from students.models import Enrollment, Term
from subsidies.models import Entitlement
from subsidies.services.entitlements import entitlements_compute
from tests.factories import (
    make_enrollment,
    make_household,
    make_school,
    make_student,
    make_village,
)


class Kids:
    """Makes one enrolled child per call: household categories, village, personal flags, enrollment fields."""

    def __init__(self, term: Term, township: Any) -> None:
        self.term = term
        self.township = township
        self.plain_village = make_village(township=township, name="平安村")
        self.poor_village = make_village(township=township, name="石岭村", poor=True)

    def __call__(
        self,
        school: Any,
        *,
        categories: tuple[str, ...] = (),
        poor: bool = False,
        stage: str | None = None,
        orphan: bool = False,
        martyr: bool = False,
        disabled: bool = False,
        name: str | None = None,
        **enrollment: Any,
    ) -> Enrollment:
        household = make_household(village=self.poor_village if poor else self.plain_village, categories=categories)
        student = make_student(
            household=household, name=name, is_orphan=orphan, is_martyr_child=martyr, is_disabled=disabled
        )
        return make_enrollment(
            student=student, school=school, school_year=self.term.school_year, stage=stage, **enrollment
        )

    def school(self, stages: str, **fields: Any) -> Any:
        return make_school(township=self.township, stages=stages, **fields)


def compute(term: Term, **kwargs: Any):
    kwargs.setdefault("actor", SystemActor("测试"))
    return entitlements_compute(term=term, **kwargs)


def rows(term: Term, code: str) -> dict[int, Entitlement]:
    """The term's entitlements of one policy, by student id."""
    return {
        e.student_id: e
        for e in Entitlement.objects.filter(term=term, policy__code=code).select_related("student")
    }


def amount(value: str) -> Decimal:
    return Decimal(value)
