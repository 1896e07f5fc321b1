"""社会资助 money through the ledger: received and paid out in batches, four-eyes, frozen, reversed;
and in the 到村到户 funds apart from government aid."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from openpyxl import load_workbook

from aidsite.models import Role
from subsidies.exports.funds import funds_export
from subsidies.models import BatchKind, LedgerEntry, LedgerLocked, PairingShape
from subsidies.selectors import funds_by_household, funds_by_village
from subsidies.services.donors import donation_batch_prepare
from subsidies.services.ledgers import LedgerError, batch_approve, batch_prepare, entry_reverse
from tests.factories import make_user
from tests.subsidies.donor_factories import make_donor, make_pairing, paired_students
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db


def _many_to_one(term, township, **kwargs):
    a, b = make_donor(township, "甲公司"), make_donor(township, "乙基金会")
    (student,) = paired_students(term=term, township=township, **kwargs)
    make_pairing(
        term=term,
        township=township,
        shape=PairingShape.MANY_TO_ONE,
        donors=[(a, Decimal("300.00")), (b, Decimal("200.00"))],
        students=[student],
    )
    return a, b, student


def test_money_received_from_each_donor_and_paid_to_the_student_needs_a_second_person(
    term, township
):
    a, b, student = _many_to_one(term, township)
    preparer, approver = two_staff(township)
    received = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_RECEIVED, actor=preparer
    ).batch
    assert received.policy is None and received.total_amount == Decimal("500.00")
    assert sorted((e.donor.name, e.amount) for e in received.entries.all()) == [
        ("乙基金会", Decimal("200.00")),
        ("甲公司", Decimal("300.00")),
    ]
    with pytest.raises(LedgerError, match="不能审核自己编制的批次"):
        batch_approve(batch=received, actor=preparer)
    assert batch_approve(batch=received, actor=approver).changed

    paid = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_PAID, actor=preparer
    ).batch
    (entry,) = paid.entries.all()
    assert (entry.student, entry.donor, entry.amount, entry.method) == (
        student,
        None,
        Decimal("500.00"),
        "bank_card",
    )
    assert str(paid).endswith("社会资助发放 第1批")
    batch_approve(batch=paid, actor=approver)
    with pytest.raises(LedgerError, match="没有待发放"):
        donation_batch_prepare(
            township=township, term=term, kind=BatchKind.DONATION_PAID, actor=preparer
        )


def test_the_database_refuses_an_approver_who_prepared_a_social_batch(term, township):
    _many_to_one(term, township)
    preparer, _ = two_staff(township)
    batch = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_PAID, actor=preparer
    ).batch
    with pytest.raises(IntegrityError), transaction.atomic():
        type(batch).objects.filter(pk=batch.pk).update(approved_by=preparer)


def test_an_approved_social_entry_is_frozen_and_reversed_once_then_paid_again(term, township):
    _many_to_one(term, township)
    preparer, approver = two_staff(township)
    batch = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_PAID, actor=preparer
    ).batch
    batch_approve(batch=batch, actor=approver)
    entry = batch.entries.get()
    entry.amount = Decimal("1.00")
    with pytest.raises(LedgerLocked):
        entry.save()
    if connection.vendor == "postgresql":
        with (
            pytest.raises(Exception, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE subsidies_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    entry_reverse(entry=entry, actor=approver, reason="账号错误")
    with pytest.raises(LedgerError, match="只能冲销一次"):
        entry_reverse(entry=entry, actor=approver, reason="再冲")
    again = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_PAID, actor=preparer
    ).batch
    assert again.sequence == 2 and again.entries.get().amount == Decimal("500.00")
    assert (
        LedgerEntry.objects.filter(is_live=True, pairing__isnull=False, donor__isnull=True).count()
        == 1
    )


def test_a_second_live_payment_to_a_paired_student_is_impossible(term, township):
    _many_to_one(term, township)
    preparer, _ = two_staff(township)
    batch = donation_batch_prepare(
        township=township, term=term, kind=BatchKind.DONATION_PAID, actor=preparer
    ).batch
    entry = batch.entries.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            batch=batch,
            pairing=entry.pairing,
            student=entry.student,
            term=term,
            school=entry.school,
            amount=1,
            method="cash",
        )


def test_donated_money_appears_per_village_and_household_apart_from_government_aid(term, township):
    (ent,) = approved_entitlements(term=term, township=township, count=1, amount=Decimal("600.00"))
    village = ent.student.household.village
    a, b, student = _many_to_one(term, township, village=village)
    preparer, approver = two_staff(township)
    gov = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=gov, actor=approver)
    for kind in (BatchKind.DONATION_RECEIVED, BatchKind.DONATION_PAID):
        batch_approve(
            batch=donation_batch_prepare(
                township=township, term=term, kind=kind, actor=preparer
            ).batch,
            actor=approver,
        )
    auditor = make_user(role=Role.AUDITOR)

    (v,) = funds_by_village(actor=auditor, school_year=term.school_year)
    # The money received from the donors (500) is not aid to a household: only the payments count.
    assert (v.total_amount, v.government_amount, v.donation_amount) == (
        Decimal("1100.00"),
        Decimal("600.00"),
        Decimal("500.00"),
    )
    households = {
        h.head_name: h for h in funds_by_household(actor=auditor, school_year=term.school_year)
    }
    assert households[student.household.head_name].donation_amount == Decimal("500.00")
    assert households[student.household.head_name].government_amount == Decimal("0.00")
    assert households[ent.student.household.head_name].donation_amount == Decimal("0.00")

    buffer = io.BytesIO()
    result = funds_export(actor=auditor, school_year=term.school_year, target=buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue())).active
    header = [c.value for c in ws[3]]
    assert "政府资助（元）" in header and "社会资助（元）" in header
    assert result.totals["社会资助（元）"] == Decimal("500.00")
    assert result.totals["政府资助（元）"] == Decimal("600.00")
    assert result.totals["发放金额（元）"] == Decimal("1100.00")
