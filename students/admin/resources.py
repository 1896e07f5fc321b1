"""The admin's student export (django-import-export): one row per student, personal data masked.

The list columns of `StudentAdmin` read the same helpers, so the list and the
file say the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field
from import_export.forms import SelectableFieldsExportForm

from aidsite.lib.excel import export_text
from aidsite.lib.idcard import mask_id_number, mask_phone
from students.models import Enrollment, Student


def latest_enrollment(student: Student) -> Enrollment | None:
    # `enrollments` is prefetched newest school year first (see StudentAdmin.get_queryset).
    enrollments = list(student.enrollments.all())
    return enrollments[0] if enrollments else None


def household_categories_text(student: Student) -> str:
    return "、".join(h.get_category_display() for h in student.household.hardships.all())


def personal_categories_text(student: Student) -> str:
    flags = [
        (student.is_orphan, _("孤儿")),
        (student.is_martyr_child, _("烈士子女")),
        (student.is_disabled, _("残疾")),
    ]
    return "、".join(str(label) for flag, label in flags if flag)


class ExportFieldsForm(SelectableFieldsExportForm):
    """The export page's field ticks by their Chinese column names, not "Name (姓名)"."""

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class StudentExportResource(resources.ModelResource):
    """The student list as a workbook: one row per student, IDs and phones masked unless revealed."""

    name = Field(attribute="name", column_name="姓名")
    sex = Field(column_name="性别")
    id_number = Field(column_name="公民身份号码")
    birth_date = Field(attribute="birth_date", column_name="出生日期")
    township = Field(column_name="乡镇")
    village = Field(column_name="村（社区）")
    head_name = Field(column_name="户主姓名")
    phone = Field(column_name="联系电话")
    household_categories = Field(column_name="家庭类别")
    personal_categories = Field(column_name="个人类别")
    school = Field(column_name="学校")
    stage = Field(column_name="学段")
    grade = Field(column_name="年级")
    class_name = Field(column_name="班级")
    status = Field(column_name="学籍状态")

    class Meta:
        model = Student
        fields = (
            "name", "sex", "id_number", "birth_date", "township", "village", "head_name", "phone",
            "household_categories", "personal_categories", "school", "stage", "grade", "class_name",
            "status",
        )  # fmt: skip
        export_order = fields
        # One page of this size costs a fixed handful of queries (the row query and its prefetches).
        chunk_size = 5000

    def __init__(self, *, reveal: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reveal = reveal

    def export_resource(self, instance, selected_fields=None, **kwargs):  # type: ignore[no-untyped-def]
        row = super().export_resource(instance, selected_fields, **kwargs)
        # Cleaned here, not only by the workbook writer: tablib writes the CSV, which must
        # hold no formula (SECURITY E1) and no control character stored before the
        # validators existed (B4).
        return [export_text(v) if isinstance(v, str) else v for v in row]

    def dehydrate_sex(self, student: Student) -> str:
        return str(student.get_sex_display())

    def dehydrate_id_number(self, student: Student) -> str:
        return student.id_number if self.reveal else mask_id_number(student.id_number)

    def dehydrate_township(self, student: Student) -> str:
        return student.household.village.township.name

    def dehydrate_village(self, student: Student) -> str:
        return student.household.village.name

    def dehydrate_head_name(self, student: Student) -> str:
        return student.household.head_name

    def dehydrate_phone(self, student: Student) -> str:
        phone = student.household.phone
        return phone if self.reveal else mask_phone(phone)

    def dehydrate_household_categories(self, student: Student) -> str:
        return household_categories_text(student)

    def dehydrate_personal_categories(self, student: Student) -> str:
        return personal_categories_text(student)

    def _enrollment_value(self, student: Student, attr: str) -> str:
        enrollment = latest_enrollment(student)
        if enrollment is None:
            return ""
        value = getattr(enrollment, attr)
        return str(value() if callable(value) else value)

    def dehydrate_school(self, student: Student) -> str:
        enrollment = latest_enrollment(student)
        return enrollment.school.name if enrollment else ""

    def dehydrate_stage(self, student: Student) -> str:
        return self._enrollment_value(student, "get_stage_display")

    def dehydrate_grade(self, student: Student) -> str:
        return self._enrollment_value(student, "grade")

    def dehydrate_class_name(self, student: Student) -> str:
        return self._enrollment_value(student, "class_name")

    def dehydrate_status(self, student: Student) -> str:
        return self._enrollment_value(student, "get_status_display")
