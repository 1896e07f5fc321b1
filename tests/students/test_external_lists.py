"""import_external: the three lists with their own columns, the differences, review and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from aidsite.access import SystemActor
from aidsite.models import Role
from students.external_lists import (
    condition_changes_count,
    external_difference_count,
    list_differences,
)
from students.importing.external_service import external_list_import
from students.models import (
    ExternalListImport,
    ExternalListRow,
    Household,
    HouseholdCategory,
    HouseholdHardship,
    HouseholdMember,
    PovertyStatus,
)
from tests.factories import (
    make_enrollment,
    make_household,
    make_school,
    make_school_year,
    make_student,
    make_user,
)
from tests.students.external_sheets import (
    CIVIL_HEADERS,
    DISABILITY_HEADERS,
    POVERTY_HEADERS,
    make_county,
    person,
    workbook,
)

pytestmark = pytest.mark.django_db

COUNTY_IT = SystemActor("测试信息员")


def spaced(id_number: str) -> str:
    """An ID as clerks type it: spaces, full-width digits, a lower-case x."""
    full = id_number[:6].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"{full} {id_number[6:14]} {id_number[14:].lower()}"


def registry_counts() -> tuple[int, ...]:
    return (
        Household.objects.count(),
        HouseholdMember.objects.count(),
        HouseholdHardship.objects.count(),
        ExternalListImport.objects.count(),
        ExternalListRow.objects.count(),
        Household.history.count(),
        HouseholdMember.history.count(),
        HouseholdHardship.history.count(),
    )


def test_poverty_list_in_a_messy_sheet_adds_the_household_in_its_village(tmp_path):
    county = make_county()
    head, child = person(1980), person(2012)
    path = workbook(tmp_path / "p.xlsx", POVERTY_HEADERS, [
        ["东镇", "二村", "P001", "王 大", "王 大", spaced(head), "户主", "已脱贫", "2020年"],
        ["东 镇", "二村", "P001", "王大", "王小", f" {child} ", "之子", "已脱贫", 2020],
    ])  # fmt: skip
    before = registry_counts()

    preview = external_list_import(source="poverty", file=path, actor=COUNTY_IT, dry_run=True)

    assert preview.ok, preview.errors
    assert dict(preview.counts()) == {"新增人员": 2, "新增类别": 1}
    assert registry_counts() == before  # a dry run writes nothing

    report = external_list_import(source="poverty", file=path, actor=COUNTY_IT)

    assert report.applied == 3
    household = Household.objects.get()
    assert (household.village, household.head_name) == (county.two, "王大")
    members = {m.id_number: m for m in household.members.all()}
    assert members[child].relation == "child" and members[child].name == "王小"
    assert members[head].relation == "head"
    hardship = household.hardships.get()
    assert (hardship.category, hardship.status, hardship.year_lifted) == (
        "registered",
        PovertyStatus.LIFTED,
        2020,
    )
    reason = HouseholdHardship.history.get().history_change_reason
    assert "乡村振兴部门建档立卡名单" in reason and "测试信息员" in reason
    assert ExternalListRow.objects.count() == 2
    # The same list again: nothing left to apply, nothing changes.
    again = external_list_import(source="poverty", file=path, actor=COUNTY_IT)
    assert again.differences == [] and again.applied == 0
    assert list_differences(actor=COUNTY_IT) == []


def test_each_kind_of_difference_from_the_household_lists(tmp_path):
    county = make_county()
    moved = make_household(
        village=county.one, head_name="李四", categories=(HouseholdCategory.REGISTERED,)
    )
    moved_head = person(1979)
    HouseholdMember.objects.create(household=moved, name="李四", id_number=moved_head)
    renamed = make_household(village=county.one, head_name="赵六")
    renamed_id = person(2011)
    HouseholdMember.objects.create(household=renamed, name="赵六六", id_number=renamed_id)
    dropped = make_household(
        village=county.one, head_name="孙七", categories=(HouseholdCategory.REGISTERED,)
    )
    elsewhere = make_household(
        village=county.three, head_name="周八", categories=(HouseholdCategory.REGISTERED,)
    )
    path = workbook(tmp_path / "p.xlsx", POVERTY_HEADERS, [
        ["东镇", "二村", "", "李四", "李四", moved_head, "户主", "未脱贫", ""],
        ["东镇", "一村", "", "赵六", "赵六", renamed_id, "户主", "已脱贫", 2019],
    ])  # fmt: skip

    report = external_list_import(source="poverty", file=path, actor=COUNTY_IT, dry_run=True)

    kinds = {(d.kind, d.name) for d in report.differences}
    assert ("迁至其他村", "李四") in kinds
    assert ("姓名不一致", "赵六") in kinds
    assert ("新增类别", "赵六") in kinds  # 已脱贫 2019, the registry had no 建档立卡
    assert ("类别终止", "孙七") in kinds  # in a township the list covers, no longer on it
    assert all(d.name != "周八" for d in report.differences)  # 西镇 is not on this list

    external_list_import(source="poverty", file=path, actor=COUNTY_IT)

    moved.refresh_from_db()
    assert moved.village == county.two
    assert HouseholdMember.objects.get(id_number=renamed_id).name == "赵六"
    assert not dropped.hardships.exists()
    assert elsewhere.hardships.exists()
    ended = HouseholdHardship.history.filter(household_id=dropped.pk, history_type="-").get()
    assert ended.history_change_reason.startswith("外部名单比对")


def test_civil_list_categories_with_their_dates(tmp_path):
    county = make_county()
    current = make_household(village=county.one, head_name="陈一")
    ended = make_household(
        village=county.one, head_name="陈二", categories=(HouseholdCategory.DIBAO,)
    )
    ids = [person(1985), person(1986), person(2013)]
    HouseholdMember.objects.create(household=current, name="陈一", id_number=ids[0])
    HouseholdMember.objects.create(household=ended, name="陈二", id_number=ids[1])
    path = workbook(tmp_path / "c.xlsx", CIVIL_HEADERS, [
        ["东镇", "一村", "陈一", "陈一", ids[0], "农村低保", dt.datetime(2021, 3, 1), None],
        ["东镇", "一村", "陈一", "陈小", ids[2], "低保", "2021/3/1", ""],
        ["东镇", "一村", "陈二", "陈二", ids[1], "低保户", "2019-01", "2022年6月30日"],
    ])  # fmt: skip

    report = external_list_import(source="civil", file=path, actor=COUNTY_IT)

    assert report.ok, report.errors
    assert dict(report.counts()) == {"新增人员": 1, "新增类别": 1, "类别终止": 1}
    (gain,) = [d for d in report.differences if d.kind == "新增类别"]
    assert (gain.name, gain.id_number) == ("陈一", ids[0])  # the head's, not another member's
    gained = current.hardships.get()
    assert (gained.category, gained.start_date, gained.end_date) == (
        "dibao",
        dt.date(2021, 3, 1),
        None,
    )
    assert not ended.hardships.exists()
    # The end date is kept in the category's history before it went.
    last = HouseholdHardship.history.filter(household_id=ended.pk).order_by("-history_id")
    assert [h.history_type for h in last[:2]] == ["-", "~"]
    assert last[0].end_date == dt.date(2022, 6, 30)


def test_disability_list_sets_and_ends_a_students_certificate(tmp_path):
    make_county()
    gains = make_student(name="吴一")
    certified = make_student(name="吴二", is_disabled=True, disability_certificate="x")
    certified.disability_certificate = certified.id_number + "21"
    certified.save()
    certificate = gains.id_number + "42"
    path = workbook(tmp_path / "d.xlsx", DISABILITY_HEADERS, [
        ["吴 一", gains.id_number, certificate, "肢体残疾", "四级"],
        ["不在册", person(1970), None, "视力", "1"],
    ])  # fmt: skip
    # A certificate that does not fit is a row error naming row and column.
    bad = external_list_import(source="disability", file=path, actor=COUNTY_IT)
    assert [str(e) for e in bad.errors] == ["第 5 行，“残疾人证号”：残疾证号不能为空"]

    path = workbook(
        tmp_path / "d.xlsx",
        DISABILITY_HEADERS,
        [["吴 一", gains.id_number, certificate, "肢体残疾", "四级"]],
    )
    report = external_list_import(source="disability", file=path, actor=COUNTY_IT)

    assert dict(report.counts()) == {"新增类别": 1, "类别终止": 1}
    gains.refresh_from_db()
    certified.refresh_from_db()
    assert (gains.is_disabled, gains.disability_certificate) == (True, certificate)
    assert (certified.is_disabled, certified.disability_certificate) == (False, "")


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(tmp_path, capsys):
    make_county()
    good = person(1990)
    path = workbook(tmp_path / "p.xlsx", POVERTY_HEADERS, [
        ["东镇", "一村", "", "甲", "甲", good, "户主", "未脱贫", ""],
        ["东镇", "九村", "", "乙", "乙", person(1991), "户主", "未脱贫", ""],
        ["东镇", "一村", "", "丙", "丙", "4.20984E+17", "户主", "返贫", ""],
        ["东镇", "一村", "", "甲", "甲", good, "舅舅", "未脱贫", ""],
    ])  # fmt: skip
    before = registry_counts()

    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_external", "poverty", str(path))

    errors = capsys.readouterr().err.splitlines()
    assert "第 5 行，“行政村”：村“九村”不在东镇的村（社区）名册中" in errors
    assert any(e.startswith("第 6 行，“公民身份号码”：") and "科学计数法" in e for e in errors)
    assert "第 6 行，“脱贫状态”：脱贫状态“返贫”无法识别，应为 未脱贫 或 已脱贫" in errors
    assert any(e.startswith("第 7 行，“家庭关系”：") for e in errors)
    assert registry_counts() == before


def test_the_command_prints_the_differences_and_dry_run_writes_nothing(tmp_path, capsys):
    make_county()
    child = person(2012)
    path = workbook(
        tmp_path / "p.xlsx",
        POVERTY_HEADERS,
        [["东镇", "一村", "", "钱一", "钱二", child, "孙女", "未脱贫", ""]],
    )
    before = registry_counts()

    call_command("import_external", "poverty", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "新增人员\t钱二\t" in out and child not in out  # the ID is masked
    assert "试导入，未写入数据" in out
    assert registry_counts() == before
    call_command("import_external", "poverty", str(path))
    assert HouseholdMember.objects.get(id_number=child).relation == "grandchild"


def test_differences_are_in_the_officers_township_and_flag_the_aid_summary(tmp_path):
    county = make_county()
    year = make_school_year("2022-2023")
    east_home = make_household(village=county.one, head_name="东户")
    west_home = make_household(village=county.three, head_name="西户")
    east_child = make_student(household=east_home)
    make_enrollment(student=east_child, school=make_school(township=county.east), school_year=year)
    path = workbook(tmp_path / "c.xlsx", CIVIL_HEADERS, [
        ["东镇", "一村", "东户", "东户", person(1980), "低保", "", ""],
        ["西镇", "三村", "西户", "西户", person(1981), "特困", "", ""],
    ])  # fmt: skip
    external_list_import(source="civil", file=path, actor=COUNTY_IT, dry_run=True)
    before_apply = dt.datetime.now(dt.UTC)
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=county.east)
    director = make_user(role=Role.DIRECTOR, school=make_school(township=county.east))
    report = external_list_import(source="civil", file=path, actor=COUNTY_IT)
    assert report.applied == 4 and list_differences(actor=COUNTY_IT) == []
    assert condition_changes_count(since=before_apply, school_year=year) == 1
    assert condition_changes_count(since=before_apply, school_year=year, township=county.west) == 0
    assert condition_changes_count(since=dt.datetime.now(dt.UTC), school_year=year) == 0

    # The registry drifts from the list: each side sees its own township's differences only.
    HouseholdHardship.objects.filter(household__in=[east_home, west_home]).delete()
    county_view = list_differences(actor=COUNTY_IT)
    assert sorted(d.name for d in county_view) == ["东户", "西户"]
    assert [d.name for d in list_differences(actor=officer)] == ["东户"]
    assert list_differences(actor=officer)[0].source == "民政低保特困名单"
    assert external_difference_count(officer) == 1
    assert external_difference_count(director) == 0
    with pytest.raises(PermissionDenied):
        list_differences(actor=officer, township=county.west)


@pytest.mark.parametrize("size", [2, 20])
def test_list_differences_runs_a_constant_number_of_queries(tmp_path, size, django_assert_num_queries):
    county = make_county()
    rows = []
    for i in range(size):
        make_household(village=county.one, head_name=f"户{i}", categories=(HouseholdCategory.DIBAO,))
        rows.append(["东镇", "二村", f"新户{i}", f"新户{i}", person(1980), "特困", "", ""])
    external_list_import(source="civil", file=workbook(tmp_path / "c.xlsx", CIVIL_HEADERS, rows), actor=COUNTY_IT)
    HouseholdHardship.objects.filter(category=HouseholdCategory.EXTREME).delete()

    # The latest imports, the registry (villages, households, members, students, hardships), the snapshot.
    with django_assert_num_queries(7):
        found = list_differences(actor=COUNTY_IT)

    assert len(found) == size
