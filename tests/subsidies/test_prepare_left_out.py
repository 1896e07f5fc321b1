"""编制发放批次 with 一卡通 when some students have no account: the others are paid, the rest
are listed (name, masked ID, school) with where accounts are entered; cash reads 待签领, not 待回盘."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aidsite.models import Role
from subsidies.exports.ledger import ledger_export
from subsidies.models import DisbursementBatch, PaymentMethod, PaymentStatus, payment_status_label
from subsidies.selectors import LedgerFilter
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")


def _left_out_section(page: str) -> str:
    start = page.index('id="left-out"')
    return page[start : page.index("</table>", start)]


def _prepare(client, term, township, method="bank_card"):
    return client.post(
        reverse("ledgers:prepare"),
        {
            "term": term.pk,
            "policy": policy_of(term).pk,
            "township": township.pk,
            "default_method": method,
        },
        follow=True,
    )


def test_the_batch_is_prepared_for_the_others_and_the_left_out_are_listed(client, term, township):
    with_accounts = approved_entitlements(term=term, township=township, count=2)
    without = approved_entitlements(
        term=term, township=township, count=2, accounts=False, names=["张无卡", "李无卡"]
    )
    preparer, _approver = two_staff(township)
    client.force_login(preparer)
    response = _prepare(client, term, township)
    batch = DisbursementBatch.objects.get()
    assert batch.entry_count == len(with_accounts)
    page = response.content.decode()
    assert "2 人未登记一卡通账号，未编入本批次" in page
    listed = _left_out_section(page)
    assert "未编入批次的已审核学生：2 人" in listed
    for ent in without:
        student = ent.student
        assert student.name in listed and ent.enrollment.school.name in listed
        assert (
            f"{reverse('admin:subsidies_paymentaccount_add')}?student={student.pk}&amp;method=bank_card"
            in listed
        )
    assert not any(ent.student.name in listed for ent in with_accounts)
    assert not FULL_ID.search(listed)


def test_when_nobody_has_an_account_nothing_is_prepared_and_everyone_is_listed(
    client, term, township
):
    approved_entitlements(
        term=term, township=township, count=3, accounts=False, names=["甲", "乙", "丙丁"]
    )
    preparer, _approver = two_staff(township)
    client.force_login(preparer)
    page = _prepare(client, term, township).content.decode()
    assert not DisbursementBatch.objects.exists()
    assert "3 人未登记一卡通账号" in page and "未编入批次的已审核学生：3 人" in page
    assert "丙丁" in page and "登记一卡通账号" in page
    assert reverse("admin:subsidies_paymentaccount_changelist") in page
    assert not FULL_ID.search(page)


def test_the_account_link_opens_the_add_form_on_the_student(client, term, township):
    (ent,) = approved_entitlements(term=term, township=township, count=1, accounts=False)
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    form = client.get(
        reverse("admin:subsidies_paymentaccount_add"),
        {"student": ent.student_id, "method": "bank_card"},
    )
    assert form.status_code == 200
    assert form.context["adminform"].form.initial["student"] == str(ent.student_id)


def test_another_townships_students_are_never_listed(client, term, township):
    approved_entitlements(
        term=term, township=make_township("白云镇"), count=1, accounts=False, names=["外镇生"]
    )
    approved_entitlements(term=term, township=township, count=1, accounts=False, names=["本镇生"])
    preparer, _approver = two_staff(township)
    client.force_login(preparer)
    page = _prepare(client, term, township).content.decode()
    assert "本镇生" in page and "外镇生" not in page


def test_cash_entries_read_as_signed_for_never_as_the_banks_file(client, term, township):
    approved_entitlements(term=term, township=township, count=2, accounts=False)
    preparer, approver = two_staff(township)
    batch = batch_prepare(
        township=township,
        policy=policy_of(term),
        term=term,
        actor=preparer,
        default_method=PaymentMethod.CASH,
    ).batch
    batch_approve(batch=batch, actor=approver)
    client.force_login(approver)
    page = client.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    assert "待签领" in page and "待回盘" not in page

    buffer = io.BytesIO()
    ledger_export(
        actor=approver, selection=LedgerFilter(term=term, township=township), target=buffer
    )
    buffer.seek(0)
    cells = {
        cell for row in load_workbook(buffer).active.iter_rows(values_only=True) for cell in row
    }
    assert "待签领" in cells and "待回盘" not in cells


def test_each_method_has_its_own_words():
    assert payment_status_label(PaymentMethod.CASH, PaymentStatus.PENDING) == "待签领"
    assert payment_status_label(PaymentMethod.CASH, PaymentStatus.PAID) == "已签领"
    assert payment_status_label(PaymentMethod.FEE_OFFSET, PaymentStatus.PAID) == "已抵扣"
    assert payment_status_label(PaymentMethod.BANK_CARD, PaymentStatus.PENDING) == "待回盘"
    assert payment_status_label(PaymentMethod.BANK_CARD, PaymentStatus.FAILED) == "发放失败"
