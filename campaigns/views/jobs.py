"""Background jobs started from the portal: their status page and their download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from aidsite.models import ExportJob
from aidsite.views import export_download_response
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
    return export_download_response(job=_own_job(request, pk), user=request.user)
