"""The vocational year of study, which decides VOC-GRANT.

DOMAIN (from the seed): VOC-GRANT is for "full-time, formally registered 1st-
and 2nd-year students". Issue 11 §4: "Derive the year of study from the cohort
(入学年份 / "20级" / "2020级") and the school year, or from an explicit 年级
(一年级/高一/1); where a vocational student's year cannot be determined, the
import reports the row and column instead of guessing."
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aidsite.access import SystemActor
from students.importing import roster_import
from students.importing.words import study_year
from students.models import Enrollment, Stage
from tests.students.test_importing import (
    PLAIN_HEADERS,
    new_id,
    places,  # noqa: F401 (fixture)
    xlsx,
)

pytestmark = pytest.mark.django_db

IMPORTER = SystemActor("测试中职年级")

HEADERS = [*PLAIN_HEADERS, "入学年份"]


def vocational_row(grade: object, class_name: object, entered: object = None) -> list[object]:
    number = new_id(birth=dt.date(2006, 3, 3))
    return [f"学生{number[-4:]}", None, number, "青山镇", "石门村", f"户主{number[-4:]}", None, None,
            None, "青山职业中等专业学校", "中职", grade, class_name, "否", "机电技术应用", "否",
            "2022-2023", entered]  # fmt: skip


@pytest.mark.parametrize(
    ("grade", "class_name", "entered", "expected"),
    [
        ("20级", "机电1班", None, 3),  # "in 2022-2023 a 2020 cohort is in year 3"
        ("2021级", "1班", None, 2),
        ("", "2022级机电1班", None, 1),
        ("", "1班", 2021, 2),
        ("一年级", "机电1班", None, 1),
        ("高二", "", None, 2),
        ("1", "", None, 1),
    ],
)
def test_the_year_comes_from_the_cohort_and_the_school_year_or_a_grade_naming_it(
    grade, class_name, entered, expected
):
    """"Derive the year of study from the cohort … and the school year, or from an explicit 年级"."""
    assert study_year(grade, Stage.VOCATIONAL, 2022, class_name=class_name, entered=entered) == expected


def test_a_class_number_is_not_a_year_and_a_two_digit_cohort_is_a_cohort():
    """"'19级' (year 1) or '机电1班' (year 1)" were guesses: read the cohort, or determine nothing."""
    assert study_year("机电1班", Stage.VOCATIONAL, 2022) is None
    # "19级" was read as year 1; in 2022-2023 it is a fourth year (a 3+2 class): no VOC-GRANT.
    assert study_year("19级", Stage.VOCATIONAL, 2022) == 4


def test_a_roster_imports_the_years_it_states(tmp_path: Path, places):  # noqa: F811
    """"a 2020 cohort is in year 3" in 2022-2023: not paid VOC-GRANT as a 2nd-year student."""
    rows = [vocational_row("20级", "机电1班"), vocational_row("一年级", "1班"),
            vocational_row(None, "2班", 2021)]  # fmt: skip
    path = xlsx(tmp_path / "中职.xlsx", HEADERS, rows)

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert report.ok, report.errors
    by_id = {e.student.id_number: e.study_year for e in Enrollment.objects.select_related("student")}
    assert [by_id[r[2]] for r in rows] == [3, 1, 2]


def test_an_undeterminable_year_is_reported_by_row_and_column(tmp_path: Path, places):  # noqa: F811
    """"where a vocational student's year cannot be determined, the import reports the row and column"."""
    rows = [
        vocational_row("机电1班", "1班"),  # 4: no year written
        vocational_row(None, "1班", "去年"),  # 5: not a year
        vocational_row(None, "1班", 2023),  # 6: enters after the roster's school year
        vocational_row("二年级", "1班"),  # 7: good
    ]
    path = xlsx(tmp_path / "中职.xlsx", HEADERS, rows)

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert not report.ok
    found = {(e.row, e.column): e.message for e in report.errors}
    assert set(found) == {(4, "年级"), (5, "入学年份"), (6, "入学年份")}
    assert "无法确定中职学生在读第几年" in found[(4, "年级")]
    assert "应为四位年份" in found[(5, "入学年份")]
    assert "与学年 2022-2023 不符" in found[(6, "入学年份")]
    assert not Enrollment.objects.exists()
