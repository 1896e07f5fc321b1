"""The registry back office: declarative admins, the student export and the roster import page.

Every admin mixes in `ScopedAdminMixin`, so lists, pages, search, choices and
filters hold only the user's township or school. ID numbers and phones are
masked in lists for everyone and on pages for roles without the reveal permission.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ExportMixin
from import_export.fields import Field

from aidsite.access import (
    can_reveal_personal_data,
    log_access,
    scope_queryset,
    user_scope,
)
from aidsite.lib.idcard import (
    ID_PATTERN,
    IdNumberError,
    check_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
)
from aidsite.lib.text import printable
from aidsite.models import AccessAction
from aidsite.scoped_admin import (
    ReadOnlyTabularInline,
    ScopedHistoryAdmin,
    ScopedModelAdmin,
    ScopedTabularInline,
)
from students.models import (
    Enrollment,
    Household,
    HouseholdHardship,
    School,
    SchoolYear,
    Student,
    Term,
    Township,
    Village,
)
from students.uploads import pending_path as _pending_path
from students.uploads import pending_upload_write, pending_uploads_sweep

# --- searching by personal data -----------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_MASKED_ID = re.compile(r"^(\d{4})\*{10}(\d{3}[\dX])$")
_MASKED_MOBILE = re.compile(r"^(1\d{2})\*{4}(\d{4})$")


@dataclass(frozen=True)
class _PersonalKind:
    full: re.Pattern[str]
    masked: re.Pattern[str]


_KINDS = {
    "id": _PersonalKind(ID_PATTERN, _MASKED_ID),
    "phone": _PersonalKind(_MOBILE, _MASKED_MOBILE),
}
_MASKERS = {"id": mask_id_number, "phone": mask_phone}


SEARCH_TOKEN_VAR = "qt"
_SEARCH_SESSION_KEY = "personal_searches"
# A session remembers this many recent searches; an older link falls back to the masked match.
_SEARCH_SESSION_SIZE = 20
# Fields of the search form that are not list parameters.
_SEARCH_FORM_FIELDS = {"csrfmiddlewaretoken", "_personal_search", "q", SEARCH_TOKEN_VAR, "p"}


def _personal_changelist(base: type[ChangeList]) -> type[ChangeList]:
    """The admin's ChangeList, told that the search token is no field lookup."""

    class PersonalSearchChangeList(base):  # type: ignore[valid-type,misc]
        def get_filters_params(self, params=None):  # type: ignore[no-untyped-def]
            lookup_params = super().get_filters_params(params)
            lookup_params.pop(SEARCH_TOKEN_VAR, None)
            return lookup_params

    return PersonalSearchChangeList


class PersonalSearchMixin:
    """Search by a full ID number or phone, exactly, and by its masked form.

    `personal_search` maps a field to its kind ("id" or "phone"). The full value
    matches exactly (never by prefix: that would let a role without the reveal
    permission recover hidden digits); the masked form matches on the visible
    prefix and suffix, which every user already sees.

    A full number never travels in a URL, so no access log of this server or a
    proxy in front holds one (SECURITY D4): the search box posts its term; a full
    number is kept in the session under a short random token and the list is
    redirected to `?q=<masked form>&qt=<token>`, so sorting, filters and pages
    keep the exact match. A name still searches by GET as usual. A full number
    typed into the URL by hand is moved the same way, so no link echoes it.
    """

    personal_search: dict[str, str] = {}

    def _personal_kind(self, term: str) -> str | None:
        for kind_name in self.personal_search.values():
            if _KINDS[kind_name].full.match(term):
                return kind_name
        return None

    def _personal_query(self, term: str) -> Q | None:
        term = normalize_id_number(term)
        query: Q | None = None
        for field, kind_name in self.personal_search.items():
            kind = _KINDS[kind_name]
            if kind.full.match(term):
                part = Q(**{field: term})
            elif match := kind.masked.match(term):
                part = Q(
                    **{f"{field}__startswith": match.group(1), f"{field}__endswith": match.group(2)}
                )
            else:
                continue
            query = part if query is None else query | part
        return query

    def _remembered_term(self, request: HttpRequest, shown: str) -> str:
        """The full number behind `?q=<masked>&qt=<token>`, or `shown` itself."""
        token = request.GET.get(SEARCH_TOKEN_VAR, "")
        full = request.session.get(_SEARCH_SESSION_KEY, {}).get(token, "")
        kind_name = self._personal_kind(full) if full else None
        if kind_name is not None and _MASKERS[kind_name](full) == shown:
            return full
        return shown

    def _search_redirect(self, request: HttpRequest, term: str, params: Any) -> HttpResponse:
        term = term.strip()
        params.pop(SEARCH_TOKEN_VAR, None)
        params.pop("p", None)
        kind_name = self._personal_kind(normalize_id_number(term))
        if kind_name is None:
            params["q"] = term
        else:
            full = normalize_id_number(term)
            token = secrets.token_urlsafe(6)
            remembered = dict(request.session.get(_SEARCH_SESSION_KEY, {}))
            remembered[token] = full
            request.session[_SEARCH_SESSION_KEY] = dict(
                list(remembered.items())[-_SEARCH_SESSION_SIZE:]
            )
            params["q"] = _MASKERS[kind_name](full)
            params[SEARCH_TOKEN_VAR] = token
        query = params.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)

    def get_changelist(self, request, **kwargs):  # type: ignore[no-untyped-def]
        return _personal_changelist(super().get_changelist(request, **kwargs))  # type: ignore[misc]

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        if search_term:
            search_term = self._remembered_term(request, search_term)
        query = self._personal_query(search_term) if search_term else None
        if query is not None:
            return queryset.filter(query), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        if request.method == "POST" and "_personal_search" in request.POST:
            if not self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
                raise PermissionDenied
            params = request.POST.copy()
            for name in _SEARCH_FORM_FIELDS:
                params.pop(name, None)
            return self._search_redirect(request, request.POST.get("q", ""), params)
        term = normalize_id_number(request.GET.get("q", ""))
        if term and self._personal_kind(term) is not None:
            return self._search_redirect(request, term, request.GET.copy())
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


# --- export -------------------------------------------------------------------------------

_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """A string a spreadsheet would run as a formula gets a leading apostrophe (SECURITY E1)."""
    if isinstance(value, str) and value.startswith(_FORMULA_LEADS):
        return "'" + value
    return value


def _latest_enrollment(student: Student) -> Enrollment | None:
    # `enrollments` is prefetched newest school year first (see StudentAdmin.get_queryset).
    enrollments = list(student.enrollments.all())
    return enrollments[0] if enrollments else None


def _household_categories(student: Student) -> str:
    return "、".join(h.get_category_display() for h in student.household.hardships.all())


def _personal_categories(student: Student) -> str:
    flags = [
        (student.is_orphan, _("孤儿")),
        (student.is_martyr_child, _("烈士子女")),
        (student.is_disabled, _("残疾")),
    ]
    return "、".join(str(label) for flag, label in flags if flag)


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
        # A control character stored before the validators existed must not break the
        # XLSX (openpyxl refuses it) nor reach the CSV (SECURITY B4).
        return [neutralise_formula(printable(v) if isinstance(v, str) else v) for v in row]

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
        return _household_categories(student)

    def dehydrate_personal_categories(self, student: Student) -> str:
        return _personal_categories(student)

    def _enrollment_value(self, student: Student, attr: str) -> str:
        enrollment = _latest_enrollment(student)
        if enrollment is None:
            return ""
        value = getattr(enrollment, attr)
        return str(value() if callable(value) else value)

    def dehydrate_school(self, student: Student) -> str:
        enrollment = _latest_enrollment(student)
        return enrollment.school.name if enrollment else ""

    def dehydrate_stage(self, student: Student) -> str:
        return self._enrollment_value(student, "get_stage_display")

    def dehydrate_grade(self, student: Student) -> str:
        return self._enrollment_value(student, "grade")

    def dehydrate_class_name(self, student: Student) -> str:
        return self._enrollment_value(student, "class_name")

    def dehydrate_status(self, student: Student) -> str:
        return self._enrollment_value(student, "get_status_display")


# --- roster import page -------------------------------------------------------------------

_SESSION_KEY = "roster_imports"

IMPORT_KINDS = {
    "students": ("add_student", _("学生名册")),
    "villages": ("add_village", _("村（社区）名册")),
    "schools": ("add_school", _("学校名册")),
}


def _max_mb() -> int:
    return max(settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024), 1)


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("只接受 .xlsx 格式的 Excel 文件。"))
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise ValidationError(_("文件过大（上限 %(mb)s MB）。") % {"mb": _max_mb()})
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise ValidationError(_("文件不是有效的 .xlsx 文件。"))
        return upload


def _import_township(request: HttpRequest, kind: str) -> Township | None:
    """The township the user imports into (None: the whole county), or 403."""
    scope = user_scope(request.user)
    codename, _label = IMPORT_KINDS[kind]
    if scope.read_only or not request.user.has_perm(f"students.{codename}"):
        raise PermissionDenied
    if scope.everything:
        return None
    # Places and schools are the county's to define; a township office imports only its students.
    if kind != "students" or scope.township_id is None:
        raise PermissionDenied
    return Township.objects.get(pk=scope.township_id)


def roster_import_view(
    request: HttpRequest, *, kind: str, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Upload → preview (a dry run, every row error listed) → confirm (the same import, for real)."""
    from students.importing import ImportFileError, roster_import

    township = _import_township(request, kind)
    pending_uploads_sweep()
    pending: dict[str, str] = request.session.get(_SESSION_KEY, {})
    form = RosterUploadForm()
    upload_error = ""
    report = None
    token = ""
    too_large = _declared_size(request) > settings.IMPORT_MAX_FILE_BYTES + 64 * 1024
    if request.method == "POST" and too_large:
        # Refused before the body is parsed: an oversized upload never reaches the disk.
        upload_error = _("文件过大（上限 %(mb)s MB）。") % {"mb": _max_mb()}
    elif request.method == "POST" and request.POST.get("action") == "confirm":
        token = request.POST.get("token", "")
        if pending.get(token) != kind:
            raise PermissionDenied
        source = _pending_path(token)
        if not source.exists():
            messages.error(request, _("上传的文件已过期，请重新上传。"))
            return HttpResponseRedirect(request.path)
        try:
            report = roster_import(
                kind=kind, source=source, dry_run=False, township=township, actor=request.user
            )
        except ImportFileError as exc:
            messages.error(request, str(exc))
            report = None
        finally:
            source.unlink(missing_ok=True)
            pending.pop(token, None)
            request.session[_SESSION_KEY] = pending
        token = ""
        # roster_import writes the access-log entry of a completed import itself.
        if report is not None and report.ok:
            messages.success(request, report.summary())
            return HttpResponseRedirect(
                reverse(
                    f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
                )
            )
    elif request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = secrets.token_hex(16)
            source = pending_upload_write(token, form.cleaned_data["file"].chunks())
            try:
                report = roster_import(
                    kind=kind, source=source, dry_run=True, township=township, actor=request.user
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
                report = None
            if report is not None and report.ok:
                pending[token] = kind
                request.session[_SESSION_KEY] = pending
            else:
                source.unlink(missing_ok=True)
                token = ""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("导入%(what)s") % {"what": IMPORT_KINDS[kind][1]},
        "opts": model_admin.opts,
        "kind": kind,
        "form": form,
        "upload_error": upload_error,
        "report": report,
        "token": token,
        "township": township,
        "max_mb": _max_mb(),
    }
    return TemplateResponse(request, "admin/students/roster_import.html", context)


class RosterImportAdminMixin:
    """Adds the roster import page (`…/import/`) and its link on the changelist."""

    import_kind: str = ""
    change_list_template = "admin/students/change_list_roster_import.html"

    def get_urls(self):  # type: ignore[no-untyped-def]
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self._roster_import)  # type: ignore[attr-defined]
        return [
            path("import/", view, name=f"{opts.app_label}_{opts.model_name}_import"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def _roster_import(self, request: HttpRequest) -> HttpResponse:
        return roster_import_view(request, kind=self.import_kind, model_admin=self)  # type: ignore[arg-type]

    def has_roster_import_permission(self, request: HttpRequest) -> bool:
        try:
            _import_township(request, self.import_kind)
        except PermissionDenied:
            return False
        return True

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        extra_context = {
            **(extra_context or {}),
            "has_roster_import_permission": self.has_roster_import_permission(request),
        }
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


# --- the admins ---------------------------------------------------------------------------


@admin.register(Township)
class TownshipAdmin(ScopedModelAdmin):
    list_display = ("name", "village_count", "school_count")
    search_fields = ("name",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .annotate(
                village_total=Count("villages", distinct=True),
                school_total=Count("schools", distinct=True),
            )
        )

    @admin.display(description=_("村（社区）数"), ordering="village_total")
    def village_count(self, obj: Township) -> int:
        return obj.village_total  # type: ignore[attr-defined]

    @admin.display(description=_("学校数"), ordering="school_total")
    def school_count(self, obj: Township) -> int:
        return obj.school_total  # type: ignore[attr-defined]


@admin.register(Village)
class VillageAdmin(RosterImportAdminMixin, ScopedModelAdmin):
    import_kind = "villages"
    list_display = ("name", "township", "is_poor_village")
    list_filter = ("township", "is_poor_village")
    list_select_related = ("township",)
    search_fields = ("name", "township__name")


@admin.register(School)
class SchoolAdmin(RosterImportAdminMixin, ScopedModelAdmin):
    import_kind = "schools"
    list_display = (
        "name", "township", "village", "get_stages_display", "ownership", "is_inclusive",
        "is_county_approved", "is_rural", "is_boarding", "tuition",
    )  # fmt: skip
    list_filter = ("township", "village", "ownership", "is_rural", "is_boarding", "is_inclusive")
    list_select_related = ("township", "village__township")
    search_fields = ("name",)


class HouseholdHardshipInline(ScopedTabularInline):
    model = HouseholdHardship
    extra = 0
    fields = ("category", "year_registered", "status", "year_lifted")


class HouseholdStudentInline(ReadOnlyTabularInline):
    model = Student
    fields = ("name", "masked_id_number", "sex", "birth_date")
    readonly_fields = fields
    verbose_name = _("家庭子女")
    verbose_name_plural = _("家庭子女")


@admin.register(Household)
class HouseholdAdmin(PersonalSearchMixin, ScopedHistoryAdmin):
    list_display = ("head_name", "village", "township_name", "masked_phone", "categories")
    list_filter = (
        "village__township", "village", "village__is_poor_village", "hardships__category",
        "hardships__status",
    )  # fmt: skip
    list_select_related = ("village__township",)
    search_fields = ("head_name", "village__name")
    personal_search = {"phone": "phone"}
    personal_fields = {"phone": "masked_phone"}
    fields = ("village", "head_name", "address", "phone")
    autocomplete_fields = ("village",)
    inlines = (HouseholdHardshipInline, HouseholdStudentInline)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("hardships")

    @admin.display(description=_("乡镇"), ordering="village__township__name")
    def township_name(self, obj: Household) -> str:
        return obj.village.township.name

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: Household) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("家庭类别"))
    def categories(self, obj: Household) -> str:
        return "、".join(str(h.get_category_display()) for h in obj.hardships.all())


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
class StudentAdmin(
    PersonalSearchMixin, ExportMixin, RosterImportAdminMixin, ScopedHistoryAdmin
):
    form = StudentAdminForm
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
        return _household_categories(obj)

    @admin.display(description=_("个人类别"))
    def personal_categories(self, obj: Student) -> str:
        return _personal_categories(obj)

    @admin.display(description=_("学校"))
    def current_school(self, obj: Student) -> str:
        enrollment = _latest_enrollment(obj)
        return enrollment.school.name if enrollment else "—"

    @admin.display(description=_("学段"))
    def current_stage(self, obj: Student) -> str:
        enrollment = _latest_enrollment(obj)
        return str(enrollment.get_stage_display()) if enrollment else "—"

    @admin.display(description=_("年级班级"))
    def current_class(self, obj: Student) -> str:
        enrollment = _latest_enrollment(obj)
        return f"{enrollment.grade}{enrollment.class_name}" if enrollment else "—"

    @admin.display(description=_("学籍状态"))
    def current_status(self, obj: Student) -> str:
        enrollment = _latest_enrollment(obj)
        return str(enrollment.get_status_display()) if enrollment else "—"

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


class TermInline(ScopedTabularInline):
    model = Term
    extra = 0
    fields = ("season", "start_date", "end_date")


@admin.register(SchoolYear)
class SchoolYearAdmin(ScopedModelAdmin):
    list_display = ("name", "start_year")
    search_fields = ("name",)
    inlines = (TermInline,)


@admin.register(Term)
class TermAdmin(ScopedModelAdmin):
    list_display = ("__str__", "season", "start_date", "end_date")
    list_filter = ("school_year", "season")
    list_select_related = ("school_year",)
