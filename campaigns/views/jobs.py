"""Background jobs started from the portal: their status page and their download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from aidsite.export_jobs import CONTENT_TYPES, export_download_open
from aidsite.models import ExportJob
from campaigns.report_jobs import CAMPAIGN_REPORT_KIND
from campaigns.views.portal import LOGIN, render_portal

PORTAL_JOB_KINDS = (CAMPAIGN_REPORT_KIND,)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    # Only the owner's own portal jobs exist for them: anyone else's is a 404.
    return get_object_or_404(ExportJob, pk=pk, owner=request.user, kind__in=PORTAL_JOB_KINDS)


@require_safe
@login_required(login_url=LOGIN)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job's status and progress (htmx polls the page while it runs), then its download."""
    return render_portal(request, "portal/job.html", {"job": _own_job(request, pk)})


@require_safe
@login_required(login_url=LOGIN)
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    path = export_download_open(job=job, user=request.user)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.download_name or path.name,
        content_type=CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream"),
    )
