"""The bank's return workbook: paid and failed entries, bad rows with row numbers, nothing half-done."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from aidsite.models import AccessLog, Role
from subsidies.models import (
    BankResult,
    DisbursementBatch,
    EntitlementStatus,
    LedgerAction,
    LedgerLog,
    PaymentAccount,
    PaymentStatus,
)
from subsidies.selectors import batches_with_reconciliation
from subsidies.services.bank_import import bank_results_import
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db


def _approved_batch(term, township, count=3):
    approved_entitlements(term=term, township=township, count=count)
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    batch.refresh_from_db()
    return batch, preparer


def _bank_file(rows, header=("序号", "姓名", "银行账号", "身份证号", "金额", "处理结果", "失败原因")) -> io.BytesIO:
    """A return file the way banks send it: a title row, the header on row 2, then data from row 3."""
    wb = Workbook()
    ws = wb.active
    ws.append(["代发工资（资助金）回盘明细"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "回盘.xlsx"
    return buffer


def _row(n, entry, outcome="成功", reason="", amount=None, account=True, id_number=True):
    return (
        n,
        entry.student.name,
        entry.account_number if account else None,
        entry.student.id_number if id_number else None,
        float(amount if amount is not None else entry.amount),
        outcome,
        reason,
    )


def test_it_marks_entries_paid_and_failed_and_entitlements_paid(term, township):
    batch, user = _approved_batch(term, township)
    a, b, c = batch.entries.select_related("student").order_by("pk")
    source = _bank_file([
        _row(1, a), _row(2, b, "失败", "账户已销户", id_number=False), _row(3, c, account=False),
    ])
    result = bank_results_import(batch=batch, source=source, actor=user, file_name="回盘.xlsx")
    assert result.errors == [] and result.written
    assert (result.paid, result.failed) == (2, 1)
    statuses = dict(batch.entries.values_list("pk", "payment_status"))
    assert statuses == {a.pk: PaymentStatus.PAID, b.pk: PaymentStatus.FAILED, c.pk: PaymentStatus.PAID}
    b.refresh_from_db()
    assert b.is_live is False and b.bank_result.reason == "账户已销户"
    a.entitlement.refresh_from_db()
    b.entitlement.refresh_from_db()
    assert a.entitlement.status == EntitlementStatus.PAID
    assert b.entitlement.status == EntitlementStatus.APPROVED
    assert LedgerLog.objects.filter(action=LedgerAction.BANK_RESULT, user=user).count() == 1
    assert AccessLog.objects.filter(action="import", row_count=3).exists()

    row = batches_with_reconciliation(DisbursementBatch.objects.filter(pk=batch.pk)).get()
    assert (row.expected_count, row.paid_count, row.failed_count, row.outstanding_count) == (3, 2, 1, 0)
    assert (row.expected_amount, row.paid_amount, row.failed_amount) == (
        Decimal("1800.00"), Decimal("1200.00"), Decimal("600.00"),
    )


def test_bad_rows_are_reported_with_row_numbers_and_change_nothing(term, township):
    batch, user = _approved_batch(term, township)
    a, b, c = batch.entries.select_related("student").order_by("pk")
    source = _bank_file([
        _row(1, a),
        _row(2, b, amount=Decimal("500")),
        _row(3, c, outcome="待定"),
        (4, "无名", "6200000000000000", None, 600, "成功", ""),
        _row(5, a),
    ])
    result = bank_results_import(batch=batch, source=source, actor=user)
    messages = [str(e) for e in result.errors]
    assert not result.written
    assert any(m.startswith("第 4 行，金额") and "台账为 600.00 元" in m for m in messages)
    assert any(m.startswith("第 5 行，结果") for m in messages)
    assert any(m.startswith("第 6 行，账号") for m in messages)
    assert any(m.startswith("第 7 行") and "第 3 行" in m for m in messages)
    assert not BankResult.objects.exists()
    assert set(batch.entries.values_list("payment_status", flat=True)) == {PaymentStatus.PENDING}


def test_the_same_file_twice_changes_nothing(term, township):
    batch, user = _approved_batch(term, township, count=2)
    a, b = batch.entries.select_related("student").order_by("pk")
    rows = [_row(1, a), _row(2, b, "失败", "户名不符")]
    bank_results_import(batch=batch, source=_bank_file(rows), actor=user)
    again = bank_results_import(batch=batch, source=_bank_file(rows), actor=user)
    assert again.errors == [] and again.unchanged == 2 and (again.paid, again.failed) == (0, 0)
    assert BankResult.objects.count() == 2


def test_a_result_cannot_be_turned_around(term, township):
    batch, user = _approved_batch(term, township, count=1)
    entry = batch.entries.select_related("student").get()
    bank_results_import(batch=batch, source=_bank_file([_row(1, entry, "失败", "卡已冻结")]), actor=user)
    result = bank_results_import(batch=batch, source=_bank_file([_row(1, entry)]), actor=user)
    assert [str(e) for e in result.errors] == ["第 3 行，结果：该学生已登记为“失败”，不能改为“成功”"]


def test_failed_entries_go_into_a_later_batch(term, township):
    batch, user = _approved_batch(term, township, count=2)
    a, b = batch.entries.select_related("student").order_by("pk")
    bank_results_import(batch=batch, source=_bank_file([_row(1, a), _row(2, b, "失败", "卡号错误")]), actor=user)
    later = batch_prepare(township=township, policy=policy_of(term), term=term, actor=user).batch
    assert list(later.entries.values_list("student_id", flat=True)) == [b.student_id]


def test_a_prepared_batch_takes_no_bank_results(term, township):
    approved_entitlements(term=term, township=township, count=1)
    preparer, _ = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    entry = batch.entries.select_related("student").get()
    result = bank_results_import(batch=batch, source=_bank_file([_row(1, entry)]), actor=preparer)
    assert "尚未审核" in str(result.errors[0])


def test_a_file_without_account_or_id_column_is_refused(term, township):
    batch, user = _approved_batch(term, township, count=1)
    source = _bank_file([(1, "张三", 600, "成功")], header=("序号", "姓名", "金额", "结果"))
    result = bank_results_import(batch=batch, source=source, actor=user)
    assert "账号" in str(result.errors[0]) and not result.written


def test_a_shared_account_needs_the_id_number(term, township):
    # Siblings often share a guardian's card: then the account alone is ambiguous.
    ents = approved_entitlements(term=term, township=township, count=2, accounts=False)
    for ent in ents:
        PaymentAccount.objects.create(student=ent.student, account_number="6217000011112222")
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    batch.refresh_from_db()
    a, b = batch.entries.select_related("student").order_by("pk")
    result = bank_results_import(batch=batch, source=_bank_file([_row(1, a, id_number=False)]), actor=approver)
    assert [str(e) for e in result.errors] == ["第 3 行，账号：该账号对应本批次多名学生，请在回盘文件中填写身份证号"]
    ok = bank_results_import(batch=batch, source=_bank_file([_row(1, a), _row(2, b)]), actor=approver)
    assert ok.errors == [] and ok.paid == 2


def test_an_auditor_cannot_import_bank_results(term, township):
    batch, _ = _approved_batch(term, township, count=1)
    entry = batch.entries.select_related("student").get()
    with pytest.raises(PermissionDenied):
        bank_results_import(batch=batch, source=_bank_file([_row(1, entry)]), actor=make_user(role=Role.AUDITOR))
    assert not BankResult.objects.exists()
