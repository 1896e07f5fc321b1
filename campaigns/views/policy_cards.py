"""Policy cards (明白卡) in the portal: the families' list, ticking a step, marking printed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from campaigns.cards import (
    STEP_ACTIONS,
    FamilyCard,
    card_step_record,
    card_step_undo,
    cards_mark_printed,
    family_cards,
    undoable_steps,
)
from campaigns.corrections import CORRECTION_RULE
from campaigns.forms import CardStepForm
from campaigns.models import CardStep, PolicyCard
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
from students.models import Household, School, Term


@require_safe
@portal_view("view_policycard")
def cards(request: HttpRequest, pk: int) -> HttpResponse:
    school, term = portal_school_term(request, pk)
    missing_only = request.GET.get("missing") == "1"
    search = request.GET.get("q", "").strip()[:30]
    rows = family_cards(
        school=school, school_year=term.school_year, missing_only=missing_only, search=search
    )
    can_write = can(request, "change_policycard", "add_policycard")
    if can_write:
        _mark_undoable(request, rows)
    return render_portal(
        request,
        "portal/cards.html",
        {
            "school": school,
            "term": term,
            "rows": rows,
            "missing_only": missing_only,
            "search": search,
            "correction_rule": CORRECTION_RULE,
            "steps": CardStep.choices,
            "can_write": can_write,
            "who": who(request),
            "today": timezone.localdate(),
        },
    )


def _mark_undoable(request: HttpRequest, rows: list[FamilyCard]) -> None:
    cards = [row.card for row in rows if row.card is not None]
    undoable = undoable_steps(cards=cards, actor=request.user)
    for row in rows:
        row.undo_step = undoable.get(row.card.pk) if row.card is not None else None


def _family(request: HttpRequest, pk: int, household_pk: int) -> tuple[School, Household, Term]:
    """The kindergarten and family a card action is about (both in scope), and the term."""
    school = portal_school(request, pk)
    household = portal_object(request, Household.objects.all(), pk=household_pk)
    return school, household, asked_term(request)


def _row_answer(
    request: HttpRequest, *, school: School, term: Term, household: Household, error: str, done: str
) -> HttpResponse:
    """The family's row again (htmx), or the list scrolled to it with the message."""
    if request.htmx:
        rows = [
            r
            for r in family_cards(school=school, school_year=term.school_year)
            if r.household.pk == household.pk
        ]
        if not rows:
            raise Http404
        _mark_undoable(request, rows)
        context = {
            "row": rows[0], "school": school, "term": term, "error": error, "done": done,
            "can_write": True, "who": who(request), "today": timezone.localdate(),
        }  # fmt: skip
        return render_portal(request, "portal/_card_row.html", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(
        reverse("campaigns:cards", kwargs={"pk": school.pk}) + f"?term={term.pk}#family-{household.pk}"
    )


@require_POST
@portal_view("change_policycard", "add_policycard")
def card_tick(request: HttpRequest, pk: int, household_pk: int) -> HttpResponse:
    school, household, term = _family(request, pk, household_pk)
    form = CardStepForm(request.POST)
    error = done = ""
    if form.is_valid():
        step = form.cleaned_data["step"]
        try:
            card_step_record(
                school=school,
                school_year=term.school_year,
                household=household,
                step=step,
                on=form.cleaned_data["on"],
                by=form.cleaned_data["by"],
                actor=request.user,
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            done = f"已登记{STEP_ACTIONS[step]}：{household.head_name}户。"
    else:
        error = "请填写经办人和日期。"
    return _row_answer(request, school=school, term=term, household=household, error=error, done=done)


@require_POST
@portal_view("change_policycard", "add_policycard")
def card_undo(request: HttpRequest, pk: int, household_pk: int) -> HttpResponse:
    """Take back the family card's last step (its author, on the day: campaigns.corrections)."""
    school, household, term = _family(request, pk, household_pk)
    card = portal_object(
        request,
        PolicyCard.objects.filter(school=school, school_year=term.school_year),
        household=household,
    )
    step = request.POST.get("step", "")
    error = done = ""
    try:
        card_step_undo(card=card, step=step, actor=request.user)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    else:
        done = f"已撤销{STEP_ACTIONS[step]}：{household.head_name}户。"
    return _row_answer(request, school=school, term=term, household=household, error=error, done=done)


@require_POST
@portal_view("add_policycard")
def cards_print(request: HttpRequest, pk: int) -> HttpResponse:
    school, term = portal_school_term(request, pk)
    count = cards_mark_printed(
        school=school,
        school_year=term.school_year,
        on=timezone.localdate(),
        by=who(request),
        actor=request.user,
    )
    messages.success(request, f"已将 {count} 张明白卡标记为已打印。")
    return redirect("campaigns:cards", pk=school.pk)
