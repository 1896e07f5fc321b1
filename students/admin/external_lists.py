"""The external lists' imports (外部名单导入) and their page: upload, review the differences, confirm.

The lists are the county's (扶贫, 民政 and 残联 send them to the county): only a
county-wide role that may write imports them. The preview is a dry run that
lists every difference against the registry; confirming stores the list as its
latest snapshot and applies the differences, in one transaction, with history.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from aidsite.access import require
from aidsite.lib.idcard import mask_id_number
from aidsite.scoped_admin import ReadOnlyAdminMixin, ScopedModelAdmin
from students.admin.roster_import import RosterUploadForm, _declared_size, _max_mb
from students.external_models import ExternalListImport, ExternalSource
from students.uploads import pending_path, pending_upload_write, pending_uploads_sweep

_SESSION_KEY = "external_imports"
PREVIEW_ROWS = 500  # differences shown on the preview page; the counts cover them all
IMPORT_PERMISSION = "students.add_externallistimport"


class ExternalUploadForm(RosterUploadForm):
    source = forms.ChoiceField(label=_("名单"), choices=ExternalSource.choices)

    field_order = ["source", "file"]


def require_list_import(request: HttpRequest) -> None:
    """The county's lists: a county-wide role that writes (not an auditor, not a township)."""
    require(request.user, IMPORT_PERMISSION, township=None, write=True, staff=True)


def _preview(request: HttpRequest, context: dict[str, Any]) -> None:
    from students.importing import ImportFileError
    from students.importing.external_service import external_list_import

    form = context["form"] = ExternalUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return
    token = secrets.token_hex(16)
    source_path = pending_upload_write(token, form.cleaned_data["file"].chunks())
    source = form.cleaned_data["source"]
    try:
        report = external_list_import(source=source, file=source_path, actor=request.user, dry_run=True)
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        source_path.unlink(missing_ok=True)
        return
    context["report"] = report
    context["shown"] = [
        {"d": d, "masked_id": mask_id_number(d.id_number)} for d in report.differences[:PREVIEW_ROWS]
    ]
    if report.ok and report.differences:
        pending: dict[str, list[str]] = request.session.get(_SESSION_KEY, {})
        pending[token] = [source, form.cleaned_data["file"].name]
        request.session[_SESSION_KEY] = pending
        context["token"] = token
    else:
        source_path.unlink(missing_ok=True)


def _confirm(request: HttpRequest, done_url: str) -> HttpResponse:
    from students.importing import ImportFileError
    from students.importing.external_service import external_list_import

    pending: dict[str, list[str]] = request.session.get(_SESSION_KEY, {})
    token = request.POST.get("token", "")
    if token not in pending:
        raise PermissionDenied
    source, file_name = pending.pop(token)
    request.session[_SESSION_KEY] = pending
    source_path = pending_path(token)
    if not source_path.exists():
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return HttpResponseRedirect(request.path)
    try:
        report = external_list_import(source=source, file=source_path, actor=request.user, file_name=file_name)
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(request.path)
    finally:
        source_path.unlink(missing_ok=True)
    if not report.ok:  # the file was checked at preview; only a changed registry gets here
        messages.error(request, report.summary())
        return HttpResponseRedirect(request.path)
    messages.success(request, report.summary())
    return HttpResponseRedirect(done_url)


@admin.register(ExternalListImport)
class ExternalListImportAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ("source", "imported_at", "actor_name", "file_name", "row_count", "applied_count")
    list_filter = ("source",)
    fields = list_display
    change_list_template = "admin/students/change_list_external_import.html"

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="students_externallistimport_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        try:
            require_list_import(request)
            allowed = True
        except PermissionDenied:
            allowed = False
        extra = {**(extra_context or {}), "has_list_import_permission": allowed}
        return super().changelist_view(request, extra)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview (a dry run: every row error, every difference) → confirm (store and apply)."""
        require_list_import(request)
        pending_uploads_sweep()
        context: dict[str, Any] = {"form": ExternalUploadForm(), "report": None, "token": "", "upload_error": ""}
        if request.method == "POST" and _declared_size(request) > _max_mb() * 1024 * 1024 + 64 * 1024:
            context["upload_error"] = _("文件过大（上限 %(mb)s MB）。") % {"mb": _max_mb()}
        elif request.method == "POST" and request.POST.get("action") == "confirm":
            return _confirm(request, reverse("admin:students_externallistimport_changelist"))
        elif request.method == "POST":
            _preview(request, context)
        context.update(
            self.admin_site.each_context(request),
            title=_("导入其他部门名单并比对"),
            opts=self.opts,
            max_mb=_max_mb(),
            preview_rows=PREVIEW_ROWS,
        )
        return TemplateResponse(request, "admin/students/external_import.html", context)
