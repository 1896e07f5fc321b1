"""The formal writer keeps dates as dates: real date cells, read back with openpyxl."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from aidsite.lib.excel import write_formal_workbook
from aidsite.models import Role
from campaigns.mentoring import mentoring_contact_record, mentoring_start
from campaigns.models import MentoringFocus
from tests.factories import make_enrollment, make_school, make_school_year, make_student, make_user

HEADER = ["序号", "姓名", "发放日期", "登记时间", "金额（元）"]


def _write(rows, **kwargs):
    buffer = io.BytesIO()
    result = write_formal_workbook(buffer, [HEADER, *rows], title="测试表", issuer="本镇", **kwargs)
    buffer.seek(0)
    return result, load_workbook(buffer).active


def _data_row(sheet, index=0):
    return list(sheet.iter_rows(min_row=4 + index, max_row=4 + index))[0]


def test_it_writes_dates_as_date_cells():
    _, sheet = _write([[1, "张伟", dt.date(2024, 9, 1), None, Decimal("500")]])
    cell = _data_row(sheet)[2]
    assert cell.is_date
    assert cell.value == dt.datetime(2024, 9, 1)  # openpyxl reads every date back as a datetime
    assert cell.number_format == "yyyy-mm-dd"
    assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"


def test_it_writes_aware_datetimes_in_local_time_without_a_zone():
    moment = dt.datetime(2024, 9, 1, 2, 30, tzinfo=dt.UTC)  # 10:30 in Asia/Shanghai
    _, sheet = _write([[1, "张伟", None, moment, Decimal("500")]])
    cell = _data_row(sheet)[3]
    assert cell.is_date
    assert cell.value == timezone.localtime(moment).replace(tzinfo=None)
    assert cell.value == dt.datetime(2024, 9, 1, 10, 30)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert cell.border.left.style == "thin"


def test_it_writes_naive_datetimes_as_they_are():
    _, sheet = _write([[1, "张伟", None, dt.datetime(2024, 3, 5, 8, 15), Decimal("0")]])
    cell = _data_row(sheet)[3]
    assert cell.is_date and cell.value == dt.datetime(2024, 3, 5, 8, 15)


def test_date_columns_are_wide_enough_and_other_cells_keep_their_types():
    rows = [
        [1, "张伟", dt.date(2024, 9, 1), dt.datetime(2024, 9, 1, 9, 0), Decimal("1234.5")],
        [2, "李娜", None, None, Decimal("100")],
    ]
    result, sheet = _write(rows)
    widths = {get_column_letter(i): sheet.column_dimensions[get_column_letter(i)].width for i in (3, 4)}
    assert widths["C"] >= len("2024-09-01")
    assert widths["D"] >= len("2024-09-01 09:00")
    first, second = _data_row(sheet, 0), _data_row(sheet, 1)
    assert first[0].value == 1 and first[1].data_type == "s"
    assert first[4].value == 1234.5 and first[4].number_format == "#,##0.00"
    assert second[2].value is None and second[3].value is None
    assert result.rows == 2 and result.totals == {"金额（元）": Decimal("1334.50")}
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.django_db
def test_the_mentoring_ledger_dates_are_date_cells(client):
    year = make_school_year("2022-2023")
    school = make_school(name="本镇中心幼儿园")
    student = make_student(name="仇小兰")
    make_enrollment(student=student, school=school, school_year=year)
    mentoring = mentoring_start(
        student=student, school=school, teachers="王老师", focus=MentoringFocus.ECONOMIC,
        started_on=dt.date(2022, 9, 5),
    )
    mentoring_contact_record(
        mentoring=mentoring, date=dt.date(2022, 10, 8), teacher="王老师", mode="talk", content="谈心"
    )
    client.force_login(make_user(role=Role.AUDITOR))

    response = client.get(reverse("campaigns:mentoring_ledger"))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    row = _data_row(sheet)
    started, contacted = row[header.index("结对日期")], row[header.index("帮扶日期")]
    assert started.is_date and started.value == dt.datetime(2022, 9, 5)
    assert contacted.is_date and contacted.value == dt.datetime(2022, 10, 8)
    assert contacted.number_format == "yyyy-mm-dd"
