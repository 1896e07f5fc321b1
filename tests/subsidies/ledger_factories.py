"""Approved entitlements, accounts and staff for the ledger tests, built in code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from aidsite.models import Role
from students.models import Stage, Term, Township
from subsidies.models import (
    Entitlement,
    EntitlementApproval,
    EntitlementStatus,
    PaymentAccount,
    PaymentMethod,
    Policy,
)
from tests.factories import make_household, make_school, make_user, make_village
from tests.world import enroll

_accounts = iter(range(10**15, 10**16))


def next_account() -> str:
    return f"6217{next(_accounts)}"


def policy_of(term: Term, code: str = "PRE-GRANT") -> Policy:
    return Policy.objects.get(school_year=term.school_year, code=code)


def approved_entitlements(
    *,
    term: Term,
    township: Township,
    count: int = 3,
    code: str = "PRE-GRANT",
    amount: Decimal = Decimal("600.00"),
    school: Any = None,
    village: Any = None,
    accounts: bool = True,
    names: list[str] | None = None,
) -> list[Entitlement]:
    """`count` children at one kindergarten of the township, each with an approved entitlement."""
    policy = policy_of(term, code)
    stage = policy.stage_list[0]
    school = school or make_school(township=township, stages=stage)
    village = village or make_village(township=township)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    approval = EntitlementApproval.objects.create(
        term=term, township=township, policy_codes=code, approved_by=staff, entitlement_count=count,
        total_amount=amount * count,
    )
    rows = []
    for i in range(count):
        enrollment = enroll(
            school=school, year=term.school_year, household=make_household(village=village),
            stage=stage or Stage.KINDERGARTEN, student={"name": names[i] if names else None},
            grade="大班", class_name="1班",
        )  # fmt: skip
        student = enrollment.student
        if accounts:
            PaymentAccount.objects.create(
                student=student, method=PaymentMethod.BANK_CARD, account_number=next_account(),
                holder_name=f"家长{i}",
            )
        rows.append(
            Entitlement.objects.create(
                student=student, enrollment=enrollment, policy=policy, term=term, tier=2, amount=amount,
                max_amount=amount, status=EntitlementStatus.APPROVED, computed_at=timezone.now(), approval=approval,
            )
        )
    return rows


def two_staff(township: Township) -> tuple[Any, Any]:
    """A preparer and a different approver of the same township."""
    return (
        make_user(role=Role.TOWNSHIP_STAFF, township=township),
        make_user(role=Role.TOWNSHIP_STAFF, township=township),
    )
