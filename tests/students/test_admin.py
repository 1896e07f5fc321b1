"""The registry back office: masking, search, constant-query lists, export and the import page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aidsite.lib.excel import neutralize_formula
from aidsite.models import AccessAction, AccessLog, Role, StaffProfile
from students.admin import StudentExportResource
from students.models import Student
from students.uploads import pending_uploads_sweep
from tests.factories import (
    make_enrollment,
    make_household,
    make_id_number,
    make_student,
    make_user,
)
from tests.scoped_world import ID_PATTERN_IN_HTML, build_world

pytestmark = pytest.mark.django_db

STUDENTS = "/admin/students/student/"
HOUSEHOLDS = "/admin/students/household/"
EXPORT = "/admin/students/student/export/"
IMPORT = "/admin/students/student/import/"


@pytest.fixture
def world():
    return build_world()


def _html(response) -> str:
    return response.content.decode()


def _no_full_id(response) -> bool:
    return re.search(ID_PATTERN_IN_HTML, _html(response)) is None


# --- masking and reveal -------------------------------------------------------------------


def test_the_list_masks_id_numbers_even_for_the_county_admin(client, world):
    client.force_login(world.county)
    response = client.get(STUDENTS)
    assert response.status_code == 200
    assert world.student_a.masked_id_number in _html(response)
    assert _no_full_id(response)


def test_the_household_list_masks_phones(client, world):
    client.force_login(world.county)
    body = _html(client.get(HOUSEHOLDS))
    assert "139****5678" in body
    assert "13912345678" not in body


def test_a_user_with_the_reveal_permission_sees_the_masked_id_until_asking(client, world):
    # The heading and the form agree: masked, with a link to the logged reveal (issue 12).
    client.force_login(world.township_staff)
    response = client.get(f"{STUDENTS}{world.student_a.pk}/change/")
    assert response.status_code == 200
    assert _no_full_id(response) and world.student_a.masked_id_number in _html(response)
    assert 'name="id_number"' not in _html(response)
    assert "显示完整号码" in _html(response)
    assert not AccessLog.objects.exists()


def test_a_user_with_the_reveal_permission_sees_the_full_id_on_asking_and_the_view_is_logged(
    client, world
):
    client.force_login(world.township_staff)
    response = client.get(f"{STUDENTS}{world.student_a.pk}/change/", {"reveal": "1"})
    assert world.student_a.id_number in _html(response)
    assert 'name="id_number"' in _html(response) and "显示完整号码" not in _html(response)
    entry = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert entry.user == world.township_staff
    assert entry.detail == {"model": "students.student", "pk": world.student_a.pk}
    # The log names the student by the masked number only.
    assert world.student_a.id_number not in entry.what


def test_the_auditor_sees_full_values_read_only_and_the_view_is_logged(client, world):
    client.force_login(world.auditor)
    masked = client.get(f"{HOUSEHOLDS}{world.household_a.pk}/change/")
    assert "13912345678" not in _html(masked) and "139****5678" in _html(masked)
    assert not AccessLog.objects.exists()
    response = client.get(f"{HOUSEHOLDS}{world.household_a.pk}/change/", {"reveal": "1"})
    assert "13912345678" in _html(response)
    assert 'name="phone"' not in _html(response)
    assert AccessLog.objects.filter(user=world.auditor, action=AccessAction.REVEAL).count() == 1


def test_a_director_sees_masked_read_only_values_and_nothing_is_logged(client, world):
    client.force_login(world.director)
    student_page = client.get(f"{STUDENTS}{world.student_a.pk}/change/")
    household_page = client.get(f"{HOUSEHOLDS}{world.household_a.pk}/change/")
    assert student_page.status_code == household_page.status_code == 200
    assert world.student_a.masked_id_number in _html(student_page)
    assert "136****2222" in _html(student_page)
    assert "139****5678" in _html(household_page)
    for page in (student_page, household_page):
        assert _no_full_id(page)
        assert "13912345678" not in _html(page) and "13611112222" not in _html(page)
    assert not AccessLog.objects.exists()


def test_no_page_a_director_can_open_holds_a_full_id_number(client, world):
    client.force_login(world.director)
    pages = [
        STUDENTS,
        f"{STUDENTS}?q=甲",
        f"{STUDENTS}{world.student_a.pk}/change/",
        f"{STUDENTS}{world.student_a.pk}/history/",
        HOUSEHOLDS,
        f"{HOUSEHOLDS}{world.household_a.pk}/change/",
        "/admin/students/enrollment/",
        f"/admin/students/enrollment/{world.enrollment_a.pk}/change/",
        "/admin/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert _no_full_id(response), url


# --- search -------------------------------------------------------------------------------


def test_the_full_id_number_finds_the_student_however_it_is_typed(client, world):
    client.force_login(world.county)
    number = world.student_a.id_number
    typed = f" {number[:6]} {number[6:14]} {number[14:]} ".lower()
    for term in (number, typed):
        response = client.get(STUDENTS, {"q": term}, follow=True)
        assert list(response.context["cl"].result_list) == [world.student_a]


def test_a_prefix_of_an_id_number_finds_nothing(client, world):
    # Prefix search would let a role without the reveal permission recover hidden digits.
    client.force_login(world.county)
    response = client.get(STUDENTS, {"q": world.student_a.id_number[:10]})
    assert list(response.context["cl"].result_list) == []


def test_a_director_searching_a_full_id_is_sent_to_the_masked_form(client, world):
    client.force_login(world.director)
    response = client.get(STUDENTS, {"q": world.student_a.id_number})
    assert response.status_code == 302
    assert world.student_a.id_number not in response["Location"]
    followed = client.get(response["Location"])
    assert list(followed.context["cl"].result_list) == [world.student_a]
    assert _no_full_id(followed)


def test_search_by_name_and_by_phone(client, world):
    client.force_login(world.county)
    assert list(client.get(STUDENTS, {"q": "甲学生"}).context["cl"].result_list) == [
        world.student_a
    ]
    households = client.get(HOUSEHOLDS, {"q": "13787654321"}, follow=True).context["cl"].result_list
    assert list(households) == [world.household_b]


# --- editing ------------------------------------------------------------------------------


def test_adding_a_student_reads_sex_and_birth_date_from_the_id_number(client, world):
    client.force_login(world.township_staff)
    response = client.post(
        f"{STUDENTS}add/",
        {
            "name": "新学生",
            "id_number": "11010519491231002x",
            "household": world.household_a.pk,
            "guardian_name": "",
            "guardian_phone": "",
            "disability_certificate": "",
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    student = Student.objects.get(name="新学生")
    assert student.id_number == "11010519491231002X"
    assert student.sex == "F"
    assert str(student.birth_date) == "1949-12-31"


def test_a_bad_check_digit_is_a_form_error(client, world):
    client.force_login(world.township_staff)
    response = client.post(
        f"{STUDENTS}add/",
        {
            "name": "新学生",
            "id_number": "110105194912310021",
            "household": world.household_a.pk,
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "校验位" in str(response.context["adminform"].form.errors)
    assert not Student.objects.filter(name="新学生").exists()


# --- constant queries ---------------------------------------------------------------------


def _populate(world, count: int) -> None:
    for i in range(count):
        household = make_household(village=world.village_a, categories=("dibao",))
        make_enrollment(
            student=make_student(household=household), school=world.school_a, school_year=world.year
        )
        if i % 3 == 0:
            make_enrollment(
                student=make_student(household=household, is_orphan=True),
                school=world.school_a,
                school_year=world.year,
            )


def _count_queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("role", "url", "params"),
    [
        ("county", STUDENTS, {"all": ""}),
        ("township", STUDENTS, {"all": ""}),
        ("director", STUDENTS, {"all": ""}),
        ("county", HOUSEHOLDS, {"all": ""}),
        ("township", "/admin/students/enrollment/", {"all": ""}),
        ("county", EXPORT, None),
    ],
)
def test_lists_run_the_same_number_of_queries_for_10_and_130_rows(client, world, role, url, params):
    client.force_login(world.user(role))
    if url == EXPORT:
        # The file itself (POST); the GET form is trivially constant.
        def run() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = client.post(EXPORT, {"format": "0", **_all_export_fields()})
            assert response.status_code == 200
            return len(ctx.captured_queries)
    else:

        def run() -> int:
            return _count_queries(client, url, params)

    _populate(world, 8)
    small = run()
    _populate(world, 90)
    large = run()
    # Only the access-log row of an export is written per request, not per row.
    assert small == large


# --- export -------------------------------------------------------------------------------


def _all_export_fields() -> dict[str, str]:
    return {f"studentexportresource_{name}": "on" for name in StudentExportResource.Meta.fields}


def _export(client, fmt: str = "0", **params: str):
    url = EXPORT + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    return client.post(url, {"format": fmt, **_all_export_fields()})


def _xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def test_the_export_is_scoped_and_logged(client, world):
    client.force_login(world.township_staff)
    response = _export(client)
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    names = [row[0].value for row in rows[1:]]
    assert names == ["甲学生"]
    assert rows[0][0].value == "姓名"
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (entry.user, entry.row_count) == (world.township_staff, 1)


def test_exported_id_numbers_are_text_cells(client, world):
    client.force_login(world.county)
    rows = _xlsx_rows(_export(client))
    header = [cell.value for cell in rows[0]]
    id_cells = [row[header.index("公民身份号码")] for row in rows[1:]]
    assert {cell.value for cell in id_cells} == {
        world.student_a.id_number,
        world.student_b.id_number,
    }
    assert all(cell.data_type == "s" for cell in id_cells)


def test_a_role_without_the_reveal_permission_exports_masked_values(client, world):
    group = Group.objects.create(name="只导出")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="students", codename__in=["view_student", "export_student"]
        )
    )
    user = make_user(role=Role.TOWNSHIP_STAFF, township=world.township_a)
    user.groups.set([group])
    client.force_login(user)
    response = _export(client)
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    values = [str(cell.value) for row in rows for cell in row]
    assert world.student_a.masked_id_number in values
    assert "139****5678" in values
    assert not any(re.search(ID_PATTERN_IN_HTML, value) for value in values)
    assert AccessLog.objects.get(action=AccessAction.EXPORT).detail["revealed"] is False


def test_export_neutralises_formulas_in_csv_and_xlsx(client, world):
    make_enrollment(
        student=make_student(household=world.household_a, name='=HYPERLINK("x")'),
        school=world.school_a,
        school_year=world.year,
    )
    client.force_login(world.county)
    rows = _xlsx_rows(_export(client))
    cells = [row[0] for row in rows[1:]]
    assert all(cell.data_type != "f" for row in rows for cell in row)
    assert '\'=HYPERLINK("x")' in [cell.value for cell in cells]
    csv_response = _export(client, fmt="1")
    assert csv_response.status_code == 200
    lines = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert all(
        not value.startswith(("=", "+", "-", "@", "\t", "\r")) for line in lines for value in line
    )


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_leading_strings_get_an_apostrophe(value):
    assert neutralize_formula(value) == "'" + value
    assert neutralize_formula(12) == 12
    assert neutralize_formula("甲") == "甲"


def test_the_export_follows_the_list_filters(client, world):
    client.force_login(world.county)
    response = _export(client, household__village__township__id__exact=str(world.township_b.pk))
    names = [row[0].value for row in _xlsx_rows(response)[1:]]
    assert names == ["乙学生"]


def test_directors_cannot_export(client, world):
    client.force_login(world.director)
    assert client.get(EXPORT).status_code == 403
    assert _export(client).status_code == 403
    assert not AccessLog.objects.exists()


# --- import page --------------------------------------------------------------------------


@dataclass
class FakeRowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行，{self.column}：{self.message}"


@dataclass
class FakeReport:
    errors: list = field(default_factory=list)
    created: int = 2
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    total_rows: int = 2

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"新增 {self.created} 人"


class FakeImportFileError(ValueError):
    pass


@pytest.fixture
def importer(monkeypatch):
    """Stands in for students.importing so the page is tested on its own."""
    calls: list[dict] = []
    state = {"report": FakeReport()}

    def roster_import(*, kind, source, dry_run, township, actor):
        assert Path(source).exists()
        calls.append(
            {
                "kind": kind,
                "dry_run": dry_run,
                "township": township,
                "actor": actor,
                "source": Path(source),
            }
        )
        return state["report"]

    module = types.ModuleType("students.importing")
    module.roster_import = roster_import
    module.ImportFileError = FakeImportFileError
    monkeypatch.setitem(sys.modules, "students.importing", module)
    return types.SimpleNamespace(calls=calls, state=state)


def _xlsx_upload(name: str = "roster.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_preview_then_confirm_imports_into_the_officers_township(client, world, importer, settings):
    client.force_login(world.township_staff)
    preview = client.post(IMPORT, {"action": "preview", "file": _xlsx_upload()})
    assert preview.status_code == 200
    assert importer.calls[-1]["dry_run"] is True
    assert importer.calls[-1]["township"] == world.township_a
    token = preview.context["token"]
    pending = Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"
    assert pending.exists()
    assert "确认导入" in _html(preview)

    confirm = client.post(IMPORT, {"action": "confirm", "token": token})
    assert confirm.status_code == 302
    assert importer.calls[-1]["dry_run"] is False
    assert importer.calls[-1]["source"] == pending
    assert not pending.exists()
    assert "新增 2 人" in _html(client.get(STUDENTS))
    # The token is spent.
    assert client.post(IMPORT, {"action": "confirm", "token": token}).status_code == 403


def test_the_preview_lists_every_row_error_and_keeps_no_file(client, world, importer, settings):
    importer.state["report"] = FakeReport(
        errors=[
            FakeRowError(5, "身份证号", "校验位错误"),
            FakeRowError(9, "学校", "学校“某校”不存在"),
        ],
        rejected=2,
    )
    client.force_login(world.county)
    response = client.post(IMPORT, {"action": "preview", "file": _xlsx_upload()})
    body = _html(response)
    assert "校验位错误" in body and "学校“某校”不存在" in body
    assert "<td>5</td><td>身份证号</td>" in body and "<td>9</td><td>学校</td>" in body
    assert "确认导入" not in body
    assert importer.calls[-1]["township"] is None
    assert not any((Path(settings.MEDIA_ROOT) / "imports").glob("*"))


def test_an_unreadable_file_is_a_form_error(client, world, importer):
    def broken(**kwargs):
        raise FakeImportFileError("找不到表头：需要“姓名”和身份证号列")

    sys.modules["students.importing"].roster_import = broken
    client.force_login(world.county)
    response = client.post(IMPORT, {"action": "preview", "file": _xlsx_upload()})
    assert "找不到表头" in str(response.context["form"].errors)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("roster.xlsm", b"PK\x03\x04rest"), ".xlsx"),
        (SimpleUploadedFile("roster.xlsx", b"<html>not a zip</html>"), "不是有效"),
    ],
)
def test_only_real_xlsx_files_are_accepted(client, world, importer, upload, message):
    client.force_login(world.county)
    response = client.post(IMPORT, {"action": "preview", "file": upload})
    assert message in str(response.context["form"].errors)
    assert importer.calls == []


def test_files_over_the_size_cap_are_refused(client, world, importer, settings):
    settings.IMPORT_MAX_FILE_BYTES = 100
    client.force_login(world.county)
    response = client.post(IMPORT, {"action": "preview", "file": _xlsx_upload()})
    assert "文件过大" in str(response.context["form"].errors)
    assert importer.calls == []


def test_an_oversized_request_is_refused_before_its_body_is_read(client, world, importer, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024
    client.force_login(world.county)
    big = SimpleUploadedFile("roster.xlsx", b"PK\x03\x04" + b"0" * 200 * 1024)
    response = client.post(IMPORT, {"action": "preview", "file": big})
    assert "文件过大" in response.context["upload_error"]
    assert "文件过大" in _html(response)
    assert importer.calls == []


def test_a_token_from_another_session_is_refused(client, world, importer, settings):
    client.force_login(world.county)
    token = client.post(IMPORT, {"action": "preview", "file": _xlsx_upload()}).context["token"]
    other = type(client)()
    other.force_login(world.county)
    assert other.post(IMPORT, {"action": "confirm", "token": token}).status_code == 403
    assert other.post(IMPORT, {"action": "confirm", "token": "../../etc/passwd"}).status_code == 403
    assert [c["dry_run"] for c in importer.calls] == [True]


def test_stale_uploads_are_swept(settings):
    directory = Path(settings.MEDIA_ROOT) / "imports"
    directory.mkdir(parents=True)
    stale, fresh = directory / ("a" * 32 + ".xlsx"), directory / ("b" * 32 + ".xlsx")
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 2 * 60 * 60
    os.utime(stale, (old, old))
    assert pending_uploads_sweep() == 1
    assert not stale.exists() and fresh.exists()


def test_places_and_schools_are_imported_by_the_county_admin_only(client, world, importer):
    client.force_login(world.township_staff)
    for kind in ("village", "school"):
        assert client.get(f"/admin/students/{kind}/import/").status_code == 403
    client.force_login(world.county)
    for kind in ("village", "school"):
        assert client.get(f"/admin/students/{kind}/import/").status_code == 200


def test_the_import_link_shows_only_to_those_who_may_import(client, world):
    client.force_login(world.township_staff)
    assert "import/" in _html(client.get(STUDENTS))
    assert "/admin/students/village/import/" not in _html(client.get("/admin/students/village/"))
    client.force_login(world.auditor)
    assert "/admin/students/student/import/" not in _html(client.get(STUDENTS))


def test_the_real_importer_runs_through_the_page(client, world, settings):
    importing = pytest.importorskip("students.importing")
    assert hasattr(importing, "roster_import")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "姓名",
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
            "学年",
        ]
    )
    sheet.append(
        [
            "丙学生",
            make_id_number(birth=dt.date(2014, 5, 1)),
            "甲镇",
            "甲村",
            "丙户主",
            "13900001111",
            "低保",
            "",
            "甲镇中心小学",
            "小学",
            "三年级",
            "1班",
            "否",
            "2022-2023",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(world.township_staff)
    preview = client.post(
        IMPORT, {"action": "preview", "file": SimpleUploadedFile("r.xlsx", buffer.getvalue())}
    )
    assert preview.status_code == 200
    report = preview.context["report"]
    assert report is not None
    assert report.ok, [str(e) for e in report.errors]
    assert not Student.objects.filter(name="丙学生").exists()
    confirm = client.post(IMPORT, {"action": "confirm", "token": preview.context["token"]})
    assert confirm.status_code == 302
    assert Student.objects.filter(name="丙学生", household__village=world.village_a).exists()
    assert (
        AccessLog.objects.filter(action=AccessAction.IMPORT, user=world.township_staff).count() == 1
    )


# --- index --------------------------------------------------------------------------------


def test_the_index_groups_the_registry_for_staff(client, world):
    client.force_login(world.county)
    sections = [app["name"] for app in client.get("/admin/").context["app_list"]]
    assert sections[:4] == ["学生名册", "乡镇、村与学校", "学年与学期", "用户与权限"]
    client.force_login(world.director)
    apps = client.get("/admin/").context["app_list"]
    registry = apps[0]
    assert registry["name"] == "学生名册"
    assert [m["object_name"] for m in registry["models"]] == ["Student", "Household", "Enrollment"]


def test_staff_profile_of_every_role_is_kept(world):
    # The world's users carry the roles the matrix tests rely on.
    roles = set(StaffProfile.objects.values_list("role", flat=True))
    assert roles == {Role.COUNTY_ADMIN, Role.TOWNSHIP_STAFF, Role.DIRECTOR, Role.AUDITOR}
