"""Donors, paired students and pairings for the 社会资助 tests, built in code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aidsite.models import Role
from students.models import Stage, Student, Term, Township
from subsidies.models import Donor, DonorKind, Pairing, PaymentAccount, PaymentMethod
from subsidies.services.donors import pairing_create
from tests.factories import make_household, make_school, make_user, make_village
from tests.subsidies.ledger_factories import next_account
from tests.world import enroll


def make_donor(
    township: Township, name: str = "爱心企业", kind: str = DonorKind.COMPANY, **fields: Any
) -> Donor:
    return Donor.objects.create(township=township, name=name, kind=kind, **fields)


def paired_students(
    *,
    term: Term,
    township: Township,
    count: int = 1,
    names: list[str] | None = None,
    village: Any = None,
) -> list[Student]:
    """`count` primary pupils of one school of the township, each with a 一卡通 account."""
    school = make_school(township=township, stages=Stage.PRIMARY)
    village = village or make_village(township=township)
    students = []
    for i in range(count):
        enrollment = enroll(
            school=school,
            year=term.school_year,
            household=make_household(village=village),
            stage=Stage.PRIMARY,
            student={"name": names[i] if names else None},
            grade="三年级",
            class_name="1班",
        )
        PaymentAccount.objects.create(
            student=enrollment.student,
            method=PaymentMethod.BANK_CARD,
            account_number=next_account(),
            holder_name=f"家长{i}",
        )
        students.append(enrollment.student)
    return students


def make_pairing(
    *,
    term: Term,
    township: Township,
    shape: str,
    donors: list[tuple[Donor, Decimal | None]],
    students: list[Student],
    amount: Decimal = Decimal("500.00"),
    actor: Any = None,
) -> Pairing:
    actor = actor or make_user(role=Role.TOWNSHIP_STAFF, township=township)
    year = term.school_year
    return pairing_create(
        actor=actor,
        township=township,
        shape=shape,
        from_year=year,
        to_year=year,
        amount=amount,
        donors=donors,
        students=students,
    )
