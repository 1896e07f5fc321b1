"""ID numbers stored as number cells: exact integers import, Excel-rounded numbers are refused.

Issue 11 §1: "Workbooks written by other programs often store ID numbers as
number cells whose XML holds all 18 digits exactly
(`<v>370829201906019631</v>`) … Read the digits as stored: an integer value
whose digits form a valid ID is accepted; a float, a value in scientific
notation or one with 15 significant digits (what Excel itself keeps) is still
refused as today."
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from aidsite.lib.excel import CellError, id_cell_text
from students.importing import roster_import
from students.models import Enrollment, Student
from tests.students.test_importing import (
    IMPORTER,
    PLAIN_HEADERS,
    _patch_integer_cells,
    new_id,
    places,  # noqa: F401 (fixture)
    xlsx,
)

pytestmark = pytest.mark.django_db

LOST = "身份证号被 Excel 存成了数字，末尾几位已丢失"


def roster_row(number: object, name: str) -> list[object]:
    return [name, None, number, "青山镇", "石门村", f"户主{name}", None, None, None,
            "青山镇中心小学", "小学", "三年级", "1班", "否", None, None, "2022-2023"]  # fmt: skip


def test_it_accepts_an_exact_integer_and_refuses_what_excel_keeps():
    """"an integer value whose digits form a valid ID is accepted; … one with 15 significant digits … refused"."""
    assert id_cell_text(370829201906019631) == "370829201906019631"
    for rounded in (370829201906019000, 3.70829201906019e17):
        with pytest.raises(CellError, match=LOST):
            id_cell_text(rounded)


def test_a_roster_of_exact_integer_ids_imports_cleanly(tmp_path: Path, places):  # noqa: F811
    """"A roster holding ID numbers as exact integer cells imports cleanly"."""
    ids = [new_id(birth=dt.date(2014, 1, 1 + i)) for i in range(3)]
    rows = [roster_row(int(n), f"学生{i}") for i, n in enumerate(ids)]
    path = xlsx(tmp_path / "整数.xlsx", PLAIN_HEADERS, rows)
    assert f"<v>{ids[0]}</v>".encode() in _sheet_xml(path)

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert report.ok, report.errors
    assert report.created == 3
    assert set(Student.objects.values_list("id_number", flat=True)) == set(ids)


def test_a_roster_of_excel_rounded_ids_is_refused_with_every_row_named(tmp_path: Path, places):  # noqa: F811
    """"one holding Excel-rounded IDs is still refused with every row named"."""
    kept = new_id(birth=dt.date(2014, 2, 2))
    rows = [
        roster_row("ROUNDED0", "甲"),  # 4: <v>3.70829201906019E+17</v>
        roster_row("ROUNDED1", "乙"),  # 5: <v>370829201906019000</v>, 15 significant digits
        roster_row(3.70829201906019e17, "丙"),  # 6: a float as openpyxl writes it
        roster_row(kept, "丁"),  # 7: good, as text
    ]
    path = xlsx(tmp_path / "科学计数.xlsx", PLAIN_HEADERS, rows)
    _patch_integer_cells(path, {"ROUNDED0": "3.70829201906019E+17", "ROUNDED1": "370829201906019000"})
    assert b"<v>3.70829201906019E+17</v>" in _sheet_xml(path)

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert not report.ok
    assert {(e.row, e.column) for e in report.errors} == {(4, "身份证号"), (5, "身份证号"), (6, "身份证号")}
    assert all(LOST in e.message for e in report.errors)
    assert Student.objects.count() == Enrollment.objects.count() == 0


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")
