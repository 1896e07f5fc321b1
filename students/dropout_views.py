"""The 控辍保学 pages (/dropouts/): the lists per township and village, and one child's case.

Thin views: the lists come from `students.omissions`, the writes from
`students.dropout_cases`; `get_member` fetches a child in the user's scope (404 outside
it). For township staff (their township), the county administrator (every township)
and auditors (read only); directors get 403. ID numbers are shown masked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from aidsite.access import get_for_user, require
from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from aidsite.lib.idcard import mask_id_number
from students.dropout_cases import WRITE, dropout_case_close, dropout_contact_record
from students.dropout_forms import LISTS, CloseForm, ContactForm, DropoutScopeForm
from students.models import (
    DropoutCase,
    Enrollment,
    HouseholdMember,
    SchoolYear,
    Stage,
    age_on,
)
from students.omissions import (
    VIEW,
    compulsory_ages,
    expected_stage,
    not_in_kindergarten,
    suspected_dropout,
    suspected_dropouts,
)

PAGE_SIZE = 200


def dropout_page(
    *,
    methods: tuple[str, ...],
    write: bool = False,
    view_perm: str = VIEW,
    write_perms: tuple[str, ...] = WRITE,
) -> Callable[[Any], Any]:
    """Log-in, the role check (a write: not read-only roles), then the method."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        allowed = require_http_methods(list(methods))(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, write_perms if write else view_perm, staff=True, write=write)
            return allowed(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def get_member(request: HttpRequest, pk: int) -> HouseholdMember:
    return get_for_user(
        request.user,
        HouseholdMember.objects.select_related("household__village__township"),
        pk=pk,
    )


def _year(request: HttpRequest) -> SchoolYear:
    form = DropoutScopeForm(request.GET or request.POST, user=request.user)
    year, _township, _village = form.selection()
    if year is None:
        raise Http404("尚未开设学年。")
    return year


@dropout_page(methods=("GET",))
def dropout_index(request: HttpRequest) -> HttpResponse:
    """疑似失学辍学 and 适龄未入园 lists of a year, per township and village, with counts."""
    form = DropoutScopeForm(request.GET, user=request.user)
    year, township, village = form.selection()
    shown = request.GET.get("list") if request.GET.get("list") in dict(LISTS) else "dropouts"
    context: dict[str, Any] = {
        "title": "控辍保学",
        "form": form,
        "year": year,
        "place": township.name if township is not None else "全县",
        "lists": LISTS,
        "shown": shown,
        "county_wide": form.fixed_township is None,
    }
    if year is not None:
        select = suspected_dropouts if shown == "dropouts" else not_in_kindergarten
        rows = select(actor=request.user, school_year=year, township=township)
        if village is not None:
            rows = [
                r for r in rows if (r.township, r.village) == (village.township.name, village.name)
            ]
        counts = Counter((r.township, r.village) for r in rows)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        query = {k: v for k, v in request.GET.items() if k != "page" and v}
        context.update(
            page=page,
            rows=[{"r": r, "masked_id": mask_id_number(r.id_number)} for r in page],
            villages=sorted(counts.items()),
            total=len(rows),
            page_query=urlencode(query),
            year_query=urlencode({"year": year.pk}),
        )
    return render_admin_page(request, "students/dropouts/index.html", context)


def _case_context(
    request: HttpRequest, member: HouseholdMember, year: SchoolYear
) -> dict[str, Any]:
    age = age_on(member.birth_date, year.age_reference_date())
    low, high = compulsory_ages(year)
    cases = list(
        DropoutCase.objects.filter(member=member)
        .select_related("school_year", "school__township", "closed_by")
        .prefetch_related("contacts__recorded_by")
        .order_by("-school_year__start_year")
    )
    enrollments = (
        Enrollment.objects.filter(student__id_number=member.id_number)
        .select_related("school", "school_year")
        .order_by("-school_year__start_year")
    )
    return {
        "title": f"{member.name}的劝返个案",
        "member": member,
        "masked_id": mask_id_number(member.id_number),
        "year": year,
        "age": age,
        "compulsory": low <= age <= high,
        "expected_stage": expected_stage(year, age) if low <= age <= high else "",
        "case": next((c for c in cases if c.school_year_id == year.pk), None),
        "earlier": [c for c in cases if c.school_year_id != year.pk],
        "enrollments": enrollments,
        "listed": suspected_dropout(actor=request.user, member=member, school_year=year),
        "year_query": urlencode({"year": year.pk}),
    }


@dropout_page(methods=("GET",))
def dropout_case(request: HttpRequest, pk: int) -> HttpResponse:
    """One child's case this year: what is known, the contacts made, the forms to act."""
    member = get_member(request, pk)
    year = _year(request)
    context = _case_context(request, member, year)
    stage = _expected_stage_code(context["expected_stage"])
    context.update(contact_form=ContactForm(), close_form=CloseForm(expected_stage=stage))
    return render_admin_page(request, "students/dropouts/case.html", context)


def _expected_stage_code(label: str) -> str:
    return next((code for code, text in Stage.choices if text == label), "")


def _case_url(member: HouseholdMember, year: SchoolYear) -> str:
    return f"{reverse('dropouts:case', args=[member.pk])}?{urlencode({'year': year.pk})}"


@dropout_page(methods=("POST",), write=True)
def dropout_contact(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk)
    year = _year(request)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            dropout_contact_record(
                actor=request.user, member=member, school_year=year, **form.cleaned_data
            )
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(request, "已记录劝返情况。")
            return redirect(_case_url(member, year))
    context = _case_context(request, member, year)
    stage = _expected_stage_code(context["expected_stage"])
    context.update(contact_form=form, close_form=CloseForm(expected_stage=stage))
    return render_admin_page(request, "students/dropouts/case.html", context, status=400)


@dropout_page(methods=("POST",), write=True)
def dropout_close(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member(request, pk)
    year = _year(request)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            case = dropout_case_close(
                actor=request.user, member=member, school_year=year, **form.cleaned_data
            )
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(request, f"{member.name}的个案已结案：{case.get_outcome_display()}。")
            return redirect(f"{reverse('dropouts:index')}?{urlencode({'year': year.pk})}")
    context = _case_context(request, member, year)
    context.update(contact_form=ContactForm(), close_form=form)
    return render_admin_page(request, "students/dropouts/case.html", context, status=400)
