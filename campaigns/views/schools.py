"""The portal's overview, a kindergarten's home page, a child's page, who is unvisited,
and the kindergarten's term summary (page and PDF)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from aidsite.access import log_access, scope_queryset, user_scope
from aidsite.models import AccessAction
from campaigns.cards import family_cards
from campaigns.coverage import children_for_school, coverage_by_school, unvisited_children
from campaigns.models import Campaign, CardStep, HomeVisit, Mentoring, PolicyCard
from campaigns.reports import open_follow_ups, term_summary_context
from campaigns.views.portal import (
    LOGIN,
    asked_term,
    can,
    kindergartens,
    pdf_response,
    portal_object,
    portal_school_term,
    portal_view,
    render_pdf_bytes,
    render_portal,
    require_perm,
    scope_title,
)
from students.models import Enrollment, EnrollmentStatus, School


@require_safe
@login_required(login_url=LOGIN)
def home(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if scope.school_id is not None:
        return redirect("campaigns:school", pk=scope.school_id)
    require_perm(request, "view_homevisit")
    term = asked_term(request)
    schools = kindergartens(request)
    rows = coverage_by_school(schools=schools, term=term)
    campaigns = scope_queryset(request.user, Campaign.objects.select_related("school_year"))
    return render_portal(
        request,
        "portal/overview.html",
        {
            "area": scope_title(request),
            "term": term,
            "rows": rows,
            "campaigns": campaigns,
            "registered": sum(r.registered for r in rows),
            "visited": sum(r.visited for r in rows),
            "families": sum(r.families for r in rows),
            "signed": sum(r.cards_signed for r in rows),
            "follow_ups": len(open_follow_ups(schools=schools)),
        },
    )


@require_safe
@portal_view("view_homevisit")
def school_home(request: HttpRequest, pk: int) -> HttpResponse:
    school, term = portal_school_term(request, pk)
    children = list(children_for_school(school=school, term=term))
    cards = family_cards(school=school, school_year=term.school_year)
    return render_portal(
        request,
        "portal/school.html",
        {
            "school": school,
            "term": term,
            "children": children,
            "visited": sum(1 for e in children if e.visited_this_term),
            "families": len(cards),
            "signed": sum(1 for c in cards if not c.missing_steps),
            "cards_missing": sum(1 for c in cards if c.missing_steps),
            "follow_ups": len(open_follow_ups(schools=School.objects.filter(pk=school.pk))),
            "campaigns": Campaign.objects.filter(schools=school, school_year=term.school_year),
            "can_write": can(request, "add_homevisit"),
        },
    )


@require_safe
@portal_view("view_homevisit")
def child(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = portal_object(
        request,
        Enrollment.objects.select_related("student__household__village", "school", "school_year"),
        pk=pk,
    )
    student = enrollment.student
    visits = (
        scope_queryset(request.user, HomeVisit.objects.filter(children=student))
        .select_related("school")
        .annotate(photo_count=Count("photos"))
        .order_by("-visited_at")
    )
    card = PolicyCard.objects.filter(
        household=student.household, school=enrollment.school, school_year=enrollment.school_year
    ).first()
    steps = [(step, label, card is not None and card.step_done(step)) for step, label in CardStep.choices]
    mentorings = scope_queryset(request.user, Mentoring.objects.filter(student=student))
    return render_portal(
        request,
        "portal/child.html",
        {
            "enrollment": enrollment,
            "student": student,
            "household": student.household,
            "visits": visits,
            "card": card,
            "steps": steps,
            "mentorings": mentorings,
            "can_write": can(request, "add_homevisit")
            and enrollment.status == EnrollmentStatus.STUDYING,
        },
    )


@require_safe
@portal_view("view_homevisit")
def coverage(request: HttpRequest) -> HttpResponse:
    term = asked_term(request)
    unvisited = list(unvisited_children(schools=kindergartens(request), term=term))
    return render_portal(request, "portal/coverage.html", {"term": term, "unvisited": unvisited})


def _term_summary(request: HttpRequest, pk: int) -> tuple[School, dict[str, Any]]:
    school, term = portal_school_term(request, pk)
    return school, term_summary_context(school=school, term=term)


@require_safe
@portal_view("view_homevisit")
def term_summary(request: HttpRequest, pk: int) -> HttpResponse:
    _school, context = _term_summary(request, pk)
    return render_portal(request, "portal/term_summary.html", context)


@require_safe
@portal_view("view_homevisit")
def term_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    school, context = _term_summary(request, pk)
    data = render_pdf_bytes("reports/term_summary.html", context, request)
    log_access(
        user=request.user,
        action=AccessAction.PRINT,
        what=f"学期工作小结 {school}",
        row_count=len(context["visits"]),
        detail={"model": "students.school", "pk": school.pk},
    )
    return pdf_response(data, f"{context['title']}.pdf")
