"""一对一爱心育才 in the portal: the pairs, one pair's contact log, the ledger workbook."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_safe

from aidsite.access import can_reveal_personal_data, log_access, scope_queryset
from aidsite.lib.excel import write_formal_workbook
from aidsite.models import AccessAction
from campaigns.forms import ContactForm
from campaigns.mentoring import ledger_rows, mentoring_contact_record
from campaigns.models import Mentoring
from campaigns.views.portal import (
    can,
    form_saved,
    issuer,
    portal_object,
    portal_view,
    render_portal,
    require_perm,
)


@require_safe
@portal_view("view_mentoring")
def mentoring_list(request: HttpRequest) -> HttpResponse:
    pairs = (
        scope_queryset(request.user, Mentoring.objects.all())
        .select_related("school", "student")
        .annotate(contact_count=Count("contacts"))
        .order_by("school__name", "student__name")
    )
    return render_portal(
        request,
        "portal/mentoring.html",
        {"pairs": pairs, "can_export": can(request, "export_mentoring")},
    )


@portal_view("view_mentoring")
def mentoring_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        require_perm(request, "add_mentoringcontact")
    mentoring = portal_object(request, Mentoring.objects.select_related("school", "student"), pk=pk)
    can_write = can(request, "add_mentoringcontact")
    form = ContactForm(initial={"date": timezone.localdate()}) if can_write else None
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form_saved(
            request,
            form,
            lambda data: mentoring_contact_record(mentoring=mentoring, **data),
            success="帮扶记录已保存。",
        ):
            return redirect("campaigns:mentoring_detail", pk=mentoring.pk)
    return render_portal(
        request,
        "portal/mentoring_detail.html",
        {"mentoring": mentoring, "contacts": mentoring.contacts.all(), "form": form},
    )


@require_safe
@portal_view("export_mentoring")
def mentoring_ledger_xlsx(request: HttpRequest) -> HttpResponse:
    mentorings = scope_queryset(request.user, Mentoring.objects.all())
    reveal = can_reveal_personal_data(request.user)
    buffer = io.BytesIO()
    result = write_formal_workbook(
        buffer,
        ledger_rows(mentorings, reveal=reveal),
        title="一对一爱心育才帮扶台账",
        issuer=issuer(request),
        money_columns=(),
        count_unit="条",
    )
    data, count = buffer.getvalue(), result.rows
    log_access(
        user=request.user,
        action=AccessAction.EXPORT,
        what="一对一爱心育才帮扶台账",
        row_count=count,
        detail={"full_id_numbers": reveal},
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = dt.date.today().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'帮扶台账-{stamp}.xlsx')}"
    )
    return response
