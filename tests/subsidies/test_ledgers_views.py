"""The ledger workflow in the browser: prepare, four-eyes approval, reverse, bank upload, reports; auditors read only."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from aidsite.models import AccessLog, ExportJob, Role
from subsidies.models import BatchStatus, DisbursementBatch, PaymentAccount, Reversal
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _approved(term, township, count=2):
    approved_entitlements(term=term, township=township, count=count)
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    return batch, preparer, approver


def test_one_staff_member_prepares_and_another_approves(client, term, township):
    approved_entitlements(term=term, township=township, count=3)
    preparer, approver = two_staff(township)
    c = _client(client, preparer)
    response = c.post(
        reverse("ledgers:prepare"),
        {"term": term.pk, "policy": policy_of(term).pk, "township": township.pk, "default_method": "bank_card"},
    )
    batch = DisbursementBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("ledgers:batch", args=[batch.pk])

    page = c.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    assert "须由另一位工作人员审核" in page and "审核通过并锁定" not in page
    refused = c.post(reverse("ledgers:approve", args=[batch.pk]), follow=True).content.decode()
    assert "不能审核自己编制的批次" in refused
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREPARED

    c.force_login(approver)
    assert "审核通过并锁定" in c.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    c.post(reverse("ledgers:approve", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == approver


def test_reverse_with_a_reason_through_the_page(client, term, township):
    batch, preparer, _ = _approved(term, township)
    entry = batch.entries.first()
    c = _client(client, preparer)
    empty = c.post(reverse("ledgers:reverse", args=[entry.pk]), {"reason": "  ", "reissue": "on"})
    assert empty.status_code == 200 and not Reversal.objects.exists()
    done = c.post(reverse("ledgers:reverse", args=[entry.pk]), {"reason": "账号错误", "reissue": "on"})
    assert done.status_code == 302 and Reversal.objects.get().reason == "账号错误"
    again = c.post(reverse("ledgers:reverse", args=[entry.pk]), {"reason": "再冲一次"})
    assert "只能冲销一次" in again.content.decode() and Reversal.objects.count() == 1


def _bank_upload(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "金额", "结果", "原因"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "回盘.xlsx"
    return buffer


def test_bank_upload_shows_errors_with_row_numbers_and_then_imports(client, term, township):
    batch, preparer, _ = _approved(term, township)
    a, b = batch.entries.select_related("student").order_by("pk")
    c = _client(client, preparer)
    url = reverse("ledgers:bank_upload", args=[batch.pk])
    bad = c.post(url, {"file": _bank_upload([[a.student.id_number, 600, "成功", ""], [b.student.id_number, 1, "失败", "销户"]])})
    assert bad.status_code == 400
    assert "第 3 行，金额" in bad.content.decode()
    good = c.post(url, {"file": _bank_upload([[a.student.id_number, 600, "成功", ""], [b.student.id_number, 600, "失败", "销户"]])})
    assert good.status_code == 302
    page = c.get(reverse("ledgers:index")).content.decode()
    assert "1 / 600.00" in page  # paid and failed, one each


def test_the_reports_render_for_the_auditor_without_writing_links(client, term, township):
    batch, *_ = _approved(term, township)
    auditor = make_user(role=Role.AUDITOR)
    c = _client(client, auditor)
    year = term.school_year
    village = batch.entries.first().student.household.village
    household = batch.entries.first().student.household
    pages = [
        reverse("ledgers:index"),
        reverse("ledgers:batch", args=[batch.pk]),
        reverse("ledgers:conflicts") + f"?term={term.pk}",
        reverse("ledgers:funds") + f"?school_year={year.pk}",
        reverse("ledgers:funds_village", args=[year.pk, village.pk]),
        reverse("ledgers:funds_household", args=[year.pk, household.pk]),
    ]
    for url in pages:
        response = c.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "冲销</a>" not in text and "审核通过并锁定" not in text
    funds = c.get(pages[3]).content.decode()
    assert village.name in funds and "1,200.00" in funds


def test_an_auditor_gets_403_on_every_write(client, term, township):
    batch, *_ = _approved(term, township)
    entry = batch.entries.first()
    auditor = make_user(role=Role.AUDITOR)
    c = _client(client, auditor)
    posts = [
        (reverse("ledgers:prepare"), {"term": term.pk, "policy": policy_of(term).pk, "township": township.pk}),
        (reverse("ledgers:approve", args=[batch.pk]), {}),
        (reverse("ledgers:discard", args=[batch.pk]), {}),
        (reverse("ledgers:reverse", args=[entry.pk]), {"reason": "x"}),
        (reverse("ledgers:bank_upload", args=[batch.pk]), {"file": _bank_upload([])}),
        (reverse("admin:subsidies_disbursementbatch_change", args=[batch.pk]), {"note": "x"}),
        (reverse("admin:subsidies_disbursementbatch_delete", args=[batch.pk]), {"post": "yes"}),
        (reverse("admin:subsidies_disbursementbatch_add"), {}),
        (reverse("admin:subsidies_ledgerentry_change", args=[entry.pk]), {"amount": "1"}),
        (reverse("admin:subsidies_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}),
        (reverse("admin:subsidies_paymentaccount_add"), {"student": entry.student_id, "account_number": "62170000000"}),
        (reverse("admin:subsidies_reversal_add"), {}),
        (reverse("admin:subsidies_bankresult_add"), {}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 403, url
    assert DisbursementBatch.objects.get().note == ""


def test_approved_batches_resist_admin_edits_by_anyone(client, term, township):
    batch, *_ = _approved(term, township)
    admin_user = make_user(role=Role.COUNTY_ADMIN)
    c = _client(client, admin_user)
    entry = batch.entries.first()
    assert c.post(reverse("admin:subsidies_ledgerentry_change", args=[entry.pk]), {"amount": "1"}).status_code == 403
    assert c.post(reverse("admin:subsidies_disbursementbatch_delete", args=[batch.pk]), {"post": "yes"}).status_code == 403
    assert c.get(reverse("admin:subsidies_ledgerentry_change", args=[entry.pk])).status_code == 200  # view only
    entry.refresh_from_db()
    assert str(entry.amount) == "600.00"


def test_pages_show_accounts_masked_in_lists(client, term, township):
    batch, *_ = _approved(term, township)
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    page = _client(client, user).get(reverse("admin:subsidies_ledgerentry_changelist")).content.decode()
    for account in batch.entries.values_list("account_number", flat=True):
        assert account not in page and account[-4:] in page


def test_other_townships_batches_are_404(client, term, township):
    batch, *_ = _approved(term, township)
    stranger = make_user(role=Role.TOWNSHIP_STAFF, township=make_township())
    c = _client(client, stranger)
    assert c.get(reverse("ledgers:batch", args=[batch.pk])).status_code == 404
    assert c.post(reverse("ledgers:approve", args=[batch.pk])).status_code == 404


def test_a_director_sees_no_ledgers(client, term, township):
    batch, *_ = _approved(term, township)
    director = make_user(role=Role.DIRECTOR, school=batch.entries.first().school)
    assert _client(client, director).get(reverse("ledgers:index")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, term, township):
    batch, *_ = _approved(term, township)
    for url in (reverse("ledgers:index"), reverse("ledgers:batch", args=[batch.pk])):
        assert client.get(url).status_code == 302


def test_the_auditor_exports_the_ledger_through_the_export_centre(client, term, township):
    _approved(term, township, count=2)
    auditor = make_user(role=Role.AUDITOR)
    c = _client(client, auditor)
    centre = c.get(reverse("export_centre")).content.decode()
    assert "发放台账（xlsx）" in centre and "资金到村到户台账（xlsx）" in centre
    response = c.post(reverse("export_start", args=["ledger"]), {"term": term.pk, "township": township.pk})
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=auditor)
    assert job.status == "done" and job.row_count == 2, job.error
    assert job.title == "青山镇2022-2023学年秋季学期学生资助发放台账"
    download = c.get(reverse("export_download", args=[job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["A1"].value == job.title
    assert AccessLog.objects.filter(user=auditor, action="export", row_count=2).exists()
    for kind, data in (("ledger_funds", {"school_year": term.school_year.pk}), ("ledger_conflicts", {"term": term.pk})):
        assert c.post(reverse("export_start", args=[kind]), data).status_code == 302
    assert set(ExportJob.objects.values_list("status", flat=True)) == {"done"}


def test_an_account_is_masked_on_the_payment_account_admin(client, term, township):
    approved_entitlements(term=term, township=township, count=1)
    account = PaymentAccount.objects.get()
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    page = _client(client, user).get(reverse("admin:subsidies_paymentaccount_changelist")).content.decode()
    assert account.account_number not in page
    assert not re.search(r"6217\d{16}", page)


def test_a_batch_lists_masked_ids_until_a_revealer_asks_and_the_reveal_is_logged(client, term, township):
    batch, preparer, _ = _approved(term, township)
    full = [e.student.id_number for e in batch.entries.select_related("student")]
    c = _client(client, preparer)
    page = c.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    assert not any(number in page for number in full)
    assert re.search(r"\d{17}[\dX]", page) is None
    assert "显示完整号码" in page and not AccessLog.objects.exists()

    revealed = c.get(reverse("ledgers:batch", args=[batch.pk]), {"reveal": "1"}).content.decode()
    assert all(number in revealed for number in full)
    log = AccessLog.objects.get()
    assert log.user == preparer and log.row_count == len(full)


def test_the_conflict_report_masks_ids_until_a_revealer_asks_and_logs_the_reveal(client, term, township):
    from subsidies.services.ledgers import entry_reverse

    batch, preparer, approver = _approved(term, township, count=2)
    first = batch.entries.select_related("student").order_by("pk").first()
    entry_reverse(entry=first, actor=preparer, reason="账号错误")
    later = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=later, actor=approver)
    c = _client(client, approver)
    url = reverse("ledgers:conflicts")
    page = c.get(url, {"term": term.pk}).content.decode()
    assert first.student.name in page and first.student.id_number not in page
    assert re.search(r"\d{17}[\dX]", page) is None and "显示完整号码" in page
    assert not AccessLog.objects.filter(action="reveal").exists()
    revealed = c.get(url, {"term": term.pk, "reveal": "1"}).content.decode()
    assert first.student.id_number in revealed
    assert AccessLog.objects.get(action="reveal").user == approver
