"""The export centre (导出中心): a staff user's own background jobs and their files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from aidsite.admin_pages import render_admin_page
from aidsite.export_jobs import (
    CONTENT_TYPES,
    EXPORT_KINDS,
    export_download_open,
    export_job_start,
    export_jobs_purge,
    export_kinds_for_user,
)
from aidsite.models import ExportJob

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

JOBS_LISTED = 50


def _job_for_user(request: HttpRequest, pk: int) -> ExportJob:
    # Only the owner's own jobs exist for them: anyone else's is a 404.
    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


def _start_forms(request: HttpRequest, bound: tuple[str, forms.Form] | None = None) -> list[dict]:
    # A link from another page (?kind=ledger&term=…) opens that kind's form on its choices.
    asked = request.GET.get("kind")
    preset = {k: v for k, v in request.GET.items() if k != "kind" and v.isdigit()}
    items = []
    for key, kind in export_kinds_for_user(request.user).items():
        form_class = kind.form
        if bound is not None and bound[0] == key:
            form = bound[1]
        elif form_class is not None:
            form = form_class(user=request.user, initial=preset if key == asked else None)
        else:
            form = None
        items.append({"key": key, "label": kind.label, "form": form})
    return items


def _render_centre(request: HttpRequest, *, bound: tuple[str, forms.Form] | None = None, status: int = 200) -> HttpResponse:
    export_jobs_purge(owner=request.user)
    jobs = ExportJob.objects.filter(owner=request.user)[:JOBS_LISTED]
    context = {
        "title": "导出中心",
        "retention_days": settings.EXPORT_RETENTION_DAYS,
        "jobs": jobs,
        "start_forms": _start_forms(request, bound),
    }
    return render_admin_page(request, "exports/centre.html", context, status=status)


@require_GET
@staff_member_required
def export_centre(request: HttpRequest) -> HttpResponse:
    return _render_centre(request)


@require_POST
@staff_member_required
def export_start(request: HttpRequest, kind: str) -> HttpResponse:
    spec = EXPORT_KINDS.get(kind)
    if spec is None:
        raise Http404
    if not request.user.has_perm(spec.permission):
        raise PermissionDenied
    form = None
    if spec.form is not None:
        form = spec.form(request.POST, user=request.user)
        if not form.is_valid():
            return _render_centre(request, bound=(kind, form), status=400)
    job = export_job_start(
        user=request.user, kind=kind, parameters=spec.parameters(form), title=spec.title(form)
    )
    messages.success(request, f"已提交“{job.title}”，完成后可在下方下载。")
    return redirect("export_centre")


@require_GET
@staff_member_required
def export_job_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the job table; htmx polls it while the job runs."""
    return render(request, "exports/_job_row.html", {"job": _job_for_user(request, pk)})


@require_GET
@staff_member_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    return export_download_response(job=_job_for_user(request, pk), user=request.user)


def export_download_response(*, job: ExportJob, user: AbstractBaseUser) -> FileResponse:
    """The job's file as an attachment, logged (the centre and the portal's job page); else 404."""
    path = export_download_open(job=job, user=user)
    if path is None:
        raise Http404
    suffix = path.suffix.lstrip(".")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.download_name or path.name,
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
