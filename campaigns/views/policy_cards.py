"""Policy cards (明白卡) in the portal: the families' list, ticking a step, marking printed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from campaigns.cards import card_step_record, cards_mark_printed, family_cards
from campaigns.forms import CardStepForm
from campaigns.models import CardStep
from campaigns.views.portal import (
    asked_term,
    can,
    portal_object,
    portal_school,
    portal_school_term,
    portal_view,
    render_portal,
    who,
)
from students.models import Household


@require_safe
@portal_view("view_policycard")
def cards(request: HttpRequest, pk: int) -> HttpResponse:
    school, term = portal_school_term(request, pk)
    missing_only = request.GET.get("missing") == "1"
    rows = family_cards(school=school, school_year=term.school_year, missing_only=missing_only)
    return render_portal(
        request,
        "portal/cards.html",
        {
            "school": school,
            "term": term,
            "rows": rows,
            "missing_only": missing_only,
            "steps": CardStep.choices,
            "can_write": can(request, "change_policycard", "add_policycard"),
            "who": who(request),
            "today": timezone.localdate(),
        },
    )


@require_POST
@portal_view("change_policycard", "add_policycard")
def card_tick(request: HttpRequest, pk: int, household_pk: int) -> HttpResponse:
    school = portal_school(request, pk)
    household = portal_object(request, Household.objects.all(), pk=household_pk)
    term = asked_term(request)
    form = CardStepForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            card_step_record(
                school=school,
                school_year=term.school_year,
                household=household,
                step=form.cleaned_data["step"],
                on=form.cleaned_data["on"],
                by=form.cleaned_data["by"],
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    else:
        error = "请填写经办人和日期。"
    if request.htmx:
        row = next(
            (r for r in family_cards(school=school, school_year=term.school_year) if r.household.pk == household.pk),
            None,
        )
        if row is None:
            raise Http404
        return render_portal(
            request,
            "portal/_card_row.html",
            {
                "row": row,
                "school": school,
                "term": term,
                "error": error,
                "can_write": True,
                "who": form.cleaned_data.get("by") if form.is_valid() else who(request),
                "today": timezone.localdate(),
            },
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("campaigns:cards", kwargs={"pk": school.pk}) + f"#family-{household.pk}")


@require_POST
@portal_view("add_policycard")
def cards_print(request: HttpRequest, pk: int) -> HttpResponse:
    school, term = portal_school_term(request, pk)
    count = cards_mark_printed(
        school=school, school_year=term.school_year, on=timezone.localdate(), by=who(request)
    )
    messages.success(request, f"已将 {count} 张明白卡标记为已打印。")
    return redirect("campaigns:cards", pk=school.pk)
