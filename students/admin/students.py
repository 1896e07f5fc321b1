"""Students and their enrollments: masked lists, the ID-checking form and the student export."""

from __future__ import annotations

import time

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from aidsite.access import can_reveal_personal_data, log_access, scope_queryset
from aidsite.lib.idcard import IdNumberError, check_id_number, mask_id_number, mask_phone
from aidsite.models import AccessAction
from aidsite.scoped_admin import ScopedHistoryAdmin, ScopedModelAdmin, ScopedTabularInline
from students.admin.resources import (
    ExportFieldsForm,
    StudentExportResource,
    household_categories_text,
    latest_enrollment,
    personal_categories_text,
)
from students.admin.roster_import import RosterImportAdminMixin
from students.admin.search import PersonalSearchMixin
from students.models import Enrollment, Student
from students.record import student_record_sections


class EnrollmentInline(ScopedTabularInline):
    model = Enrollment
    extra = 0
    # Enrollments are referenced by aid records later on: close them with a status, never delete.
    can_delete = False
    fields = (
        "school_year", "school", "stage", "grade", "class_name", "is_boarding", "major",
        "is_agri_major", "study_year", "status",
    )  # fmt: skip
    autocomplete_fields = ("school",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("school", "school_year")


class StudentAdminForm(forms.ModelForm):
    """Accepts an ID number as people type it; sex and birth date are read from it."""

    id_number = forms.CharField(label=_("公民身份号码"), max_length=40)

    class Meta:
        model = Student
        fields = (
            "name", "id_number", "household", "is_orphan", "is_martyr_child", "is_disabled",
            "disability_certificate", "guardian_name", "guardian_phone",
        )  # fmt: skip

    def clean_id_number(self) -> str:
        try:
            self._facts = check_id_number(self.cleaned_data["id_number"])
        except IdNumberError as exc:
            raise ValidationError(str(exc), code="invalid_id_number") from exc
        return self._facts.number

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        facts = getattr(self, "_facts", None)
        if facts is not None:
            self.instance.sex = facts.sex
            self.instance.birth_date = facts.birth_date
        return cleaned


@admin.register(Student)
class StudentAdmin(PersonalSearchMixin, ExportMixin, RosterImportAdminMixin, ScopedHistoryAdmin):
    form = StudentAdminForm
    export_form_class = ExportFieldsForm
    import_kind = "students"
    list_display = (
        "name", "masked_id_number", "sex", "birth_date", "township_name", "village_name",
        "household_categories", "personal_categories", "current_school", "current_stage",
        "current_class", "current_status",
    )  # fmt: skip
    list_filter = (
        "household__village__township", "household__village", "household__village__is_poor_village",
        "enrollments__school", "enrollments__stage", "enrollments__school_year",
        "enrollments__status", "household__hardships__category", "is_orphan", "is_martyr_child",
        "is_disabled", "sex",
    )  # fmt: skip
    list_select_related = ("household__village__township",)
    search_fields = ("name", "household__head_name")
    search_help_text = _("按姓名、户主姓名或完整的身份证号搜索")
    personal_search = {"id_number": "id", "guardian_phone": "phone"}
    personal_fields = {"id_number": "masked_id_number", "guardian_phone": "masked_guardian_phone"}
    fieldsets = (
        (None, {"fields": ("name", "id_number", "sex", "birth_date", "household")}),
        (
            _("个人类别"),
            {"fields": ("is_orphan", "is_martyr_child", "is_disabled", "disability_certificate")},
        ),
        (_("监护人"), {"fields": ("guardian_name", "guardian_phone")}),
    )
    readonly_fields = ("sex", "birth_date")
    autocomplete_fields = ("household",)
    inlines = (EnrollmentInline,)
    resource_classes = [StudentExportResource]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        enrollments = scope_queryset(
            request.user,
            Enrollment.objects.select_related("school", "school_year").order_by(
                "-school_year__start_year", "-pk"
            ),
        )
        return (
            super()
            .get_queryset(request)
            .select_related("household__village__township")
            .prefetch_related(Prefetch("enrollments", queryset=enrollments), "household__hardships")
        )

    # --- list columns ---
    @admin.display(description=_("公民身份号码"))
    def masked_id_number(self, obj: Student) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("监护人电话"))
    def masked_guardian_phone(self, obj: Student) -> str:
        return mask_phone(obj.guardian_phone)

    @admin.display(description=_("乡镇"), ordering="household__village__township__name")
    def township_name(self, obj: Student) -> str:
        return obj.household.village.township.name

    @admin.display(description=_("村（社区）"), ordering="household__village__name")
    def village_name(self, obj: Student) -> str:
        return obj.household.village.name

    @admin.display(description=_("家庭类别"))
    def household_categories(self, obj: Student) -> str:
        return household_categories_text(obj)

    @admin.display(description=_("个人类别"))
    def personal_categories(self, obj: Student) -> str:
        return personal_categories_text(obj)

    @admin.display(description=_("学校"))
    def current_school(self, obj: Student) -> str:
        enrollment = latest_enrollment(obj)
        return enrollment.school.name if enrollment else "—"

    @admin.display(description=_("学段"))
    def current_stage(self, obj: Student) -> str:
        enrollment = latest_enrollment(obj)
        return str(enrollment.get_stage_display()) if enrollment else "—"

    @admin.display(description=_("年级班级"))
    def current_class(self, obj: Student) -> str:
        enrollment = latest_enrollment(obj)
        return f"{enrollment.grade}{enrollment.class_name}" if enrollment else "—"

    @admin.display(description=_("学籍状态"))
    def current_status(self, obj: Student) -> str:
        enrollment = latest_enrollment(obj)
        return str(enrollment.get_status_display()) if enrollment else "—"

    # --- the record: what the apps above registered about the student ---
    def change_view(self, request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        extra_context = dict(extra_context or {})
        student = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if student is not None:
            extra_context["record_sections"] = student_record_sections(request.user, student)
        return super().change_view(request, object_id, form_url, extra_context)

    # --- export ---
    def get_export_resource_kwargs(self, request, **kwargs):  # type: ignore[no-untyped-def]
        return {"reveal": can_reveal_personal_data(request.user)}

    def get_export_filename(self, request, queryset, file_format):  # type: ignore[no-untyped-def]
        return f"students-{time.strftime('%Y%m%d')}.{file_format.get_extension()}"

    def get_data_for_export(self, request, queryset, **kwargs):  # type: ignore[no-untyped-def]
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        log_access(
            user=request.user,
            action=AccessAction.EXPORT,
            what=str(_("学生名册")),
            row_count=len(dataset),
            detail={
                "revealed": can_reveal_personal_data(request.user),
                "query": {k: v for k, v in request.GET.items() if k != "q"},
            },
        )
        return dataset


@admin.register(Enrollment)
class EnrollmentAdmin(PersonalSearchMixin, ScopedModelAdmin):
    list_display = (
        "student_name", "masked_id_number", "school", "school_year", "stage", "grade",
        "class_name", "is_boarding", "status",
    )  # fmt: skip
    list_filter = (
        "school_year", "school__township", "school", "stage", "status", "is_boarding",
        "is_agri_major",
    )  # fmt: skip
    list_select_related = ("student", "school", "school_year")
    search_fields = ("student__name", "school__name")
    # The list shows IDs (masked), so people type them into its search box: by POST, too.
    personal_search = {"student__id_number": "id"}
    autocomplete_fields = ("student", "school")

    @admin.display(description=_("学生"), ordering="student__name")
    def student_name(self, obj: Enrollment) -> str:
        return obj.student.name

    @admin.display(description=_("公民身份号码"))
    def masked_id_number(self, obj: Enrollment) -> str:
        return mask_id_number(obj.student.id_number)
