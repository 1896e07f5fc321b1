"""The roster import on the messy files offices really keep (SECURITY B2, B3, B5, B7, B8)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from aidsite.access import SystemActor
from aidsite.lib.idcard import complete_id_number
from aidsite.models import AccessLog
from students.importing import ImportFileError, RowError, roster_import
from students.models import (
    Enrollment,
    Household,
    HouseholdHardship,
    School,
    SchoolYear,
    Stage,
    Student,
    Township,
    Village,
)
from tests.factories import make_school, make_township, make_village

pytestmark = pytest.mark.django_db

IMPORTER = SystemActor("测试导入")

_sequence = iter(range(100, 999))


def new_id(
    *, birth: dt.date = dt.date(2014, 5, 6), sex: str = "M", ends_with_x: bool = False
) -> str:
    """A valid ID number of region 370829, never repeated within this module."""
    while True:
        seq = next(_sequence)
        if (seq % 2 == 1) != (sex == "M"):
            continue
        number = complete_id_number(f"370829{birth:%Y%m%d}{seq:03d}")
        if number.endswith("X") == ends_with_x:
            return number


def full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


MESSY_HEADERS = [
    "序号",
    "姓 名",
    "性别",
    "公民身份号码",
    "乡镇（街道）",
    "村（社区）",
    "户主",
    "联系电话",
    "家庭经济困难类别",
    "个人类别",
    "就读学校",
    "学段",
    "年级",
    "班级",
    "是否寄宿",
    "专业名称",
    "是否涉农专业",
    "学年",
]
PLAIN_HEADERS = [
    "姓名",
    "性别",
    "身份证号",
    "乡镇",
    "村",
    "户主姓名",
    "联系电话",
    "家庭类别",
    "个人类别",
    "学校",
    "学段",
    "年级",
    "班级",
    "是否寄宿",
    "专业",
    "是否涉农专业",
    "学年",
]


def xlsx(path: Path, headers: list[str], rows: list[list[object]], *, footer: bool = True) -> Path:
    """A roster as offices send it: merged title, 填报单位 line, header, rows, footer, blank rows.

    A cell given as `int` for an ID is written as an exact integer cell (openpyxl
    itself would write a rounded float, so the sheet XML is patched afterwards).
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山镇2022—2023学年家庭经济困难学生资助名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(["填报单位：青山镇教办（盖章）", None, None, None, "填报日期：2022年9月10日"])
    sheet.append(headers)
    exact: dict[str, str] = {}
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int) and not isinstance(value, bool) and value > 10**15:
                marker = f"EXACTINT{len(exact)}"
                exact[marker] = str(value)
                value = marker
            cells.append(value)
        sheet.append(cells)
    if footer:
        sheet.append([])
        sheet.append(["制表人：张老师", None, None, None, "审核人：李主任"])
        sheet.append([])
        sheet.append([None, None])
    workbook.save(path)
    if exact:
        _patch_integer_cells(path, exact)
    return path


def _patch_integer_cells(path: Path, exact: dict[str, str]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for marker, digits in exact.items():
        xml, count = re.subn(
            rf'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>{marker}</t></is></c>',
            rf'<c r="\1" t="n"><v>{digits}</v></c>',
            xml,
        )
        assert count == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.fixture
def places():
    qingshan = make_township("青山镇")
    make_township("白云镇")
    villages = {
        "石门村": make_village(township=qingshan, name="石门村", poor=True),
        "东岭村": make_village(township=qingshan, name="东岭村"),
    }
    schools = {
        "primary": make_school(
            township=qingshan, name="青山镇中心小学", stages=Stage.PRIMARY, is_boarding=True
        ),
        "vocational": make_school(
            township=qingshan, name="青山职业中等专业学校", stages=Stage.VOCATIONAL
        ),
        "nine_year": make_school(
            township=qingshan, name="青山镇九年一贯制学校", stages=f"{Stage.PRIMARY},{Stage.JUNIOR}"
        ),
    }
    return {"township": qingshan, "villages": villages, "schools": schools}


def good_rows() -> tuple[list[list[object]], dict[str, str]]:
    ids = {
        "wang": new_id(sex="F"),
        "li": new_id(birth=dt.date(2012, 10, 1), ends_with_x=True),
        "zhao": new_id(birth=dt.date(2013, 2, 3), sex="F"),
        "sun": new_id(birth=dt.date(2006, 3, 3)),
        "wang2": new_id(birth=dt.date(2010, 7, 8)),
    }
    spaced = " ".join(ids["wang"][i : i + 4] for i in range(0, 18, 4))
    rows: list[list[object]] = [
        # 序号, 姓名, 性别, ID, 乡镇, 村, 户主, 电话, 家庭类别, 个人类别, 学校, 学段, 年级, 班级, 寄宿, 专业, 涉农, 学年
        [1, "王 芳", "女", spaced, "青山镇", "石门村", "王建国", "13812345678", "建档立卡、低保", None,
         "青山镇中心小学", "小学", "三年级", "2班", "√", None, None, "2022—2023"],
        [2, "李强", None, full_width(ids["li"][:-1]) + "x", "青山镇", "东岭村", "李大山", 13912345678,
         "特困，其他困难", "孤儿 残疾", "青山镇中心小学", "小学", "四年级", 1, "是", None, None, "2022~2023"],
        [3, "赵丽", "女", int(ids["zhao"]), "青山镇", "东岭村", "赵明", None, "低保 / 建档立卡", "无",
         "青山镇九年一贯制学校", "小学", "四年级", "1班", None, None, None, "2022-2023"],
        [4, "孙浩", "男", ids["sun"], "青山镇", "石门村", "孙德胜", "138 1234 0000", None, "烈士子女",
         "青山职业中等专业学校", "中职", "二年级", "农艺1班", "否", "现代农艺技术", "是", "2022-2023"],
        [5, "王伟", "男", ids["wang2"], "青山镇", "石门村", "王建国", None, "低保,建档立卡", None,
         "青山镇九年一贯制学校", "初中", "七年级", "1班", "×", None, None, "2022－2023"],
    ]  # fmt: skip
    return rows, ids


def test_it_finds_the_header_and_reads_a_messy_file(tmp_path, places):
    rows, ids = good_rows()
    path = xlsx(tmp_path / "名册.xlsx", MESSY_HEADERS, rows)

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert report.errors == []
    assert (report.total_rows, report.created, report.updated, report.unchanged) == (5, 5, 0, 0)
    wang = Student.objects.get(id_number=ids["wang"])
    assert wang.name == "王芳" and wang.sex == "F" and wang.birth_date == dt.date(2014, 5, 6)
    li = Student.objects.get(id_number=ids["li"])
    assert li.id_number.endswith("X") and li.is_orphan and li.is_disabled and not li.is_martyr_child
    zhao = Student.objects.get(id_number=ids["zhao"])  # the exact integer cell
    assert not (zhao.is_orphan or zhao.is_disabled)
    assert Student.objects.get(id_number=ids["sun"]).is_martyr_child
    # Siblings share one household, matched on village and head.
    assert Household.objects.count() == 4
    home = Household.objects.get(head_name="王建国")
    assert home.phone == "13812345678"
    assert set(home.students.values_list("name", flat=True)) == {"王芳", "王伟"}
    assert set(home.hardships.values_list("category", flat=True)) == {"registered", "dibao"}
    assert set(
        Household.objects.get(head_name="李大山").hardships.values_list("category", flat=True)
    ) == {
        "extreme",
        "other",
    }
    assert Household.objects.get(head_name="孙德胜").phone == "13812340000"
    # Enrollments: boarding words, stage, the year in every spelling, year of study.
    enrollments = {
        e.student.id_number: e for e in Enrollment.objects.select_related("student", "school_year")
    }
    assert {e.school_year.name for e in enrollments.values()} == {"2022-2023"}
    assert [enrollments[ids[k]].is_boarding for k in ("wang", "li", "zhao", "sun", "wang2")] == [
        True,
        True,
        False,
        False,
        False,
    ]
    sun = enrollments[ids["sun"]]
    assert (sun.stage, sun.major, sun.is_agri_major, sun.study_year) == (
        Stage.VOCATIONAL,
        "现代农艺技术",
        True,
        2,
    )
    assert (
        enrollments[ids["wang2"]].stage == Stage.JUNIOR
        and enrollments[ids["wang2"]].study_year == 1
    )
    assert enrollments[ids["li"]].class_name == "1"
    # The school year was opened with its two terms.
    assert SchoolYear.objects.get(name="2022-2023").terms.count() == 2


def test_it_writes_history_rows_and_an_access_log_entry(tmp_path, places, django_user_model):
    user = django_user_model.objects.create_user(username="clerk", password="x" * 12)
    rows, _ = good_rows()
    roster_import(kind="students", source=xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows), actor=user)

    assert Student.history.filter(history_type="+", history_user=user).count() == 5
    assert Enrollment.history.count() == 5
    assert Household.history.count() == 4
    assert HouseholdHardship.history.count() == HouseholdHardship.objects.count() == 6
    entry = AccessLog.objects.get()
    assert entry.user == user and entry.action == "import" and entry.row_count == 5


def bad_file(tmp_path: Path) -> tuple[Path, dict[int, tuple[str, str]]]:
    """Rows 4-18 each have one fault; row 19 is good. Returns the file and the expected errors."""
    good = new_id()
    twice = new_id(birth=dt.date(2013, 1, 1))
    bad_check = good[:-1] + ("1" if good[-1] != "1" else "2")
    male = new_id(birth=dt.date(2013, 9, 9), sex="M")

    def row(name="张三", number=None, township="青山镇", village="石门村", phone="13800000000",
            household="", personal="", school="青山镇中心小学", stage="小学", year="2022-2023", sex=None):  # fmt: skip
        return [name, sex, number or new_id(), township, village, f"户主{name}", phone, household, personal,
                school, stage, "三年级", "1班", "否", None, None, year]  # fmt: skip

    rows = [
        row(number=bad_check),  # 4
        row(number=420984198001010011.0),  # 5: a float cell
        row(number="4.20984E+17"),  # 6: what Excel displays after rounding
        row(name="李四", number=twice),  # 7
        row(name="李斯", number=twice),  # 8
        row(school="青山大学"),  # 9
        row(village="不存在村"),  # 10
        row(township="不存在镇"),  # 11
        row(name=None),  # 12
        row(number=male, sex="女"),  # 13
        row(household="建档立卡、贫困"),  # 14
        row(phone="1234567"),  # 15
        row(stage="大学"),  # 16
        row(year="2022-2024"),  # 17
        row(name="张_x0000_三"),  # 18: Excel's escape for a NUL character
        row(name="王五"),  # 19: good
    ]
    expected = {
        4: ("身份证号", "校验位错误"),
        5: ("身份证号", "末尾几位已丢失"),
        6: ("身份证号", "科学计数法"),
        7: ("身份证号", "姓名不同"),
        8: ("身份证号", "姓名不同"),
        9: ("学校", "学校“青山大学”不存在"),
        10: ("村", "不存在村"),
        11: ("乡镇", "乡镇“不存在镇”不存在"),
        12: ("姓名", "姓名不能为空"),
        13: ("性别", "与身份证号不符"),
        14: ("家庭类别", "“贫困”无法识别"),
        15: ("联系电话", "不是 11 位手机号码"),
        16: ("学段", "“大学”无法识别"),
        17: ("学年", "两个年份应相邻"),
        18: ("姓名", "控制字符"),
    }
    return xlsx(tmp_path / "bad.xlsx", PLAIN_HEADERS, rows), expected


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(tmp_path, places):
    path, expected = bad_file(tmp_path)

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert not report.ok
    assert report.total_rows == 16 and report.rejected == 15
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    found = {(e.row, e.column): e.message for e in report.errors}
    for row, (column, words) in expected.items():
        assert (row, column) in found, (row, column, report.errors)
        assert words in found[(row, column)]
    assert {e.row for e in report.errors} == set(expected)
    assert Student.objects.count() == Household.objects.count() == Enrollment.objects.count() == 0
    assert not SchoolYear.objects.exists()
    assert str(report.errors[0]) == "第 4 行，“身份证号”：身份证号校验位错误"
    assert "未写入任何数据" in report.summary()


def test_a_birth_date_implausible_for_the_stage_is_an_error(tmp_path, places):
    rows, _ = good_rows()
    rows[0][3] = new_id(birth=dt.date(2020, 1, 1), sex="F")  # two years old, in primary school
    report = roster_import(actor=IMPORTER, kind="students", source=xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows))

    assert [(e.row, e.column) for e in report.errors] == [(4, "公民身份号码")]
    assert "与学段不符" in report.errors[0].message


def test_row_error_text_names_row_and_column():
    assert str(RowError(row=5, column="身份证号", message="身份证号校验位错误")) == (
        "第 5 行，“身份证号”：身份证号校验位错误"
    )
    assert str(RowError(row=7, column="", message="重复")) == "第 7 行：重复"


def test_the_same_student_twice_identically_is_imported_once(tmp_path, places):
    rows, _ = good_rows()
    path = xlsx(tmp_path / "twice.xlsx", MESSY_HEADERS, [rows[0], rows[0]])

    report = roster_import(actor=IMPORTER, kind="students", source=path)

    assert report.ok and (report.created, report.unchanged) == (1, 1)
    assert Student.objects.count() == Enrollment.objects.count() == 1


def test_the_same_student_twice_with_different_classes_is_an_error(tmp_path, places):
    rows, _ = good_rows()
    other = list(rows[0])
    other[13] = "5班"
    report = roster_import(
        actor=IMPORTER, kind="students", source=xlsx(tmp_path / "c.xlsx", MESSY_HEADERS, [rows[0], other])
    )

    assert [(e.row, e.column) for e in report.errors] == [(5, "")]
    assert Student.objects.count() == 0


def test_siblings_with_different_household_categories_are_an_error(tmp_path, places):
    rows, _ = good_rows()
    rows[4][8] = "低保"  # 王伟's household is 王芳's: 建档立卡、低保
    report = roster_import(actor=IMPORTER, kind="students", source=xlsx(tmp_path / "s.xlsx", MESSY_HEADERS, rows))

    assert [(e.row, e.column) for e in report.errors] == [(8, "家庭经济困难类别")]


def test_reimporting_the_same_file_changes_nothing(tmp_path, places):
    rows, _ = good_rows()
    path = xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows)
    roster_import(actor=IMPORTER, kind="students", source=path)
    counts = [m.history.count() for m in (Student, Enrollment, Household, HouseholdHardship)]

    again = roster_import(actor=IMPORTER, kind="students", source=path)

    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert [
        m.history.count() for m in (Student, Enrollment, Household, HouseholdHardship)
    ] == counts
    assert Student.objects.count() == 5


def test_a_changed_row_updates_the_records_it_names(tmp_path, places):
    rows, ids = good_rows()
    roster_import(actor=IMPORTER, kind="students", source=xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows))
    rows[0][12] = "四年级"  # 王芳 moved up a grade
    rows[0][1] = "王芳芳"  # and her name was corrected
    rows[1][8] = "特困"  # 李大山's household is no longer 其他困难
    rows[1][7] = "13700000000"

    report = roster_import(actor=IMPORTER, kind="students", source=xlsx(tmp_path / "b.xlsx", MESSY_HEADERS, rows))

    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 2, 3)
    wang = Student.objects.get(id_number=ids["wang"])
    assert wang.name == "王芳芳"
    assert wang.enrollments.get().grade == "四年级"
    assert wang.history.count() == 2 and wang.history.first().history_type == "~"
    li_home = Household.objects.get(head_name="李大山")
    assert li_home.phone == "13700000000"
    assert list(li_home.hardships.values_list("category", flat=True)) == ["extreme"]
    assert HouseholdHardship.history.filter(history_type="-", category="other").count() == 1
    assert Student.objects.get(id_number=ids["li"]).history.count() == 1


def test_dry_run_counts_but_writes_nothing(tmp_path, places):
    rows, _ = good_rows()
    report = roster_import(
        actor=IMPORTER,
        kind="students",
        source=xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows),
        dry_run=True,
    )

    assert report.ok and report.dry_run and report.created == 5
    assert Student.objects.count() == Household.objects.count() == 0
    assert not SchoolYear.objects.exists() and not AccessLog.objects.exists()
    assert "试导入" in report.summary()


def test_a_township_import_refuses_rows_of_another_township(tmp_path, places):
    baiyun = Township.objects.get(name="白云镇")
    make_village(township=baiyun, name="白云村")
    make_school(township=baiyun, name="白云镇中心小学", stages=Stage.PRIMARY)
    rows, _ = good_rows()
    rows[1][4], rows[1][5] = "白云镇", "白云村"
    rows[2][10] = "白云镇中心小学"
    path = xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows)

    report = roster_import(actor=IMPORTER, kind="students", source=path, township=places["township"])

    assert [(e.row, e.column) for e in report.errors] == [(5, "乡镇（街道）"), (6, "就读学校")]
    assert Student.objects.count() == 0
    assert roster_import(actor=IMPORTER, kind="students", source=path).ok  # the county may


def test_the_command_prints_errors_and_exits_non_zero(tmp_path, places, capsys):
    path, expected = bad_file(tmp_path)

    with pytest.raises(CommandError) as excinfo:
        call_command("import_xlsx", "students", str(path))

    assert excinfo.value.returncode == 1
    err = capsys.readouterr().err
    assert "第 4 行，“身份证号”：身份证号校验位错误" in err
    assert len([line for line in err.splitlines() if line.startswith("第 ")]) >= len(expected)
    assert Student.objects.count() == 0


def test_the_command_imports_and_prints_the_counts(tmp_path, places, capsys):
    rows, _ = good_rows()
    path = xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows)

    call_command("import_xlsx", "students", str(path), "--dry-run")
    assert Student.objects.count() == 0
    call_command("import_xlsx", "students", str(path))

    out = capsys.readouterr().out
    assert "新增 5 行" in out and "试导入" in out
    assert Student.objects.count() == 5


def test_villages_and_schools_sheets(tmp_path):
    make_township("青山镇")
    villages = xlsx(
        tmp_path / "v.xlsx",
        ["乡镇（街道）", "行政村", "是否省定贫困村"],
        [["青山镇", "石门村", "是"], ["青山镇", "东岭村", None], ["新安镇", "新安村", "√"]],
    )
    report = roster_import(actor=IMPORTER, kind="villages", source=villages)
    assert report.ok and report.created == 3
    assert set(Village.objects.filter(is_poor_village=True).values_list("name", flat=True)) == {
        "石门村",
        "新安村",
    }
    assert Township.objects.filter(name="新安镇").exists()  # a county import creates the township

    headers = ["学校名称", "乡镇", "村", "学段", "办学性质", "是否普惠性", "是否县级审批", "是否农村学校",
               "是否寄宿制", "学费标准（元/年）"]  # fmt: skip
    schools = xlsx(
        tmp_path / "s.xlsx",
        headers,
        [
            [
                "青山镇九年一贯制学校",
                "青山镇",
                "石门村",
                "小学、初中",
                "公办",
                "否",
                "否",
                "是",
                "是",
                None,
            ],
            ["青山镇阳光幼儿园", "青山镇", "", "幼儿园", "民办", "是", "是", "√", "", "3,600元"],
        ],
    )
    report = roster_import(actor=IMPORTER, kind="schools", source=schools)
    assert report.ok and report.created == 2
    nine = School.objects.get(name="青山镇九年一贯制学校")
    assert (
        nine.stage_list == [Stage.PRIMARY, Stage.JUNIOR]
        and nine.is_boarding
        and nine.village.name == "石门村"
    )
    kindergarten = School.objects.get(name="青山镇阳光幼儿园")
    assert (
        kindergarten.ownership == "private"
        and kindergarten.is_inclusive
        and str(kindergarten.tuition) == "3600.00"
    )
    assert roster_import(actor=IMPORTER, kind="schools", source=schools).unchanged == 2

    bad = xlsx(
        tmp_path / "bad.xlsx",
        headers,
        [["X学校", "青山镇", "无此村", "大学", "国办", "也许", "否", "否", "否", "-5"]],
    )
    report = roster_import(actor=IMPORTER, kind="schools", source=bad)
    assert {e.column for e in report.errors} == {
        "村",
        "学段",
        "办学性质",
        "是否普惠性",
        "学费标准（元/年）",
    }
    assert not School.objects.filter(name="X学校").exists()


def test_a_title_containing_a_column_name_is_not_taken_for_the_header(tmp_path, places):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名及身份证号登记表"])
    sheet.append(
        ["说明：姓名", "身份证号码以文本格式填写"]
    )  # names the columns but not as whole cells
    sheet.append(PLAIN_HEADERS)
    rows, _ = good_rows()
    sheet.append(rows[3][1:])
    workbook.save(tmp_path / "t.xlsx")

    report = roster_import(actor=IMPORTER, kind="students", source=tmp_path / "t.xlsx")
    assert report.ok and report.total_rows == 1


def test_a_file_that_is_not_xlsx_is_refused(tmp_path):
    fake = tmp_path / "roster.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 an old .xls file")
    with pytest.raises(ImportFileError, match="不是 .xlsx"):
        roster_import(actor=IMPORTER, kind="students", source=fake)

    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    plain_zip.seek(0)
    with pytest.raises(ImportFileError, match="不是 .xlsx"):
        roster_import(actor=IMPORTER, kind="students", source=plain_zip)

    with pytest.raises(ImportFileError, match="文件是空的"):
        roster_import(actor=IMPORTER, kind="students", source=io.BytesIO(b""))


def test_macro_files_and_archives_over_the_caps_are_refused(tmp_path, settings, places):
    rows, _ = good_rows()
    path = xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows)
    macro = tmp_path / "a.xlsm"
    macro.write_bytes(path.read_bytes())
    with pytest.raises(ImportFileError, match="含宏"):
        roster_import(actor=IMPORTER, kind="students", source=macro)

    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(ImportFileError, match="含宏"):
        roster_import(actor=IMPORTER, kind="students", source=path)

    upload = io.BytesIO(xlsx(tmp_path / "b.xlsx", MESSY_HEADERS, rows).read_bytes())
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5000
    with pytest.raises(ImportFileError, match="解压后过大"):
        roster_import(actor=IMPORTER, kind="students", source=upload)
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10**9
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(ImportFileError, match="超过 3 行"):
        roster_import(actor=IMPORTER, kind="students", source=upload)
    settings.IMPORT_MAX_FILE_BYTES = 100
    with pytest.raises(ImportFileError, match="文件过大"):
        roster_import(actor=IMPORTER, kind="students", source=upload)
    assert Student.objects.count() == 0


def test_a_sheet_without_the_key_columns_is_refused(tmp_path):
    path = xlsx(tmp_path / "a.xlsx", ["学生", "号码"], [["张三", "1"]])
    with pytest.raises(ImportFileError, match="找不到表头行"):
        roster_import(actor=IMPORTER, kind="students", source=path)
    missing = xlsx(tmp_path / "b.xlsx", ["姓名", "身份证号"], [["张三", new_id()]])
    with pytest.raises(ImportFileError, match="缺少必需的列"):
        roster_import(actor=IMPORTER, kind="students", source=missing)


def test_a_large_import_refreshes_postgresql_planner_statistics(tmp_path, places, monkeypatch):
    """After a county-size import the next import's lookups must not be planned for empty tables."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from students.importing import service

    monkeypatch.setattr(service, "ANALYZE_AFTER_ROWS", 5)
    rows, _ = good_rows()
    with CaptureQueriesContext(connection) as queries:
        report = roster_import(actor=IMPORTER, kind="students", source=xlsx(tmp_path / "名册.xlsx", MESSY_HEADERS, rows))
    assert report.created == 5
    analyzed = {q["sql"].split('"')[1] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
                [["students_student", "students_enrollment", "students_household"]],
            )
            tuples = dict(cursor.fetchall())
        assert tuples == {"students_student": 5, "students_enrollment": 5, "students_household": 4}
        assert {"students_student", "students_historicalstudent", "students_householdhardship"} <= analyzed
    else:
        assert analyzed == set()  # nothing to refresh elsewhere
