"""The roster import page (`…/import/`): upload, preview every row's errors, then confirm.

Places and schools are the county's to import; a township office imports its
own students. The uploaded file waits under a random token between preview
and confirmation, and is deleted either way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from aidsite.access import user_scope
from students.models import Township
from students.uploads import pending_path, pending_upload_write, pending_uploads_sweep

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


@dataclass
class _ImportPage:
    """What the page shows: the upload form or its error, a preview's report and its token."""

    form: forms.Form
    upload_error: str = ""
    report: Any = None
    token: str = ""


def roster_import_view(
    request: HttpRequest, *, kind: str, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Upload → preview (a dry run, every row error listed) → confirm (the same import, for real)."""
    township = _import_township(request, kind)
    pending_uploads_sweep()
    page = _ImportPage(form=RosterUploadForm())
    too_large = _declared_size(request) > settings.IMPORT_MAX_FILE_BYTES + 64 * 1024
    if request.method == "POST" and too_large:
        # Refused before the body is parsed: an oversized upload never reaches the disk.
        page.upload_error = _("文件过大（上限 %(mb)s MB）。") % {"mb": _max_mb()}
    elif request.method == "POST" and request.POST.get("action") == "confirm":
        opts = model_admin.opts
        done_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        redirect = _confirm_import(
            request, kind=kind, township=township, page=page, done_url=done_url
        )
        if redirect is not None:
            return redirect
    elif request.method == "POST":
        _preview_import(request, kind=kind, township=township, page=page)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("导入%(what)s") % {"what": IMPORT_KINDS[kind][1]},
        "opts": model_admin.opts,
        "kind": kind,
        "form": page.form,
        "upload_error": page.upload_error,
        "report": page.report,
        "token": page.token,
        "township": township,
        "max_mb": _max_mb(),
    }
    return TemplateResponse(request, "admin/students/roster_import.html", context)


def _confirm_import(
    request: HttpRequest,
    *,
    kind: str,
    township: Township | None,
    page: _ImportPage,
    done_url: str,
) -> HttpResponse | None:
    """Import the previewed file for real; the redirect to follow, or None to show the page."""
    # Looked up per request: the page's tests put a stand-in importer in sys.modules.
    from students.importing import ImportFileError, roster_import

    pending: dict[str, str] = request.session.get(_SESSION_KEY, {})
    token = request.POST.get("token", "")
    if pending.get(token) != kind:
        raise PermissionDenied
    source = pending_path(token)
    if not source.exists():
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return HttpResponseRedirect(request.path)
    try:
        page.report = roster_import(
            kind=kind, source=source, dry_run=False, township=township, actor=request.user
        )
    except ImportFileError as exc:
        messages.error(request, str(exc))
    finally:
        source.unlink(missing_ok=True)
        pending.pop(token, None)
        request.session[_SESSION_KEY] = pending
    # roster_import writes the access-log entry of a completed import itself.
    if page.report is not None and page.report.ok:
        messages.success(request, page.report.summary())
        return HttpResponseRedirect(done_url)
    return None


def _preview_import(
    request: HttpRequest, *, kind: str, township: Township | None, page: _ImportPage
) -> None:
    """Check the uploaded file with a dry run; keep it under a token only if it can be imported."""
    # Looked up per request, as in `_confirm_import`.
    from students.importing import ImportFileError, roster_import

    page.form = form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return
    token = secrets.token_hex(16)
    source = pending_upload_write(token, form.cleaned_data["file"].chunks())
    try:
        page.report = roster_import(
            kind=kind, source=source, dry_run=True, township=township, actor=request.user
        )
    except ImportFileError as exc:
        form.add_error("file", str(exc))
    if page.report is not None and page.report.ok:
        pending: dict[str, str] = request.session.get(_SESSION_KEY, {})
        pending[token] = kind
        request.session[_SESSION_KEY] = pending
        page.token = token
    else:
        source.unlink(missing_ok=True)


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
