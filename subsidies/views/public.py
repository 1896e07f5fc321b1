"""The public notice page (公示): the one page besides the login an anonymous visitor may read.

It shows what the paper notice shows and nothing more (SECURITY D3), only
during the notice period: before its start and after its end it is 404, as
if it never existed. Search engines are asked not to index it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from subsidies.models import PublicNotice
from subsidies.reports import notice_context_for
from subsidies.services.notices import notice_is_open


@require_GET
def public_notice(request: HttpRequest, token: str) -> HttpResponse:
    notice = (
        PublicNotice.objects.select_related("school__township", "policy", "term__school_year")
        .filter(token=token)
        .first()
    )
    if notice is None or not notice_is_open(notice, today=timezone.localdate()):
        raise Http404
    context = notice_context_for(notice)
    response = render(request, "public/notice.html", {"title": context["title"], "notice": context})
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The page is withdrawn at the end of the period: no cache may keep it longer.
    response["Cache-Control"] = "no-store"
    return response
