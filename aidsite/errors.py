"""Error pages in Chinese, in the look of the area the visitor was in.

Each handler renders its template with a plain context built here and no
request: no context processor runs, so an error page never touches the
database or the session (the 500 page above all must render while the
database is down). The templates also render with an empty context.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

# The three audiences, by the URL prefixes of the root URLconf (aidsite/urls.py):
# directors on their phones, the public reading a notice, staff everywhere else.
PORTAL = "portal"
PUBLIC = "public"
STAFF = "staff"
_AREA_PREFIXES = (("/portal/", PORTAL), ("/gongshi/", PUBLIC))
_LATIN = re.compile(r"[A-Za-z]")


def error_area(path: str) -> str:
    for prefix, area in _AREA_PREFIXES:
        if path.startswith(prefix):
            return area
    return STAFF


def _reason(exception: Exception | None) -> str:
    """The exception's own message when it is written for users (Chinese), else nothing.

    Services raise PermissionDenied("只能打印本乡镇的报表。") and views Http404("尚未设置学期。");
    Django's own messages ("No Student matches the given query.") are English and
    technical, and the page's general text covers them.
    """
    text = str(exception or "").strip()
    return "" if _LATIN.search(text) else text


def _render(request: HttpRequest, template_name: str, status: int, reason: str = "") -> HttpResponse:
    context = {
        "area": error_area(request.path),
        "reason": reason,
        "office_name": settings.AID_OFFICE_NAME,
        "office_phone": settings.AID_OFFICE_PHONE,
    }
    html = loader.get_template(template_name).render(context)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "403.html", 403, _reason(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "404.html", 404, _reason(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # Django's reason ("CSRF cookie not set.") is English and for developers only.
    return _render(request, "403_csrf.html", 403)
