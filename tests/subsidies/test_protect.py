"""SECURITY C5: nothing a ledger points at can be deleted out from under it."""

from __future__ import annotations

import pytest
from django.db import models
from django.db.models import ProtectedError

from students.models import Household, School, Student
from subsidies.models import BankResult, DisbursementBatch, Entitlement, LedgerEntry, Reversal
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db

LEDGER_MODELS = (DisbursementBatch, LedgerEntry, Reversal, BankResult, Entitlement)


def test_every_key_of_a_ledger_model_protects_what_it_points_at():
    keys = [
        (model.__name__, field.name, field.remote_field.on_delete)
        for model in LEDGER_MODELS
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and field.concrete
    ]
    assert len(keys) >= 15  # the walk really found the keys
    assert [k for k in keys if k[2] is not models.PROTECT] == []


def test_a_paid_student_their_household_and_school_cannot_be_deleted(term, township):
    entitlements = approved_entitlements(term=term, township=township, count=1)
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    student = entitlements[0].student
    school = LedgerEntry.objects.get(student=student).school
    for obj in (student, Household.objects.get(students=student), School.objects.get(pk=school.pk)):
        with pytest.raises(ProtectedError):
            obj.delete()
    assert Student.objects.filter(pk=student.pk).exists()
    assert LedgerEntry.objects.filter(student=student).count() == 1
