"""`import_xlsx applications`: a township's application list, checked by the policies' rules,
entered all or none."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from aidsite.access import SystemActor
from aidsite.models import AccessLog
from students.importing.kinds import ImportKind, import_kind_register
from students.models import HouseholdCategory, HouseholdMember, Season, Stage, Student
from subsidies.importing import applications as importing
from subsidies.importing.applications import applications_import
from subsidies.models import AidApplication, ApplicationStatus, Policy
from tests.factories import make_household, make_id_number

pytestmark = pytest.mark.django_db

HEADERS = [
    "身份证号", "姓名", "资助项目", "申请金额（元）", "录取院校", "学历层次", "入学年份",
    "学制（年）", "学费（元/年）", "住宿费（元/年）", "申请日期",
]  # fmt: skip
NO_COLLEGE = [None] * 6
FIRST_ROW = 3  # a title line, the header, then the rows


@dataclass
class World:
    child: Student  # 特困, poor village, kindergarten (fee 1800 a year)
    dibao_child: Student  # 低保 only, poor village, kindergarten
    plain_child: Student  # 特困, not a poor village, kindergarten
    freshman: HouseholdMember  # 低保 household, not in the county's schools: a college freshman
    borrower: Student  # 建档立卡, poor village


@pytest.fixture
def world(term, kids) -> World:
    Policy.objects.filter(school_year=term.school_year, code="HE-LIVING").update(
        annual_amount=Decimal("3000")
    )
    kindergarten = kids.school(Stage.KINDERGARTEN, tuition=Decimal("1800"), name="青山镇中心幼儿园")
    high = kids.school(Stage.HIGH, name="青山中学")
    extreme = (HouseholdCategory.EXTREME,)
    household = make_household(village=kids.poor_village, categories=(HouseholdCategory.DIBAO,))
    return World(
        child=kids(kindergarten, categories=extreme, poor=True, stage=Stage.KINDERGARTEN, name="王小丫").student,
        dibao_child=kids(
            kindergarten, categories=(HouseholdCategory.DIBAO,), poor=True, stage=Stage.KINDERGARTEN, name="李小花"
        ).student,
        plain_child=kids(kindergarten, categories=extreme, poor=False, stage=Stage.KINDERGARTEN, name="赵小宝").student,
        freshman=HouseholdMember.objects.create(
            household=household, name="张大学", id_number=make_id_number(birth=dt.date(2004, 5, 1))
        ),
        borrower=kids(
            high, categories=(HouseholdCategory.REGISTERED,), poor=True, stage=Stage.HIGH, name="陈贷款"
        ).student,
    )  # fmt: skip


def good_rows(w: World) -> list[list[Any]]:
    return [
        [w.child.id_number, "王小丫", "保教费减免", 900, *NO_COLLEGE, dt.date(2022, 9, 5)],
        [w.freshman.id_number, "张大学", "低保家庭新生生活资助", 3000, "湖南大学", "本科", 2022, 4, None, None, dt.date(2022, 8, 20)],
        [w.borrower.id_number, "陈贷款", "生源地信用助学贷款", 6000, "长沙理工大学", "本科", 2022, 4, 5000, 1000, dt.date(2022, 8, 20)],
    ]  # fmt: skip


def sheet(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    """A township's list: a title line, the header, the rows, a signature footer.

    An `int` of more than 15 digits is written as an exact integer cell (as other programs
    write IDs; openpyxl would write a rounded float), so the sheet XML is patched afterwards.
    """
    book = Workbook()
    ws = book.active
    ws.append(["青山镇2022—2023学年资助申请汇总表"])
    ws.append(headers)
    exact: dict[str, str] = {}
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int) and value > 10**15:
                exact[marker := f"EXACTINT{len(exact)}"] = str(value)
                value = marker
            cells.append(value)
        ws.append(cells)
    ws.append([])
    ws.append(["制表人：张老师", None, None, "审核人：李主任"])
    book.save(path)
    if exact:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        for marker, digits in exact.items():
            xml = re.sub(
                rf'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>{marker}</t></is></c>', rf'<c r="\1" t="n"><v>{digits}</v></c>', xml
            )  # fmt: skip
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    return path


def test_a_good_file_enters_every_application_for_the_township_to_check(
    tmp_path, world, township, capsys
):
    path = sheet(tmp_path / "申请.xlsx", good_rows(world))

    call_command("import_xlsx", "applications", str(path))

    out = capsys.readouterr().out
    assert "资助申请共 3 行：新增申请 3 份" in out and "已导入，待乡镇初审" in out
    got = {
        a.policy.code: a for a in AidApplication.objects.select_related("policy", "term", "student")
    }
    assert set(got) == {"PRE-FEE", "HE-LIVING", "HE-LOAN"}
    assert all(
        a.status == ApplicationStatus.SUBMITTED and a.township == township for a in got.values()
    )
    fee = got["PRE-FEE"]
    assert (fee.student, fee.amount_requested, fee.applied_on) == (
        world.child,
        Decimal("900"),
        dt.date(2022, 9, 5),
    )
    assert fee.enrollment.school.name == "青山镇中心幼儿园" and fee.college == ""
    # The freshman, a household member only, is now a student of the same household.
    living = got["HE-LIVING"]
    assert (living.student.id_number, living.student.household) == (
        world.freshman.id_number,
        world.freshman.household,
    )
    assert (living.college, living.degree_level, living.entry_year, living.program_years) == (
        "湖南大学",
        "bachelor",
        2022,
        4,
    )
    loan = got["HE-LOAN"]
    assert (loan.tuition_per_year, loan.accommodation_per_year, loan.term.season) == (
        Decimal("5000"),
        Decimal("1000"),
        Season.AUTUMN,
    )
    # Entered by the command: no user, its name in the application's log.
    assert {(e.action, e.user, e.actor_name) for a in got.values() for e in a.events.all()} == {
        ("submit", None, "import_xlsx 命令")
    }
    assert AccessLog.objects.filter(action="import", row_count=3, what="导入资助申请").count() == 1
    # The roster kinds are still the command's, unchanged.
    with pytest.raises(CommandError, match="找不到"):
        call_command("import_xlsx", "students", str(tmp_path / "none.xlsx"))


def test_a_dry_run_checks_and_counts_but_writes_nothing(tmp_path, world, capsys):
    path = sheet(tmp_path / "a.xlsx", good_rows(world))
    students = Student.objects.count()

    call_command("import_xlsx", "applications", str(path), "--dry-run")

    assert "新增申请 3 份" in capsys.readouterr().out
    assert (
        "试导入，未写入数据"
        in applications_import(source=path, actor=SystemActor("t"), dry_run=True).summary()
    )
    assert AidApplication.objects.count() == 0 and Student.objects.count() == students
    assert not AccessLog.objects.filter(action="import").exists()


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(
    tmp_path, world, capsys
):
    w = world
    stranger = make_id_number(birth=dt.date(2016, 1, 1))
    broken = w.child.id_number[:-1] + ("0" if w.child.id_number[-1] != "0" else "1")
    loan = ["长沙理工大学", "本科", 2022, 4, 5000, 1000]
    rows = good_rows(w) + [
        [stranger, "某某", "保教费减免", 500, *NO_COLLEGE, dt.date(2022, 9, 5)],  # unknown ID
        [w.child.id_number, "王小鸭", "保教费减免", 500, *NO_COLLEGE, dt.date(2022, 9, 6)],  # name mismatch
        [w.child.id_number, "王小丫", "助学金", 500, *NO_COLLEGE, dt.date(2022, 9, 6)],  # unknown policy
        [w.dibao_child.id_number, "李小花", "保教费减免", 500, *NO_COLLEGE, dt.date(2022, 9, 5)],  # not 特困
        [w.plain_child.id_number, "赵小宝", "保教费减免", 500, *NO_COLLEGE, dt.date(2022, 9, 5)],  # not a poor village
        [w.child.id_number, "王小丫", "保教费减免", 901, *NO_COLLEGE, dt.date(2023, 3, 1)],  # above the term's 900
        [w.freshman.id_number, "张大学", "HE-LIVING", 3000, "湖南大学", "本科", 2021, 4, None, None, dt.date(2022, 8, 21)],
        [w.freshman.id_number, "张大学", "生源地信用助学贷款", 6000, "湖南大学", "大学", 2022, 4, 5000, 1000, dt.date(2022, 8, 20)],
        [w.freshman.id_number, "张大学", "生源地信用助学贷款", 6000, "湖南大学", "本科", 2022, 4, None, 1000, dt.date(2022, 8, 20)],
        [w.borrower.id_number, "陈贷款", "生源地信用助学贷款", 6000, *loan, dt.date(2022, 9, 1)],  # repeats row 5
        [broken, "王小丫", "保教费减免", 500, *NO_COLLEGE, dt.date(2022, 9, 5)],  # check digit
        [w.child.id_number, "王小丫", "保教费减免", 500, "湖南大学", *NO_COLLEGE[1:], dt.date(2023, 3, 2)],
    ]  # fmt: skip
    path = sheet(tmp_path / "bad.xlsx", rows)
    students = Student.objects.count()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_xlsx", "applications", str(path))

    assert excinfo.value.returncode == 1
    err = capsys.readouterr().err
    r = FIRST_ROW + 3  # the first bad row
    expected = [
        (r, "身份证号", "学生名册和家庭成员中都没有这个身份证号"),
        (r + 1, "姓名", "与登记信息中该身份证号的姓名不一致"),
        (r + 2, "资助项目", "2022-2023学年没有名为“助学金”的资助项目"),
        (r + 3, "资助项目", "申请人不是特困供养家庭学生，不符合“保教费减免”的申请条件"),
        (r + 4, "资助项目", "申请人家庭不在省定贫困村"),
        (
            r + 5,
            "申请金额（元）",
            "申请金额 901.00 元超过上限（学校收费标准每年 1800.00 元，每学期 900.00 元）",
        ),
        (r + 6, "入学年份", "该项目仅限当年（2022 年）考取的新生"),
        (r + 7, "学历层次", "学历层次“大学”无法识别，应为 专科、本科 或 研究生"),
        (r + 8, "学费（元/年）", "贷款须填写学费"),
        (r + 9, "身份证号", f"与第 {FIRST_ROW + 2} 行重复（同一申请人、资助项目和学期）"),
        (r + 10, "身份证号", "身份证号校验位错误"),
        (r + 11, "录取院校", "“保教费减免”不是大学生资助项目，此列应空白"),
    ]
    for row, column, message in expected:
        assert f"第 {row} 行，“{column}”：{message}" in err, err
    assert len([line for line in err.splitlines() if line.startswith("第 ")]) == len(expected)
    assert "有 12 行错误，未写入任何数据" in str(excinfo.value)
    assert AidApplication.objects.count() == 0 and Student.objects.count() == students


def test_messy_cells_are_read_as_offices_write_them(tmp_path, world):
    w = world
    full_width = w.freshman.id_number.translate(
        str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    )
    headers = [" 身份证号码 ", "姓 名", "资助项目名称", "申请金额(元)", "录取学校", "学历层次", "入学年度",
               "学制", "学费", "住宿费", "申请时间"]  # fmt: skip
    rows = [
        # The ID as an exact integer cell, the amount full-width, the date as text with dots.
        [int(w.child.id_number) if w.child.id_number[-1] != "X" else w.child.id_number,
         "王 小丫", "保教费减免", "９００", *NO_COLLEGE, "2023.3.1"],
        [full_width, "张大学", "低保家庭新生生活资助", "3,000元", "湖南大学", "本 科", "２０２２年", "四年",
         None, None, "2022年8月20日"],
        [w.borrower.id_number.lower(), "陈贷款", "he-loan", 8000, "长沙理工大学", "硕士研究生",
         dt.datetime(2022, 9, 1), "3", "８０００", 0, dt.datetime(2022, 8, 20)],
    ]  # fmt: skip
    report = applications_import(
        source=sheet(tmp_path / "m.xlsx", rows, headers), actor=SystemActor("t")
    )

    assert report.ok, [str(e) for e in report.errors]
    got = {a.policy.code: a for a in AidApplication.objects.select_related("policy", "term")}
    fee = got["PRE-FEE"]
    # 2023-03-01 falls in the spring term: a fee waiver is for the term it is asked in.
    assert (fee.amount_requested, fee.applied_on, fee.term.season) == (
        Decimal("900"),
        dt.date(2023, 3, 1),
        Season.SPRING,
    )
    living = got["HE-LIVING"]
    assert (living.amount_requested, living.entry_year, living.program_years, living.applied_on) == (
        Decimal("3000"), 2022, 4, dt.date(2022, 8, 20),
    )  # fmt: skip
    loan = got["HE-LOAN"]
    assert (loan.degree_level, loan.entry_year, loan.program_years, loan.tuition_per_year, loan.accommodation_per_year) == (
        "postgraduate", 2022, 3, Decimal("8000"), Decimal("0"),
    )  # fmt: skip


def test_an_id_excel_rounded_to_a_number_is_an_error_not_a_guess(tmp_path, world):
    rows = [
        [
            float(world.child.id_number[:17] + "0"),
            "王小丫",
            "保教费减免",
            900,
            *NO_COLLEGE,
            dt.date(2022, 9, 5),
        ]
    ]
    report = applications_import(source=sheet(tmp_path / "f.xlsx", rows), actor=SystemActor("t"))

    assert [(e.row, e.column) for e in report.errors] == [(FIRST_ROW, "身份证号")]
    assert "末尾几位已丢失" in report.errors[0].message


def test_the_same_file_twice_is_refused_as_repeated_applications(tmp_path, world):
    path = sheet(tmp_path / "a.xlsx", good_rows(world))
    assert applications_import(source=path, actor=SystemActor("t")).ok

    again = applications_import(source=path, actor=SystemActor("t"))

    assert [(e.row, e.column) for e in again.errors] == [
        (FIRST_ROW + i, "身份证号") for i in range(3)
    ]
    assert (
        "该申请人已申请“保教费减免”（2022-2023学年秋季学期，已提交），不能重复申请"
        in again.errors[0].message
    )
    assert AidApplication.objects.count() == 3
    # A refused application does not stand in the way of a new one.
    AidApplication.objects.filter(policy__code="PRE-FEE").update(
        status=ApplicationStatus.REJECTED,
        decision_reason="材料不全",
        decided_at=dt.datetime(2022, 9, 9, tzinfo=dt.UTC),
    )
    rows = good_rows(world)[:1]
    assert applications_import(source=sheet(tmp_path / "b.xlsx", rows), actor=SystemActor("t")).ok


def test_a_row_refused_while_writing_leaves_nothing_written(tmp_path, world, monkeypatch):
    real = importing.application_submit
    calls = []

    def refuse_the_third(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 3:
            raise ValidationError({"amount_requested": "金额已变化"})
        return real(**kwargs)

    monkeypatch.setattr(importing, "application_submit", refuse_the_third)
    students = Student.objects.count()

    report = applications_import(
        source=sheet(tmp_path / "a.xlsx", good_rows(world)), actor=SystemActor("t")
    )

    assert [str(e) for e in report.errors] == [
        f"第 {FIRST_ROW + 2} 行，“申请金额（元）”：金额已变化"
    ]
    assert (report.created, AidApplication.objects.count(), Student.objects.count()) == (
        0,
        0,
        students,
    )
    assert "未写入任何数据" in report.summary()


def test_a_registered_kind_cannot_take_a_roster_kind_s_word():
    with pytest.raises(ImproperlyConfigured):
        import_kind_register(ImportKind(name="students", label="学生", run=applications_import))


def test_aid_given_with_partners_names_the_partner_in_its_own_column(tmp_path, term, kids):
    Policy.objects.filter(school_year=term.school_year, code="HE-AUTUMN").update(
        annual_amount=Decimal("1000")
    )
    household = make_household(village=kids.plain_village, categories=(HouseholdCategory.EXTREME,))
    ids = [make_id_number(birth=dt.date(2003, 1, 1)) for _ in range(2)]
    for number, name in zip(ids, ("刘一", "刘二"), strict=True):
        HouseholdMember.objects.create(household=household, name=name, id_number=number)
    college = ["湖南师范大学", "专科", 2021, 3, None, None]
    rows = [
        [ids[0], "刘一", "金秋助学", 1000, *college, dt.date(2022, 9, 20), "县妇联"],
        [ids[1], "刘二", "金秋助学", 1000, *college, dt.date(2022, 9, 20), None],
    ]
    path = sheet(tmp_path / "p.xlsx", rows, [*HEADERS, "资助单位"])

    report = applications_import(source=path, actor=SystemActor("t"), dry_run=True)

    assert [str(e) for e in report.errors] == [
        f"第 {FIRST_ROW + 1} 行，“资助单位”：请注明资助单位：县总工会、团县委、县妇联"
    ]
    del rows[1]
    assert applications_import(
        source=sheet(tmp_path / "q.xlsx", rows, [*HEADERS, "资助单位"]), actor=SystemActor("t")
    ).ok
    assert AidApplication.objects.get().partner == "县妇联"
