"""Disbursement batches: prepare, four-eyes approval, immutability, reversal, one live payment."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from aidsite.models import Role
from subsidies import selectors
from subsidies.models import (
    BatchStatus,
    DisbursementBatch,
    EntitlementStatus,
    LedgerAction,
    LedgerEntry,
    LedgerLocked,
    LedgerLog,
    PaymentMethod,
    Reversal,
)
from subsidies.services import ledgers
from subsidies.services.ledgers import LedgerError, batch_approve, batch_prepare, entry_reverse
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.postgres


def _prepared(term, township, count=3, **kwargs):
    approved_entitlements(term=term, township=township, count=count, **kwargs)
    preparer, approver = two_staff(township)
    result = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    return result.batch, preparer, approver


def _approved(term, township, count=3, **kwargs):
    batch, preparer, approver = _prepared(term, township, count, **kwargs)
    batch_approve(batch=batch, actor=approver)
    batch.refresh_from_db()
    return batch, preparer, approver


def test_prepare_puts_each_approved_entitlement_in_the_batch_once(term, township):
    approved_entitlements(term=term, township=township, count=4)
    preparer, _ = two_staff(township)
    result = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert result.batch.entries.count() == 4
    assert result.batch.total_amount == Decimal("2400.00")
    assert result.batch.status == BatchStatus.PREPARED
    with pytest.raises(LedgerError):
        batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert LedgerLog.objects.filter(action=LedgerAction.PREPARE, user=preparer).count() == 1


def test_bank_card_without_account_is_left_out_and_reported(term, township):
    approved_entitlements(term=term, township=township, count=2, accounts=False)
    approved_entitlements(term=term, township=township, count=1)
    preparer, _ = two_staff(township)
    result = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert result.batch.entries.count() == 1
    assert [reason for _, reason in result.skipped] == ["未登记一卡通账号"] * 2


def test_cash_default_pays_students_without_an_account(term, township):
    approved_entitlements(term=term, township=township, count=2, accounts=False)
    preparer, _ = two_staff(township)
    result = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer, default_method=PaymentMethod.CASH
    )
    assert set(result.batch.entries.values_list("method", flat=True)) == {PaymentMethod.CASH}


def test_the_preparer_cannot_approve(term, township):
    batch, preparer, _ = _prepared(term, township)
    with pytest.raises(LedgerError, match="编制人"):
        batch_approve(batch=batch, actor=preparer)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED


def test_the_database_refuses_an_approval_by_the_preparer(term, township):
    batch, preparer, _ = _prepared(term, township)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementBatch.objects.filter(pk=batch.pk).update(approved_by=preparer)


def test_approval_freezes_count_and_total_and_locks_entries(term, township):
    batch, _, approver = _approved(term, township, count=3)
    assert batch.status == BatchStatus.APPROVED
    assert batch.approved_by == approver
    assert (batch.entry_count, batch.total_amount) == (3, Decimal("1800.00"))
    assert set(batch.entries.values_list("locked", flat=True)) == {True}
    log = LedgerLog.objects.get(action=LedgerAction.APPROVE)
    assert log.user == approver and log.batch_id_ref == batch.pk
    assert batch.history.filter(status=BatchStatus.APPROVED, history_user=approver).exists()
    assert LedgerEntry.history.filter(locked=True, history_user=approver).count() == 3


def test_a_repeated_approval_changes_nothing(term, township):
    batch, _, approver = _approved(term, township)
    other = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    stamp = batch.approved_at
    result = batch_approve(batch=batch, actor=other)
    batch.refresh_from_db()
    assert result.changed is False
    assert (batch.approved_by, batch.approved_at) == (approver, stamp)
    assert LedgerLog.objects.filter(action=LedgerAction.APPROVE).count() == 1


def test_a_failure_halfway_leaves_nothing_approved(term, township, monkeypatch):
    batch, _, approver = _prepared(term, township)

    def broken_log(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledgers, "_log", broken_log)
    with pytest.raises(RuntimeError):
        batch_approve(batch=batch, actor=approver)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED and batch.approved_by is None
    assert not batch.entries.filter(locked=True).exists()


def test_approved_batch_resists_save_delete_and_update(term, township):
    batch, *_ = _approved(term, township)
    batch.note = "改一下"
    with pytest.raises(LedgerLocked):
        batch.save()
    with pytest.raises(LedgerLocked):
        batch.delete()
    with pytest.raises(LedgerLocked):
        DisbursementBatch.objects.filter(pk=batch.pk).update(note="改一下")
    with pytest.raises(LedgerLocked):
        DisbursementBatch.objects.filter(pk=batch.pk).delete()
    batch.refresh_from_db()
    assert batch.note == ""


def test_approved_entries_resist_save_delete_and_update(term, township):
    batch, *_ = _approved(term, township)
    entry = batch.entries.first()
    entry.amount = Decimal("9999.00")
    with pytest.raises(LedgerLocked):
        entry.save()
    with pytest.raises(LedgerLocked):
        entry.delete()
    with pytest.raises(LedgerLocked):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(LedgerLocked):
        LedgerEntry.objects.filter(batch=batch).delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("600.00")


@postgres_only
def test_on_postgresql_a_trigger_blocks_raw_updates_of_approved_rows(term, township):
    batch, *_ = _approved(term, township)
    entry = batch.entries.first()
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE subsidies_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM subsidies_ledgerentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE subsidies_disbursementbatch SET note = 'x' WHERE id = %s", [batch.pk])
    # The bank outcome may still be recorded on a locked entry.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE subsidies_ledgerentry SET payment_status = 'paid' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.amount == Decimal("600.00") and entry.payment_status == "paid"


def test_a_reversed_entry_never_comes_back_to_life(term, township):
    batch, preparer, _ = _approved(term, township, count=1)
    entry = batch.entries.get()
    entry_reverse(entry=entry, actor=preparer, reason="重复")
    entry.refresh_from_db()
    entry.is_live = True
    with pytest.raises(LedgerLocked):
        entry.save(update_fields=["is_live"])
    with pytest.raises(LedgerLocked):
        LedgerEntry.objects.filter(pk=entry.pk).update(is_live=True)


def test_a_prepared_batch_can_be_discarded_and_prepared_again(term, township):
    batch, preparer, _ = _prepared(term, township, count=2)
    ledgers.batch_discard(batch=batch, actor=preparer)
    assert not DisbursementBatch.objects.exists() and not LedgerEntry.objects.exists()
    again = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert again.batch.entries.count() == 2


def test_an_approved_batch_cannot_be_discarded(term, township):
    batch, preparer, _ = _approved(term, township)
    with pytest.raises(LedgerError):
        ledgers.batch_discard(batch=batch, actor=preparer)


def test_an_entry_is_reversed_once_with_a_reason_and_paid_again_in_a_later_batch(term, township):
    batch, preparer, approver = _approved(term, township, count=2)
    entry = batch.entries.first()
    with pytest.raises(LedgerError, match="原因"):
        entry_reverse(entry=entry, actor=preparer, reason="  ")
    reversal = entry_reverse(entry=entry, actor=preparer, reason="账号有误")
    assert reversal.amount == entry.amount and reversal.reversed_by == preparer
    with pytest.raises(LedgerError, match="只能冲销一次"):
        entry_reverse(entry=entry, actor=preparer, reason="再来一次")
    assert Reversal.objects.count() == 1
    entry.refresh_from_db()
    assert entry.is_live is False and entry.amount == Decimal("600.00")

    later = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    assert later.sequence == 2
    assert list(later.entries.values_list("student_id", flat=True)) == [entry.student_id]
    assert LedgerLog.objects.filter(action=LedgerAction.REVERSE, entry_id_ref=entry.pk).exists()


def test_the_database_refuses_a_second_reversal(term, township):
    batch, preparer, _ = _approved(term, township, count=1)
    entry = batch.entries.get()
    entry_reverse(entry=entry, actor=preparer, reason="重复")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reversal.objects.create(entry=entry, amount=entry.amount, reason="again", reversed_by=preparer)


def test_a_reversal_without_reissue_ends_the_entitlement(term, township):
    batch, preparer, _ = _approved(term, township, count=1)
    entry_reverse(entry=batch.entries.get(), actor=preparer, reason="学生已转学，不再发放", reissue=False)
    with pytest.raises(LedgerError):
        batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)


def test_a_second_live_payment_for_the_same_student_policy_and_term_is_refused(term, township):
    batch, *_ = _approved(term, township, count=1)
    entry = batch.entries.get()
    other = DisbursementBatch.objects.create(
        township=township, policy=entry.policy, term=term, sequence=9, prepared_by=batch.prepared_by,
        prepared_at=batch.prepared_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            batch=other, entitlement=entry.entitlement, student=entry.student, policy=entry.policy, term=term,
            school=entry.school, amount=entry.amount, method=PaymentMethod.CASH,
        )


def test_an_auditor_cannot_prepare_approve_or_reverse(term, township):
    batch, preparer, _ = _approved(term, township, count=1)
    auditor = make_user(role=Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        batch_prepare(township=township, policy=policy_of(term), term=term, actor=auditor)
    with pytest.raises(PermissionDenied):
        entry_reverse(entry=batch.entries.get(), actor=auditor, reason="x")


def test_staff_of_another_township_cannot_approve(term, township):
    from tests.factories import make_township

    batch, *_ = _prepared(term, township)
    stranger = make_user(role=Role.TOWNSHIP_STAFF, township=make_township())
    with pytest.raises(PermissionDenied):
        batch_approve(batch=batch, actor=stranger)


def test_paid_entitlements_go_back_to_approved_when_their_entry_is_reversed(term, township):
    batch, preparer, _ = _approved(term, township, count=1)
    entry = batch.entries.get()
    ent = entry.entitlement
    ent.status = EntitlementStatus.PAID
    ent.save(update_fields=["status"])
    entry_reverse(entry=entry, actor=preparer, reason="冒领，已追回")
    ent.refresh_from_db()
    assert ent.status == EntitlementStatus.APPROVED


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_two_concurrent_approvals_give_one_approval(term, township):
    batch, _, approver = _prepared(term, township, count=5)
    second = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def approve(user):
        from django.db import connections

        try:
            barrier.wait()
            outcomes.append(batch_approve(batch=batch, actor=user).changed)
        except Exception as exc:  # noqa: BLE001 - reported through the assertion below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (approver, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [False, True]
    assert LedgerLog.objects.filter(action=LedgerAction.APPROVE).count() == 1
    assert LedgerEntry.history.filter(locked=True).count() == 5


def test_the_conflict_report_lists_students_in_two_batches_or_two_schools(term, township):
    from tests.factories import make_enrollment, make_school

    batch, preparer, approver = _approved(term, township, count=3)
    first, second, third = batch.entries.select_related("student").order_by("pk")
    entry_reverse(entry=first, actor=preparer, reason="账号错误")
    later = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=later, actor=approver)
    # The second child is also on another school's roll this year.
    make_enrollment(student=second.student, school=make_school(township=township, stages="kindergarten"),
                    school_year=term.school_year)

    rows = {row.student_id: row for row in selectors.ledger_conflicts(actor=approver, term=term)}
    assert set(rows) == {first.student_id, second.student_id}
    assert rows[first.student_id].kinds == ["多个批次"] and len(rows[first.student_id].entries) == 2
    assert rows[second.student_id].kinds == ["多所学校"]
