"""The funding quotas' pages: the report (/aid/funds/), the batch page's confirmation with a
reason, the allotment admin, and the workbook opened back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aidsite.models import AccessLog, Role
from students.models import Season, Term
from subsidies.exports.fund_report import funds_report_export
from subsidies.models import BatchStatus, DisbursementBatch, FundAllotment, LedgerAction, LedgerLog
from tests.factories import make_school, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff
from tests.subsidies.test_funds import allot

pytestmark = pytest.mark.django_db

D = Decimal


def _county(term):
    ours, theirs = make_township("青山镇"), make_township("白水镇")
    school = make_school(township=ours, stages="kindergarten", name="青山镇中心幼儿园")
    allot(term, amount="3000.00", township=ours)
    allot(term, amount="500.00", school=school)
    allot(term, amount="900.00", township=theirs)
    approved_entitlements(term=term, township=ours, count=2, school=school)  # 1200.00
    approved_entitlements(term=term, township=theirs, count=2)  # 1200.00: 300.00 over
    return ours, theirs, school


def test_the_report_shows_each_level_by_policy_name(client, term):
    ours, theirs, school = _county(term)
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    response = client.get(reverse("aid:funds"))
    page = response.content.decode()
    assert response.status_code == 200
    # Opened without a choice: the latest term with an approved list, never an empty page.
    assert "全县2022-2023学年秋季学期学生资助资金指标执行情况表" in page
    assert policy_of(term).name in page
    assert ">PRE-GRANT<" not in page
    assert "青山镇中心幼儿园" in page and "白水镇" in page
    assert "2,300.00" in page  # 青山镇: 3500.00 − 1200.00
    assert "-300.00" in page and "超出指标" in page  # 白水镇
    assert "尚未录入资金指标" not in page


def test_the_report_says_when_no_allotment_is_entered(client, term, township):
    approved_entitlements(term=term, township=township, count=1)
    client.force_login(make_user(role=Role.AUDITOR))
    page = client.get(reverse("aid:funds"), {"term": term.pk}).content.decode()
    assert "本学期尚未录入资金指标" in page and "未录入" in page
    assert "录入资金指标</a>" not in page  # auditors read only


def test_township_staff_see_their_township_and_directors_are_refused(client, term):
    ours, theirs, school = _county(term)
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=ours))
    page = client.get(reverse("aid:funds"), {"term": term.pk}).content.decode()
    assert "青山镇" in page and "白水镇" not in page
    client.force_login(make_user(role=Role.DIRECTOR, school=school))
    assert client.get(reverse("aid:funds")).status_code == 403


def test_the_batch_page_asks_the_approver_for_a_reason_when_over(client, term):
    ours, theirs, school = _county(term)
    preparer, approver = two_staff(theirs)
    client.force_login(preparer)
    response = client.post(
        reverse("ledgers:prepare"),
        {
            "term": term.pk,
            "policy": policy_of(term).pk,
            "township": theirs.pk,
            "default_method": "bank_card",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "超出资金指标结余（可用 900.00 元） 300.00 元" in page
    batch = LedgerLog.objects.get(action=LedgerAction.PREPARE).batch_id_ref

    client.force_login(approver)
    page = client.get(reverse("ledgers:batch", args=[batch])).content.decode()
    assert 'name="over_reason"' in page and "可用于本批次" in page
    refused = client.post(reverse("ledgers:approve", args=[batch]), follow=True).content.decode()
    assert "请确认并填写超指标审核理由" in refused
    nul = client.post(
        reverse("ledgers:approve", args=[batch]), {"over_reason": "追加\x07"}, follow=True
    )
    assert nul.status_code == 200
    assert LedgerLog.objects.filter(action=LedgerAction.APPROVE).count() == 0
    client.post(reverse("ledgers:approve", args=[batch]), {"over_reason": "追加指标已报县财政局"})
    assert (
        LedgerLog.objects.get(action=LedgerAction.APPROVE).detail["over_reason"]
        == "追加指标已报县财政局"
    )
    assert LedgerLog.objects.get(action=LedgerAction.APPROVE).batch_id_ref == batch
    assert DisbursementBatch.objects.get(pk=batch).status == BatchStatus.APPROVED


def test_the_prepare_page_shows_the_remaining_funds_of_its_selection(client, term):
    ours, theirs, school = _county(term)
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=ours))
    page = client.get(
        reverse("ledgers:prepare"),
        {"term": term.pk, "policy": policy_of(term).pk, "township": ours.pk},
    ).content.decode()
    assert 'id="batch-funds"' in page and "2,300.00" in page and "funds-over" not in page


def test_the_county_enters_an_allotment_in_the_admin_and_others_only_read(client, term, township):
    county = make_user(role=Role.COUNTY_ADMIN)
    client.force_login(county)
    data = {
        "term": term.pk, "policy": policy_of(term).pk, "township": township.pk, "school": "", "amount": "8000.00",
        "document_number": "县财教〔2022〕12号", "issued_on": "2022-09-05", "carried_from": "", "note": "",
    }  # fmt: skip
    response = client.post(reverse("admin:subsidies_fundallotment_add"), data)
    assert response.status_code == 302
    allotment = FundAllotment.objects.get()
    assert (allotment.amount, allotment.entered_by) == (D("8000.00"), county)
    both = client.post(
        reverse("admin:subsidies_fundallotment_add"),
        {**data, "school": make_school(township=township, stages="kindergarten").pk},
    )
    assert "二者选一" in both.content.decode()

    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(staff)
    assert client.get(reverse("admin:subsidies_fundallotment_changelist")).status_code == 200
    assert client.post(reverse("admin:subsidies_fundallotment_add"), data).status_code == 403
    client.force_login(make_user(role=Role.AUDITOR))
    change = reverse("admin:subsidies_fundallotment_change", args=[allotment.pk])
    assert client.post(change, {**data, "amount": "1.00"}).status_code == 403
    assert FundAllotment.objects.get().amount == D("8000.00")


def test_a_carry_over_takes_no_more_than_its_source_has_left(client, term, township):
    spring = Term.objects.get(school_year=term.school_year, season=Season.SPRING)
    autumn = allot(term, amount="1000.00", township=township)
    approved_entitlements(term=term, township=township, count=1)  # 600.00 committed: 400.00 left
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    data = {
        "term": spring.pk, "policy": policy_of(spring).pk, "township": township.pk, "school": "",
        "amount": "400.01", "document_number": "县财教〔2023〕3号", "issued_on": "2023-03-01",
        "carried_from": autumn.pk, "note": "上学期结余结转",
    }  # fmt: skip
    refused = client.post(reverse("admin:subsidies_fundallotment_add"), data).content.decode()
    assert "结转金额超过原指标的结余（400.00 元）" in refused
    assert (
        client.post(
            reverse("admin:subsidies_fundallotment_add"), {**data, "amount": "400.00"}
        ).status_code
        == 302
    )
    backwards = {
        **data,
        "term": term.pk,
        "policy": policy_of(term).pk,
        "carried_from": autumn.pk,
        "amount": "1.00",
    }
    assert (
        "只能结转以前学期的指标"
        in client.post(reverse("admin:subsidies_fundallotment_add"), backwards).content.decode()
    )


def test_the_workbook_opens_back_with_both_levels_and_true_totals(term):
    ours, theirs, school = _county(term)
    auditor = make_user(role=Role.AUDITOR)
    out = io.BytesIO()
    result = funds_report_export(actor=auditor, term=term, target=out)
    assert result.rows == 2
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["按乡镇", "按学校"]
    values = [[c.value for c in row] for row in book["按乡镇"].iter_rows()]
    assert values[0][0] == "全县2022-2023学年秋季学期学生资助资金指标执行情况表"
    header = next(i for i, row in enumerate(values) if row[0] == "序号")
    assert values[header][:4] == ["序号", "资助项目", "乡镇", "其中专项到校（元）"]
    rows = {row[2]: row for row in values[header + 1 : header + 3]}
    name = policy_of(term).name
    assert rows["青山镇"][1] == name
    assert [rows["青山镇"][i] for i in (3, 4, 6, 7, 10)] == [500, 3500, 1200, 0, 2300]
    assert rows["白水镇"][10] == -300
    totals = values[header + 3]
    assert totals[4] == 4400 and totals[10] == 2000
    schools = [[c.value for c in row] for row in book["按学校"].iter_rows()]
    school_row = next(row for row in schools if row[3] == "青山镇中心幼儿园")
    assert school_row[4] == 500 and school_row[-1] == -700
    assert AccessLog.objects.filter(user=auditor, what__contains="资金指标执行情况表").count() == 1


def test_the_export_centre_writes_the_report_for_a_township_officer(client, term):
    from aidsite.models import ExportJob

    ours, theirs, school = _county(term)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=ours)
    client.force_login(staff)
    assert "资金指标执行情况表（xlsx）" in client.get(reverse("export_centre")).content.decode()
    response = client.post(reverse("export_start", args=["funds_report"]), {"term": term.pk})
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=staff)
    assert job.status == "done" and job.row_count == 1, job.error
    assert job.title == "青山镇2022-2023学年秋季学期学生资助资金指标执行情况表"
    download = client.get(reverse("export_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)))["按乡镇"]
    names = {row[2] for row in sheet.iter_rows(values_only=True)}
    assert "青山镇" in names and "白水镇" not in names
