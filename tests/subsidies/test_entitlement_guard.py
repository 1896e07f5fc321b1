"""SECURITY B6: amounts stay within the student's standard and approved lists never change, raw SQL included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from aidsite.models import Role
from students.models import HouseholdCategory as H
from students.models import Stage
from subsidies.models import Entitlement, EntitlementStatus
from subsidies.services.entitlement_review import entitlements_approve
from tests.factories import make_user
from tests.subsidies.townships import compute, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(township):
    return make_user(role=Role.TOWNSHIP_STAFF, township=township)


@pytest.fixture
def meal(term, kids):
    """A proposed 营养餐 entitlement of an orphan at a primary school."""
    child = kids(kids.school(Stage.PRIMARY), orphan=True)
    kids(kids.school(Stage.PRIMARY), categories=(H.OTHER,))
    compute(term)
    return rows(term, "CMP-MEAL")[child.student_id]


def test_computation_stores_the_standard_as_the_bound(meal):
    # Orphans eat at the higher daily rate: 10 yuan a day for half of 365 days.
    assert (meal.status, meal.amount, meal.max_amount) == (
        EntitlementStatus.PROPOSED,
        Decimal("1825.00"),
        Decimal("1825.00"),
    )


def test_a_raw_update_past_the_standard_is_refused(meal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.filter(pk=meal.pk).update(amount=meal.max_amount + Decimal("0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.filter(pk=meal.pk).update(amount=Decimal("99999.00"))
    assert Entitlement.objects.get(pk=meal.pk).amount == meal.amount


def test_a_proposed_amount_may_still_go_down(meal):
    Entitlement.objects.filter(pk=meal.pk).update(amount=Decimal("150.00"))
    meal.refresh_from_db()
    assert meal.amount == Decimal("150.00")


def test_an_approved_entitlement_cannot_be_changed_even_within_the_bound(meal, term, township, staff):
    entitlements_approve(term=term, township=township, actor=staff, policy_code="CMP-MEAL")
    approved = Entitlement.objects.filter(pk=meal.pk)
    for change in ({"amount": Decimal("100.00")}, {"tier": 3}, {"max_amount": Decimal("900.00")},
                   {"status": EntitlementStatus.PROPOSED}, {"approval": None, "status": "proposed"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            approved.update(**change)
    after = Entitlement.objects.get(pk=meal.pk)
    assert (after.status, after.amount, after.max_amount, after.tier) == (
        EntitlementStatus.APPROVED,
        meal.amount,
        meal.max_amount,
        None,
    )


@pytest.mark.postgres
def test_on_postgresql_an_approved_entitlement_cannot_be_deleted(meal, term, township, staff):
    entitlements_approve(term=term, township=township, actor=staff, policy_code="CMP-MEAL")
    with pytest.raises(DatabaseError), transaction.atomic():
        Entitlement.objects.filter(pk=meal.pk).delete()
    assert Entitlement.objects.filter(pk=meal.pk, status=EntitlementStatus.APPROVED).exists()


def test_an_approved_entitlement_may_still_be_paid_and_reverted_to_approved(meal, term, township, staff):
    entitlements_approve(term=term, township=township, actor=staff, policy_code="CMP-MEAL")
    approved = Entitlement.objects.filter(pk=meal.pk)
    approved.update(status=EntitlementStatus.PAID)
    approved.update(status=EntitlementStatus.APPROVED)
    assert approved.get().status == EntitlementStatus.APPROVED


def test_rows_left_out_keep_the_standard_they_would_have_had(term, kids):
    school = kids.school(Stage.PRIMARY)
    child = kids(school, categories=(H.OTHER,))  # qualifies for nothing of CMP-MEAL's
    compute(term)
    nutri = rows(term, "CMP-NUTRI")[child.student_id]
    assert nutri.amount <= nutri.max_amount
    assert nutri.max_amount > 0
