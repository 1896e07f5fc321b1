"""The auditors' ledger workbook, read back with openpyxl; the command; constant queries."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aidsite.models import AccessLog, Role
from students.models import Student
from subsidies.exports.conflicts import conflicts_export
from subsidies.exports.funds import funds_export
from subsidies.exports.ledger import ledger_export
from subsidies.selectors import LedgerFilter
from subsidies.services.ledgers import batch_approve, batch_prepare, entry_reverse
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db


def _ledger(term, township, count=3, **kwargs):
    approved_entitlements(term=term, township=township, count=count, **kwargs)
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    batch.refresh_from_db()
    return batch, preparer


def _export(user, term, township=None, **kwargs):
    buffer = io.BytesIO()
    result = ledger_export(
        actor=user, selection=LedgerFilter(term=term, township=township, **kwargs), target=buffer
    )
    buffer.seek(0)
    return result, load_workbook(buffer).active


def _find_row(ws, first_cell):
    for row in ws.iter_rows():
        if row[0].value == first_cell:
            return row
    raise AssertionError(f"no row starting with {first_cell}")


def test_the_ledger_workbook_reads_like_the_county_forms(term, township):
    batch, _ = _ledger(term, township, count=3, amount=Decimal("1234.50"), names=["=1+2", "@SUM(A1)", "王小明"])
    auditor = make_user(role=Role.AUDITOR)
    result, ws = _export(auditor, term, township, policy=policy_of(term))

    assert ws["A1"].value == "青山镇2022-2023学年秋季学期学前教育政府助学金发放台账"
    assert "A1:O1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：青山镇教育办公室"
    header = [c.value for c in ws[3]]
    assert header[6] == "公民身份号码" and header[12] == "发放金额（元）"
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text

    data = [row for row in ws.iter_rows(min_row=4, max_row=6)]
    ids = set(Student.objects.values_list("id_number", flat=True))
    for row in data:
        id_cell, amount_cell = row[6], row[12]
        assert id_cell.data_type == "s" and id_cell.value in ids
        assert isinstance(amount_cell.value, float) and amount_cell.value == 1234.5
        assert amount_cell.number_format == "#,##0.00"
        assert row[11].data_type == "s" and re.fullmatch(r"6217\d{16}", row[11].value)
    names = {row[4].value for row in data}
    assert names == {"'=1+2", "'@SUM(A1)", "王小明"}
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)

    total = _find_row(ws, "合计")
    assert total[1].value == "共 3 笔"
    assert total[12].value == pytest.approx(3703.5)
    words = _find_row(ws, "合计金额（大写）：叁仟柒佰零叁元伍角")
    assert words
    signature = [c.value for c in ws[ws.max_row] if c.value]
    assert signature == ["制表人：", "审核人：", "负责人：", "日期："]

    assert result.rows == 3 and result.totals == {"发放金额（元）": Decimal("3703.50")}
    log = AccessLog.objects.get(action="export", user=auditor)
    assert log.row_count == 3 and "发放台账" in log.what


def test_reversed_entries_keep_their_line_without_an_amount(term, township):
    batch, preparer = _ledger(term, township, count=2)
    entry = batch.entries.order_by("pk").first()
    entry_reverse(entry=entry, actor=preparer, reason="=HYPERLINK(\"http://x\")", reissue=False)
    _, ws = _export(make_user(role=Role.AUDITOR), term, township)
    rows = [r for r in ws.iter_rows(min_row=4, max_row=5)]
    reversed_row = next(r for r in rows if r[13].value == "已冲销")
    assert reversed_row[12].value is None
    assert "已冲销" in reversed_row[14].value and reversed_row[14].data_type == "s"
    assert _find_row(ws, "合计")[12].value == 600.0


def test_ids_and_accounts_are_masked_for_users_who_may_not_see_them(term, township):
    _ledger(term, township, count=2)
    user = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    user.groups.clear()
    user.user_permissions.add(
        Permission.objects.get(codename="export_disbursementbatch"),
    )
    user = type(user).objects.get(pk=user.pk)
    buffer = io.BytesIO()
    ledger_export(actor=user, selection=LedgerFilter(term=term, township=township), target=buffer)
    text = " ".join(str(c.value) for row in load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows() for c in row)
    assert not re.search(r"\d{17}[\dX]", text)
    assert "**********" in text


def test_only_the_users_township_is_exported(term, township):
    from tests.factories import make_township

    _ledger(term, township, count=2)
    other = make_township("白云镇")
    _ledger(term, other, count=3)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=other)
    result, _ = _export(staff, term)
    assert result.rows == 3


def test_a_director_may_not_export_the_ledger(term, township):
    from django.core.exceptions import PermissionDenied

    batch, _ = _ledger(term, township, count=1)
    director = make_user(role=Role.DIRECTOR, school=batch.entries.get().school)
    with pytest.raises(PermissionDenied):
        _export(director, term)


def _count_queries(user, term):
    user = type(user).objects.get(pk=user.pk)  # no permission or scope cache from an earlier call
    with CaptureQueriesContext(connection) as ctx:
        ledger_export(actor=user, selection=LedgerFilter(term=term), target=io.BytesIO())
    return len(ctx.captured_queries)


def test_export_queries_do_not_grow_with_the_rows(term, township):
    from tests.factories import make_township

    auditor = make_user(role=Role.AUDITOR)
    _ledger(term, township, count=10)
    small = _count_queries(auditor, term)
    _ledger(term, make_township("大河镇"), count=490)
    large = _count_queries(auditor, term)
    assert small == large
    assert large <= 6


def test_the_command_writes_the_ledger(term, township, tmp_path):
    _ledger(term, township, count=2)
    output = tmp_path / "台账.xlsx"
    out = io.StringIO()
    call_command(
        "export_ledger", "--year", "2022-2023", "--term", "autumn", "--output", str(output),
        "--township", "青山镇", "--policy", "PRE-GRANT", stdout=out,
    )
    assert "已导出 2 笔" in out.getvalue()
    ws = load_workbook(output).active
    assert ws["A1"].value == "青山镇2022-2023学年秋季学期学前教育政府助学金发放台账"
    assert AccessLog.objects.filter(action="export", user=None, row_count=2).exists()


def test_the_command_by_school(term, township, tmp_path):
    batch, _ = _ledger(term, township, count=2)
    school = batch.entries.first().school
    output = tmp_path / "school.xlsx"
    call_command(
        "export_ledger", "--year", "2022-2023", "--term", "autumn", "--output", str(output),
        "--school", school.name, stdout=io.StringIO(),
    )
    assert load_workbook(output).active["A1"].value.startswith(f"{school.name}2022-2023学年秋季学期")


def test_funds_and_conflict_workbooks(term, township):
    batch, _ = _ledger(term, township, count=2)
    auditor = make_user(role=Role.AUDITOR)
    buffer = io.BytesIO()
    result = funds_export(actor=auditor, school_year=term.school_year, target=buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert ws["A1"].value == "全县2022-2023学年教育资助资金到村到户台账"
    assert result.rows == 2 and result.totals["发放金额（元）"] == Decimal("1200.00")
    buffer = io.BytesIO()
    result = conflicts_export(actor=auditor, target=buffer, term=term)
    assert result.rows == 0
