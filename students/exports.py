"""学生名册（xlsx）: the export centre's first job kind, the enrolled students a user may see.

One query for the count, one streamed query for the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from django import forms
from django.utils.translation import gettext_lazy as _

from aidsite.access import can_reveal_personal_data, scope_queryset
from aidsite.export_jobs import ExportKind
from aidsite.lib.excel import write_table_workbook
from aidsite.lib.idcard import mask_id_number, mask_phone
from students.models import Enrollment, School, SchoolYear
from students.places import place_or_own

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from aidsite.access import Actor

HEADER = (
    "序号",
    "姓名",
    "性别",
    "公民身份号码",
    "出生日期",
    "乡镇",
    "学校",
    "学段",
    "年级",
    "班级",
    "学籍状态",
    "监护人",
    "监护人电话",
)
PROGRESS_EVERY = 500


class StudentRosterForm(forms.Form):
    school_year = forms.ModelChoiceField(label=_("学年"), queryset=SchoolYear.objects.all(), empty_label=None)
    school = forms.ModelChoiceField(
        label=_("学校"), queryset=School.objects.none(), required=False, empty_label=_("全部（我可见的）")
    )

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["school"].queryset = scope_queryset(user, School.objects.order_by("name"))
        # The latest year with a roster the user may see (the calendar's new year may have none yet).
        latest = scope_queryset(user, Enrollment.objects.all()).order_by("-school_year__start_year").first()
        if latest is not None:
            self.fields["school_year"].initial = latest.school_year_id

    def parameters(self) -> dict[str, Any]:
        school = self.cleaned_data["school"]
        return {"school_year": self.cleaned_data["school_year"].pk, "school": school.pk if school else None}

    def title(self) -> str:
        place = roster_place(self.user, self.cleaned_data["school"])
        return f"学生名册 {self.cleaned_data['school_year'].name} {place}"


def roster_place(user: AbstractBaseUser, school: School | None) -> str:
    """The school chosen, else the user's own township or school, else the county."""
    township, school = place_or_own(user, None, school)
    return school.name if school else township.name if township else "全县"


def student_roster_rows(*, user: AbstractBaseUser, parameters: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Header, then one row per enrollment of the school year that `user` may see."""
    reveal = can_reveal_personal_data(user)
    enrollments = Enrollment.objects.filter(school_year_id=parameters["school_year"])
    if parameters.get("school"):
        enrollments = enrollments.filter(school_id=parameters["school"])
    enrollments = (
        scope_queryset(user, enrollments)
        .select_related("student", "school__township")
        .order_by("school__name", "grade", "class_name", "student__name", "pk")
    )
    yield HEADER
    for number, enrollment in enumerate(enrollments.iterator(chunk_size=2000), 1):
        student = enrollment.student
        yield (
            number,
            student.name,
            student.get_sex_display(),
            student.id_number if reveal else mask_id_number(student.id_number),
            student.birth_date.isoformat(),
            enrollment.school.township.name,
            enrollment.school.name,
            enrollment.get_stage_display(),
            enrollment.grade,
            enrollment.class_name,
            enrollment.get_status_display(),
            student.guardian_name,
            student.guardian_phone if reveal else mask_phone(student.guardian_phone),
        )


def student_roster_count(*, user: AbstractBaseUser, parameters: dict[str, Any]) -> int:
    enrollments = Enrollment.objects.filter(school_year_id=parameters["school_year"])
    if parameters.get("school"):
        enrollments = enrollments.filter(school_id=parameters["school"])
    return scope_queryset(user, enrollments).count()


def _reporting_progress(
    rows: Iterator[tuple[Any, ...]], *, total: int, progress: Callable[[float], None]
) -> Iterator[tuple[Any, ...]]:
    """The rows as they are; every PROGRESS_EVERY data rows, once written, the share done."""
    for number, row in enumerate(rows):
        yield row
        if number and number % PROGRESS_EVERY == 0 and total:
            progress(100 * number / total)


def student_roster_xlsx(
    *,
    user: AbstractBaseUser,
    parameters: dict[str, Any],
    out: BinaryIO,
    progress: Callable[[float], None],
) -> int:
    """Write the roster workbook to `out`; return the number of students."""
    total = student_roster_count(user=user, parameters=parameters)
    year = SchoolYear.objects.get(pk=parameters["school_year"])
    rows = student_roster_rows(user=user, parameters=parameters)
    school = School.objects.filter(pk=parameters["school"]).first() if parameters.get("school") else None
    place = roster_place(user, school)
    return write_table_workbook(
        out,
        _reporting_progress(rows, total=total, progress=progress),
        sheet_name="学生名册",
        title=f"{place}学生名册（{year.name}学年）",
        widths=(6, 10, 5, 21, 11, 10, 22, 8, 8, 8, 8, 10, 13),
    )


class StudentRosterExport(ExportKind):
    identifier = "student_roster"
    label = _("学生名册（xlsx）")
    permission = "students.export_student"
    form = StudentRosterForm

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: BinaryIO, progress: Callable[[float], None]
    ) -> int:
        return student_roster_xlsx(user=actor, parameters=parameters, out=out, progress=progress)
