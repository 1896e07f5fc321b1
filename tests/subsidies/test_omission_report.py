"""The omission report: one formal workbook of four sheets, from the command, the export centre and a page.

Sheets 1, 2 and 4 come from `students.omissions` and `students.external_lists`
(built by other parts of issue 13): here they are replaced by sample rows of their
dataclasses, so that the workbook itself is what is tested.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from aidsite.export_jobs import EXPORT_KINDS
from aidsite.models import AccessLog, Role
from students import external_lists, omissions
from students.models import HouseholdCategory as H
from students.models import Stage
from subsidies.exports.omissions import OmissionWorkbook, unaided_rows
from subsidies.selectors.omissions import Unaided
from tests.factories import make_id_number, make_township, make_user
from tests.world import Kids

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"\d{17}[\dX]")
DROPOUT_ID = make_id_number()
PRESCHOOL_ID = make_id_number()
LISTED_ID = make_id_number()


@pytest.fixture
def helpers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The other sheets' selectors replaced by one sample row each; their calls recorded."""
    calls: dict[str, list[Any]] = {"dropouts": [], "preschool": [], "differences": []}

    def dropouts(*, actor, school_year, township=None):  # type: ignore[no-untyped-def]
        calls["dropouts"].append((school_year.name, township))
        return [
            omissions.SuspectedDropout(
                1, "辍学娃", DROPOUT_ID, "青山镇", "平安村", "王大", 13, "初中", "未跟进"
            )
        ]

    def preschool(*, actor, school_year, township=None):  # type: ignore[no-untyped-def]
        calls["preschool"].append((school_year.name, township))
        return [
            omissions.NotInKindergarten(2, "未入园娃", PRESCHOOL_ID, "青山镇", "平安村", "王大", 4)
        ]

    def differences(*, actor, township=None):  # type: ignore[no-untyped-def]
        calls["differences"].append(township)
        return [
            external_lists.ListDifference(
                "李四",
                LISTED_ID,
                "民政低保特困名单",
                "新增类别",
                "无登记困难类别",
                "低保（2022-03-01 起）",
            )
        ]

    monkeypatch.setattr(omissions, "suspected_dropouts", dropouts)
    monkeypatch.setattr(omissions, "not_in_kindergarten", preschool)
    monkeypatch.setattr(external_lists, "list_differences", differences)
    return calls


@pytest.fixture
def two_townships(term, kids) -> Kids:
    """A registered child not yet computed in 青山镇 and one in 白云镇."""
    school = kids.school(
        Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True, name="青山幼儿园"
    )
    kids(school, categories=(H.DIBAO,), name="青山娃")
    other = Kids(term, make_township("白云镇"))
    other(
        other.school(
            Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True, name="白云幼儿园"
        ),
        categories=(H.EXTREME,),
        name="白云娃",
    )
    return other


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]


def _report(tmp_path: Path, *extra: str) -> openpyxl.Workbook:
    target = tmp_path / "核查表.xlsx"
    call_command(
        "omission_report", "--year", "2022-2023", "--term", "autumn", "--output", str(target), *extra,
        stdout=io.StringIO(),
    )  # fmt: skip
    return openpyxl.load_workbook(target)


def test_the_workbook_has_the_four_sheets_with_their_columns_totals_and_signatures(
    tmp_path, helpers, two_townships
):
    book = _report(tmp_path)

    assert book.sheetnames == ["疑似失学辍学", "适龄未入园", "应助未助", "名单比对差异"]
    headers = {name: _rows(book[name])[2] for name in book.sheetnames}
    assert headers["疑似失学辍学"] == ("序号", "姓名", "身份证号", "乡镇", "村", "户主姓名", "年龄", "应在学段", "跟进状态")  # fmt: skip
    assert headers["适龄未入园"] == ("序号", "姓名", "身份证号", "乡镇", "村", "户主姓名", "年龄")
    assert headers["应助未助"] == ("序号", "姓名", "身份证号", "乡镇", "学校", "资助项目", "原因")
    assert headers["名单比对差异"] == (
        "序号",
        "姓名",
        "身份证号",
        "来源",
        "差异",
        "登记情况",
        "外部名单情况",
    )

    unaided = _rows(book["应助未助"])
    assert unaided[0][0] == "全县2022-2023学年秋季学期应助未助学生名单"
    assert unaided[1][0].startswith("填报单位：")
    # The command writes full ID numbers, as export_aid does; the policy's Chinese name, never its code.
    data = [r for r in unaided[3:5]]
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in data] == [
        ("白云娃", "白云镇", "白云幼儿园", "学前教育政府助学金", "尚未测算"),
        ("青山娃", "青山镇", "青山幼儿园", "学前教育政府助学金", "尚未测算"),
    ]
    assert all(FULL_ID.fullmatch(r[2]) for r in data)
    assert unaided[5][:2] == ("合计", "共 2 人")
    assert unaided[7][0] == "制表人："
    assert _rows(book["疑似失学辍学"])[3][1:] == (
        "辍学娃",
        DROPOUT_ID,
        "青山镇",
        "平安村",
        "王大",
        13,
        "初中",
        "未跟进",
    )
    assert _rows(book["适龄未入园"])[3][1:3] == ("未入园娃", PRESCHOOL_ID)
    assert _rows(book["名单比对差异"])[3][3:5] == ("民政低保特困名单", "新增类别")
    assert _rows(book["名单比对差异"])[4][:2] == ("合计", "共 1 条")
    assert AccessLog.objects.filter(what__contains="控辍保学与应助尽助核查表").count() == 1


def test_a_township_report_holds_that_township_only(tmp_path, helpers, two_townships):
    book = _report(tmp_path, "--township", "白云镇")

    names = [r[1] for r in _rows(book["应助未助"])[3:] if isinstance(r[0], int)]
    assert names == ["白云娃"]
    assert _rows(book["应助未助"])[0][0].startswith("白云镇")
    assert [t.name for _y, t in helpers["dropouts"]] == ["白云镇"]
    assert [t.name for t in helpers["differences"]] == ["白云镇"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2031-2032", "--term", "autumn"], "没有 2031-2032 学年"),
        (["--year", "2022-2023", "--term", "winter"], "学期“winter”不正确"),
        (
            ["--year", "2022-2023", "--term", "autumn", "--township", "无此镇"],
            "没有名为“无此镇”的乡镇",
        ),
    ],
)
def test_bad_arguments_exit_with_a_chinese_error_and_write_nothing(
    tmp_path, capsys, helpers, term, arguments, message
):
    target = tmp_path / "核查表.xlsx"
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "omission_report", *arguments, "--output", str(target)]
        )

    assert exited.value.code == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_failure_halfway_leaves_no_file(tmp_path, helpers, term, monkeypatch):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("名单比对失败")

    monkeypatch.setattr(external_lists, "list_differences", broken)
    with pytest.raises(RuntimeError):
        _report(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_output_must_be_an_xlsx_file(tmp_path, helpers, term):
    with pytest.raises(CommandError, match="输出文件须以 .xlsx 结尾"):
        call_command(
            "omission_report",
            "--year",
            "2022-2023",
            "--term",
            "autumn",
            "--output",
            str(tmp_path / "a.csv"),
        )


def test_the_export_centre_job_keeps_to_the_staffs_township(helpers, two_townships, township):
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    out = io.BytesIO()
    rows = OmissionWorkbook().run(
        actor=staff,
        parameters={"term": two_townships.term.pk, "township": None},
        out=out,
        progress=lambda f: None,
    )

    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    cells = [
        str(c)
        for name in book.sheetnames
        for row in _rows(book[name])
        for c in row
        if c is not None
    ]
    assert EXPORT_KINDS["omission_report"].label == "控辍保学与应助尽助核查表（xlsx）"
    assert rows == 4  # one sample row each, and 青山娃 only
    assert "青山娃" in cells and "白云娃" not in cells


def test_ids_are_masked_for_a_role_that_may_not_see_them_in_full():
    case = Unaided(
        1, "青山娃", DROPOUT_ID, "青山镇", "青山幼儿园", "学前教育政府助学金", 10, "尚未测算"
    )
    masked = list(unaided_rows([case], reveal=False))[1]
    full = list(unaided_rows([case], reveal=True))[1]

    assert not FULL_ID.search(masked[2]) and masked[2][-4:] == DROPOUT_ID[-4:]
    assert full[2] == DROPOUT_ID


def test_the_page_lists_the_cases_per_school_with_the_policy_name(
    client: Client, two_townships, township
):
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    client.force_login(staff)

    response = client.get(reverse("aid:unaided"))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "青山幼儿园" in html
        and "青山娃" in html
        and "学前教育政府助学金" in html
        and "尚未测算" in html
    )
    assert "白云娃" not in html
    assert "PRE-GRANT" not in html
    assert not FULL_ID.search(html)


def test_an_auditor_cannot_open_the_page(client: Client, term):
    auditor = make_user(role=Role.AUDITOR)
    client.force_login(auditor)
    assert client.get(reverse("aid:unaided")).status_code == 403


def test_the_county_sees_every_township_or_one(client: Client, two_townships):
    client.force_login(make_user(role=Role.COUNTY_ADMIN))

    everything = client.get(reverse("aid:unaided")).content.decode()
    one = client.get(reverse("aid:unaided"), {"township": two_townships.township.pk}).content.decode()

    assert "白云镇 · 白云幼儿园（1 人次）" in everything and "青山镇 · 青山幼儿园（1 人次）" in everything
    assert "白云娃" in one and "青山娃" not in one
