"""Names without control characters (SECURITY B4/E1) and birth dates that fit the stage (B1), on every path."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from aidsite.lib.excel import write_formal_workbook
from aidsite.lib.idcard import complete_id_number
from students.admin import StudentExportResource
from students.exports import student_roster_xlsx
from students.importing import roster_import
from students.models import Enrollment, Household, School, Stage, Student, Township, Village
from tests.factories import make_enrollment, make_school, make_student
from tests.scoped_world import build_world
from tests.students.test_importing import IMPORTER, MESSY_HEADERS, good_rows, places, xlsx  # noqa: F401 - places is a fixture

pytestmark = pytest.mark.django_db

STUDENTS = "/admin/students/student/"
ENROLLMENTS = "/admin/students/enrollment/"
BELL = "Bell\x07Esc\x1b"


@pytest.fixture
def world():
    return build_world()


def _student_form(world, **fields):
    data = {
        "name": "新学生",
        "id_number": make_id_number_for(dt.date(2018, 5, 1)),
        "household": world.household_a.pk,
        "guardian_name": "",
        "guardian_phone": "",
        "disability_certificate": "",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def make_id_number_for(birth: dt.date) -> str:
    return complete_id_number(f"370802{birth:%Y%m%d}123")


# --- names ---------------------------------------------------------------------------------


def test_the_admin_refuses_a_student_name_with_control_characters(client, world):
    client.force_login(world.township_staff)
    response = client.post(f"{STUDENTS}add/", _student_form(world, name=BELL))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "控制字符" in str(errors["name"])
    assert not Student.objects.filter(name=BELL).exists()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Township, "name"),
        (Village, "name"),
        (School, "name"),
        (Household, "head_name"),
        (Household, "address"),
        (Student, "name"),
        (Student, "guardian_name"),
        (Enrollment, "grade"),
        (Enrollment, "class_name"),
    ],
)
def test_every_registry_name_refuses_control_characters_and_line_breaks(model, field):
    validators = model._meta.get_field(field).validators
    for value in ("a\x00b", BELL, "甲\n乙", "甲\t乙"):
        with pytest.raises(ValidationError) as caught:
            for validator in validators:
                validator(value)
        assert "控制字符" in str(caught.value)
    for validator in validators:
        validator("王小明 Li")


def test_model_full_clean_refuses_a_control_character_in_a_name(world):
    student = world.student_a
    student.name = BELL
    with pytest.raises(ValidationError) as caught:
        student.full_clean()
    assert "name" in caught.value.message_dict


def test_free_text_keeps_line_breaks_but_refuses_other_control_characters():
    from campaigns.models import HomeVisit

    field = HomeVisit._meta.get_field("family_feedback")
    for validator in field.validators:
        validator("第一行\n第二行\t完")
    with pytest.raises(ValidationError):
        for validator in field.validators:
            validator("家长\x07反映")


def test_the_portal_forms_refuse_control_characters_in_names():
    from campaigns.forms import ContactForm

    form = ContactForm(
        data={"date": "2023-03-01", "teacher": BELL, "mode": "phone", "content": "内容"}
    )
    assert not form.is_valid()
    assert "控制字符" in str(form.errors["teacher"])


# --- writers never crash on a control character already stored -----------------------------


def _stored_with_control_characters(world) -> Student:
    # Stored before the validators existed (or by raw SQL): the exports must still work.
    Student.objects.filter(pk=world.student_a.pk).update(name=BELL, guardian_name="监护\x0b人")
    Enrollment.objects.filter(pk=world.enrollment_a.pk).update(class_name="1\x1f班")
    return Student.objects.get(pk=world.student_a.pk)


def test_the_admin_xlsx_and_csv_exports_survive_a_control_character(client, world):
    _stored_with_control_characters(world)
    client.force_login(world.county)
    fields = {f"studentexportresource_{name}": "on" for name in StudentExportResource.Meta.fields}
    response = client.post(f"{STUDENTS}export/", {"format": "0", **fields})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Bell\ufffdEsc\ufffd" in names
    csv_response = client.post(f"{STUDENTS}export/", {"format": "1", **fields})
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert "Bell\ufffdEsc\ufffd" in text
    assert "\x07" not in text


def test_the_export_centre_roster_survives_a_control_character(world):
    _stored_with_control_characters(world)
    out = io.BytesIO()
    count = student_roster_xlsx(
        user=world.county, parameters={"school_year": world.year.pk}, out=out, progress=lambda _: None
    )
    assert count == 2
    out.seek(0)
    cells = {
        value
        for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)
        for value in row
    }
    assert {"Bell\ufffdEsc\ufffd", "1\ufffd班"} <= cells


def test_the_formal_writer_shows_a_control_character_as_a_replacement_mark():
    out = io.BytesIO()
    write_formal_workbook(out, [("姓名", "金额（元）"), (BELL, 1), ("=1+1", 2)], title="名单\x00")
    out.seek(0)
    cells = [v for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True) for v in row]
    assert "Bell\ufffdEsc\ufffd" in cells
    assert "名单\ufffd" in cells
    assert "'=1+1" in cells
    assert not any(isinstance(v, str) and ("\x07" in v or "_x0007_" in v) for v in cells)


# --- birth dates that fit the stage (B1) ----------------------------------------------------


def _kindergarten(world) -> School:
    return make_school(township=world.township_a, name="甲镇中心幼儿园", stages=Stage.KINDERGARTEN)


def test_the_admin_refuses_a_1949_birth_date_in_a_kindergarten_inline(client, world):
    kindergarten = _kindergarten(world)
    client.force_login(world.township_staff)
    response = client.post(
        f"{STUDENTS}add/",
        _student_form(
            world,
            id_number="11010519491231002X",
            **{
                "enrollments-TOTAL_FORMS": "1",
                "enrollments-0-school_year": world.year.pk,
                "enrollments-0-school": kindergarten.pk,
                "enrollments-0-stage": Stage.KINDERGARTEN,
                "enrollments-0-grade": "大班",
                "enrollments-0-class_name": "1班",
                "enrollments-0-status": "studying",
            },
        ),
    )
    assert response.status_code == 200
    inline_errors = str(response.context["inline_admin_formsets"][0].formset.errors)
    assert "与学段不符" in inline_errors and "1949-12-31" in inline_errors
    assert not Student.objects.filter(id_number="11010519491231002X").exists()


def test_the_enrollment_admin_refuses_an_age_that_does_not_fit_the_stage(client, world):
    kindergarten = _kindergarten(world)
    old = make_student(household=world.household_a, birth=dt.date(1949, 12, 31))
    client.force_login(world.township_staff)
    response = client.post(
        f"{ENROLLMENTS}add/",
        {
            "student": old.pk,
            "school": kindergarten.pk,
            "school_year": world.year.pk,
            "stage": Stage.KINDERGARTEN,
            "grade": "大班",
            "class_name": "",
            "major": "",
            "status": "studying",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "与学段不符" in str(errors["stage"])
    assert not Enrollment.objects.filter(student=old).exists()


def test_changing_a_students_id_to_one_that_does_not_fit_their_enrollment_is_refused(world):
    student = world.student_a  # a primary pupil in 2022-2023
    student.id_number = "11010519491231002X"
    student.birth_date = dt.date(1949, 12, 31)
    student.sex = "F"
    with pytest.raises(ValidationError) as caught:
        student.full_clean()
    assert "与学段不符" in str(caught.value.message_dict["id_number"])


def test_a_plausible_enrollment_passes_full_clean(world):
    kindergarten = _kindergarten(world)
    child = make_student(household=world.household_a, birth=dt.date(2018, 5, 1))
    enrollment = make_enrollment(student=child, school=kindergarten, school_year=world.year)
    enrollment.full_clean()
    enrollment.stage = Stage.PRIMARY
    with pytest.raises(ValidationError) as caught:
        enrollment.full_clean()
    assert "没有" in str(caught.value.message_dict["stage"])



@pytest.mark.usefixtures("places")
def test_the_importer_stores_a_line_break_in_a_one_line_cell_as_a_space(tmp_path):
    rows, _ = good_rows()
    rows[0][13] = "2\n班"  # 班级, typed with Alt+Enter
    report = roster_import(actor=IMPORTER, kind="students", source=xlsx(tmp_path / "a.xlsx", MESSY_HEADERS, rows))
    assert report.ok, report.errors
    enrollment = Enrollment.objects.get(student__name="王芳")
    assert enrollment.class_name == "2 班"
    enrollment.full_clean()  # what the importer stores, the admin accepts
