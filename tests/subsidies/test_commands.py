"""The command-line contracts: open_year, compute_aid, export_aid, and the workbook they write."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from aidsite.models import AccessAction, AccessLog
from students.models import HouseholdCategory as H
from students.models import SchoolYear, Stage
from subsidies.models import Entitlement, Policy
from tests.factories import make_school_year

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "身份证号", "乡镇", "学校", "学段", "年级", "班级", "项目代码", "资助项目", "档次", "金额（元）", "状态", "依据"]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_open_year_gives_the_first_year_the_seed_standards_and_later_years_a_copy():
    assert get_commands()["open_year"] == "subsidies"
    output = _run("open_year", "2022-2023")
    assert "种子标准" in output
    first = SchoolYear.objects.get(name="2022-2023")
    codes = set(Policy.objects.filter(school_year=first).values_list("code", flat=True))
    assert codes == {
        "PRE-GRANT", "PRE-FEE", "CMP-BOARD", "CMP-NUTRI", "CMP-MEAL", "HS-GRANT",
        "HS-FEE", "VOC-FREE", "VOC-GRANT", "HE-LIVING", "HE-AUTUMN", "HE-LOAN",
    }
    meal = Policy.objects.get(school_year=first, code="CMP-MEAL")
    meal.daily_rates.filter(category="orphan").update(rate=Decimal("12.00"))
    grant = Policy.objects.get(school_year=first, code="PRE-GRANT")
    assert {t.tier: t.annual_amount for t in grant.tiers.all()} == {
        1: Decimal("1000.00"), 2: Decimal("1200.00"), 3: Decimal("1400.00"),
    }

    assert "复制自2022-2023学年" in _run("open_year", "2023-2024")
    second = SchoolYear.objects.get(name="2023-2024")
    copied = Policy.objects.get(school_year=second, code="CMP-MEAL")
    assert copied.pk != meal.pk
    assert copied.daily_rates.get(category="orphan").rate == Decimal("12.00")
    assert Policy.objects.filter(school_year=second).count() == 12

    assert "未改动" in _run("open_year", "2023-2024")
    assert Policy.objects.filter(school_year=second).count() == 12


def test_compute_aid_computes_and_prints_the_summary(term, kids):
    school = kids.school(Stage.PRIMARY, name="青山镇中心小学")
    kids(school, orphan=True)
    output = _run("compute_aid", "--year", "2022-2023", "--term", "autumn", "--township", "青山镇")
    assert "新增 2" in output  # meal and nutrition
    assert "青山镇中心小学" in output
    assert "1,825.00" in output
    assert Entitlement.objects.count() == 2
    assert "新增 0" in _run("compute_aid", "--year", "2022-2023", "--term", "autumn")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2030-2031", "--term", "autumn"], "没有 2030-2031 学年"),
        (["--year", "2022-2024", "--term", "autumn"], "应相邻"),
        (["--year", "2022-2023", "--term", "autumn", "--township", "无此镇"], "没有名为“无此镇”的乡镇"),
        (["--year", "2022-2023", "--term", "autumn", "--policy", "NO-SUCH"], "没有代码为 NO-SUCH"),
    ],
)
def test_unknown_year_township_or_policy_is_a_command_error_in_chinese(term, args, message):
    for command in ("compute_aid", "export_aid"):
        extra = ["--output", "/tmp/unused.xlsx"] if command == "export_aid" else []
        with pytest.raises(CommandError, match=message):
            _run(command, *args, *extra)


def test_export_aid_writes_the_term_list_as_a_formal_workbook(term, kids, tmp_path):
    school = kids.school(Stage.PRIMARY, is_rural=False, name="青山镇中心小学")
    orphan = kids(school, orphan=True, name="王小明", grade="三年级", class_name="2班")
    kids(school, categories=(H.DIBAO,), name="=HYPERLINK(\"http://x\",\"点我\")")
    kids(school, categories=(H.OTHER,), name="@SUM(A1)")
    _run("compute_aid", "--year", "2022-2023", "--term", "autumn")
    output = tmp_path / "名单.xlsx"
    text = _run("export_aid", "--year", "2022-2023", "--term", "autumn", "--output", str(output))
    assert "已导出 3 条" in text

    workbook = openpyxl.load_workbook(output)
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "资助名单" in values[0][0]
    assert values[1][0].startswith("填报单位")
    assert values[2] == HEADER
    data = values[3:6]
    by_name = {row[1]: row for row in data}
    row = by_name["王小明"]
    assert row[2] == orphan.student.id_number and len(row[2]) == 18
    assert sheet.cell(row=4 + data.index(row), column=3).data_type == "s"
    assert row[3:8] == ["青山镇", "青山镇中心小学", "小学", "三年级", "2班"]
    assert row[8:10] == ["CMP-MEAL", "家庭困难学生营养餐补助"]
    assert row[11] == 1825 and isinstance(row[11], int | float)
    assert row[12] == "拟资助" and "孤儿" in row[13]
    # Nothing a user typed becomes a formula.
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in by_name
    assert "'@SUM(A1)" in by_name
    for cells in sheet.iter_rows():
        for cell in cells:
            assert cell.data_type != "f"
    total = values[6]
    assert total[0] == "合计" and total[1] == "共 3 人" and total[11] == 2425
    assert values[7][0] == "合计金额（大写）：贰仟肆佰贰拾伍元整"
    assert any(v and str(v).startswith("制表人") for v in values[-1])

    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert "第 &P 页 共 &N 页" in sheet.oddFooter.center.text
    assert sheet.cell(row=4, column=12).number_format == "#,##0.00"

    log = AccessLog.objects.get()
    assert (log.user, log.action, log.row_count, log.detail["via"]) == (None, AccessAction.EXPORT, 3, "command")


def test_export_aid_writes_every_status_and_filters_by_policy(term, kids, tmp_path):
    school = kids.school(Stage.HIGH)
    for _ in range(13):
        kids(school)
    kids(school, categories=(H.EXTREME,))
    kids(school, categories=(H.REGISTERED,))
    kids(school, categories=(H.OTHER,))  # 16 enrolled: quota 2, one left out
    _run("compute_aid", "--year", "2022-2023", "--term", "autumn")
    output = tmp_path / "hs.xlsx"
    _run("export_aid", "--year", "2022-2023", "--term", "autumn", "--policy", "HS-GRANT", "--output", str(output))
    values = [[c.value for c in row] for row in openpyxl.load_workbook(output).active.iter_rows()]
    data = values[3:6]
    assert sorted(row[12] for row in data) == ["拟资助", "拟资助", "符合条件未安排"]
    assert values[6][1] == "共 3 人" and values[6][11] == 2250
    assert values[7][0] == "合计金额（大写）：贰仟贰佰伍拾元整"


def test_an_empty_term_exports_a_header_and_a_zero_total(term, tmp_path):
    make_school_year("2022-2023")
    output = tmp_path / "empty.xlsx"
    _run("export_aid", "--year", "2022-2023", "--term", "spring", "--output", str(output))
    values = [[c.value for c in row] for row in openpyxl.load_workbook(output).active.iter_rows()]
    assert values[2] == HEADER
    assert values[3][0] == "合计" and values[3][1] == "共 0 人"
    assert values[4][0] == "合计金额（大写）：零元整"


def test_a_year_without_policies_is_a_command_error(db):
    make_school_year("2030-2031")
    with pytest.raises(CommandError, match="尚未配置资助政策"):
        _run("compute_aid", "--year", "2030-2031", "--term", "autumn")


def test_a_web_export_is_scoped_masked_without_the_reveal_permission_and_logged(term, kids, township):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    from aidsite.models import Role, StaffProfile
    from subsidies.exports.aid import entitlements_export
    from tests.factories import make_township, make_user

    mine = kids(kids.school(Stage.PRIMARY, is_rural=False), orphan=True)
    other_kids = type(kids)(term, make_township())
    other_kids(other_kids.school(Stage.PRIMARY, is_rural=False), orphan=True)
    _run("compute_aid", "--year", "2022-2023", "--term", "autumn")

    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    staff.groups.clear()
    staff.user_permissions.add(Permission.objects.get(codename="export_entitlement"))
    StaffProfile.objects.filter(user=staff).update(role=Role.TOWNSHIP_STAFF)
    target = io.BytesIO()
    result = entitlements_export(target, term=term, actor=staff)
    assert result.rows == 1
    values = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(target.getvalue())).active.iter_rows()]
    assert values[3][1] == mine.student.name
    assert values[3][2] == mine.student.masked_id_number != mine.student.id_number
    log = AccessLog.objects.get(user=staff)
    assert (log.row_count, log.detail["full_id_numbers"], log.detail["via"]) == (1, False, "web")

    director = make_user(role=Role.DIRECTOR, school=mine.school)
    with pytest.raises(PermissionDenied):
        entitlements_export(io.BytesIO(), term=term, actor=director)
