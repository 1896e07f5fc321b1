"""名单比对差异 (/lists/): the differences between the latest external lists and the registry.

Township staff see their township's; the county (and its auditors) every
township's, with a count per township and kind. ID numbers are masked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from aidsite.access import get_for_user, require
from aidsite.admin_pages import render_admin_page
from aidsite.lib.idcard import mask_id_number
from students.external_compare import KINDS
from students.external_lists import scoped_differences
from students.external_models import ExternalListImport, ExternalSource
from students.models import Township

PAGE_SIZE = 200
VIEW_PERMISSION = "students.view_householdmember"


@require_GET
@login_required
def external_differences(request: HttpRequest) -> HttpResponse:
    """The differences per township (counts) and one by one, filtered by township, list and kind."""
    scope = require(request.user, VIEW_PERMISSION, staff=True)
    township = None
    if request.GET.get("township", "").isdigit():
        township = get_for_user(request.user, Township.objects.all(), pk=int(request.GET["township"]))
    found = scoped_differences(actor=request.user, township=township)
    names = dict(Township.objects.values_list("pk", "name"))
    counts: dict[int | None, Counter[str]] = {}
    for d in found:
        counts.setdefault(d.township_id, Counter())[d.kind] += 1
    source, kind = request.GET.get("source", ""), request.GET.get("kind", "")
    shown = [d for d in found if (not source or d.source == source) and (not kind or d.kind == kind)]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "title": "名单比对差异",
        "county_wide": scope.everything,
        "township": township,
        "townships": Township.objects.order_by("name") if scope.everything else [],
        "kinds": KINDS,
        "sources": ExternalSource.choices,
        "source": source,
        "kind": kind,
        "per_township": [
            {"name": names.get(pk, "未确定乡镇"), "counts": [c[k] for k in KINDS], "total": sum(c.values())}
            for pk, c in sorted(counts.items(), key=lambda item: names.get(item[0], ""))
        ],
        "total": len(found),
        "page": page,
        "rows": [
            {"d": d, "source": ExternalSource(d.source).label, "masked_id": mask_id_number(d.id_number)}
            for d in page
        ],
        "page_query": query.urlencode(),
        "latest": _latest_imports(),
    }
    return render_admin_page(request, "students/external_differences.html", context)


def _latest_imports() -> list[ExternalListImport]:
    latest: dict[str, ExternalListImport] = {}
    for snapshot in ExternalListImport.objects.order_by("source", "-imported_at", "-pk"):
        latest.setdefault(snapshot.source, snapshot)
    return list(latest.values())


app_name = "external_lists"
urlpatterns = [path("", external_differences, name="differences")]
