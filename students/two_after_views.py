"""The 两后生 page (/dropouts/two-after/): the list of a year, one student's offer and its form.

Thin views, next to the 控辍保学 pages and built the same way: the list comes from
`students.two_after`, the write from `students.two_after_offers`; a student is fetched
through the actor's list of the year (404 outside it). Township staff, the county
administrator and auditors (read only); directors get 403. ID numbers are masked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from aidsite.lib.idcard import mask_id_number
from students.dropout_views import PAGE_SIZE, dropout_page
from students.models import OfferOutcome, SchoolYear
from students.two_after import (
    NOT_OFFERED,
    VIEW,
    TwoAfterRow,
    filter_outcome,
    following_year,
    outcome_counts,
    scoped_two_after,
    two_after_rows,
    with_outcome,
)
from students.two_after_forms import OfferForm, TwoAfterScopeForm
from students.two_after_offers import WRITE, two_after_offer_record


@dropout_page(methods=("GET",), view_perm=VIEW, write_perms=WRITE)
def two_after_index(request: HttpRequest) -> HttpResponse:
    """The 两后生 of a year with their offers, by township, village and name."""
    form = TwoAfterScopeForm(request.GET, user=request.user)
    year, township, outcome = form.two_after_selection()
    context: dict[str, Any] = {
        "title": "两后生职业教育绿色通道",
        "form": form,
        "year": year,
        "place": township.name if township is not None else "全县",
        "county_wide": form.fixed_township is None,
    }
    if year is not None:
        students = with_outcome(
            scoped_two_after(actor=request.user, school_year=year, township=township), year
        )
        counts = outcome_counts(students)
        listed = (
            filter_outcome(students, outcome)
            .select_related("household__village__township")
            .order_by(
                "household__village__township__name", "household__village__name", "name", "pk"
            )
        )
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
        query = {k: v for k, v in request.GET.items() if k != "page" and v}
        context.update(
            page=page,
            rows=_rows(two_after_rows(list(page), year)),
            next_year=following_year(year),
            total=sum(counts.values()),
            counts=[
                (label, counts.get(code, 0), code)
                for code, label in [(NOT_OFFERED, "未告知"), *OfferOutcome.choices]
            ],
            page_query=urlencode(query),
            year_query=urlencode({"year": year.pk}),
        )
    return render_admin_page(request, "students/dropouts/two_after.html", context)


def _rows(rows: list[TwoAfterRow]) -> list[dict[str, Any]]:
    return [{"r": r, "masked_id": mask_id_number(r.student.id_number)} for r in rows]


def _year(request: HttpRequest) -> SchoolYear:
    year, _township, _outcome = TwoAfterScopeForm(
        request.GET or request.POST, user=request.user
    ).two_after_selection()
    if year is None:
        raise Http404("尚未开设学年。")
    return year


def _listed(request: HttpRequest, pk: int, year: SchoolYear) -> TwoAfterRow:
    """The student `pk` as a 两后生 of `year` on the user's list, or 404."""
    student = (
        scoped_two_after(actor=request.user, school_year=year)
        .select_related("household__village__township")
        .filter(pk=pk)
        .first()
    )
    rows = two_after_rows([student], year) if student is not None else []
    if not rows:
        raise Http404("该学生不在本学年两后生名单中。")
    return rows[0]


def _student_context(row: TwoAfterRow, year: SchoolYear) -> dict[str, Any]:
    history = []
    if row.offer is not None:
        history = list(
            row.offer.history.select_related("history_user", "vocational_school").order_by(
                "-history_date"
            )
        )
    return {
        "title": f"{row.student.name}：两后生职业教育告知",
        "row": row,
        "student": row.student,
        "masked_id": mask_id_number(row.student.id_number),
        "year": year,
        "next_year": following_year(year),
        "history": history,
        "year_query": urlencode({"year": year.pk}),
    }


def _initial(row: TwoAfterRow) -> dict[str, Any]:
    offer = row.offer
    if offer is None:
        return {}
    return {
        "vocational_school": offer.vocational_school_id, "offered_on": offer.offered_on,
        "outcome": offer.outcome, "note": offer.note,
    }  # fmt: skip


@dropout_page(methods=("GET",), view_perm=VIEW, write_perms=WRITE)
def two_after_student(request: HttpRequest, pk: int) -> HttpResponse:
    """One 两后生: what they finished, what the registry shows next year, the offer and its form."""
    year = _year(request)
    row = _listed(request, pk, year)
    context = _student_context(row, year)
    context["form"] = OfferForm(initial=_initial(row))
    return render_admin_page(request, "students/dropouts/two_after_student.html", context)


@dropout_page(methods=("POST",), write=True, view_perm=VIEW, write_perms=WRITE)
def two_after_offer(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year(request)
    row = _listed(request, pk, year)
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            offer = two_after_offer_record(
                actor=request.user, student=row.student, school_year=year, **form.cleaned_data
            )
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(
                request, f"已记录{row.student.name}的职业学校告知：{offer.get_outcome_display()}。"
            )
            return redirect(f"{reverse('dropouts:two_after')}?{urlencode({'year': year.pk})}")
    context = _student_context(row, year)
    context["form"] = form
    return render_admin_page(
        request, "students/dropouts/two_after_student.html", context, status=400
    )
