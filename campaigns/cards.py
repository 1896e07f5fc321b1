"""Policy cards (扶贫工作摸底明白卡): every family with a child at the kindergarten gets one.

printed → handed out → checked with the family by the class teacher → signed by the
parent; each step with a date and who (seed, third plan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from aidsite.access import actor_user
from campaigns.corrections import correction_refusal, set_history_user
from campaigns.models import CardStep, PolicyCard
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    School,
    SchoolYear,
    Student,
)

if TYPE_CHECKING:
    from aidsite.access import Actor

STEPS: list[str] = list(CardStep.values)
# What is left to do at each step, for badges ("待发放") and buttons ("登记发放").
STEP_ACTIONS: dict[str, str] = {
    CardStep.PRINTED: "打印",
    CardStep.HANDED_OUT: "发放",
    CardStep.CHECKED: "核对",
    CardStep.SIGNED: "签字",
}
STEP_WHO: dict[str, str] = {
    CardStep.PRINTED: "打印人",
    CardStep.HANDED_OUT: "发放人",
    CardStep.CHECKED: "核对班主任",
    CardStep.SIGNED: "签字家长",
}


def card_families(*, school: School, school_year: SchoolYear) -> QuerySet[Household]:
    """Households with a studying child at `school` in `school_year`, their children prefetched."""
    enrolled = Enrollment.objects.filter(
        school=school, school_year=school_year, status=EnrollmentStatus.STUDYING
    )
    children = Student.objects.filter(pk__in=enrolled.values("student")).order_by("name")
    return (
        Household.objects.filter(pk__in=enrolled.values("student__household"))
        .select_related("village")
        .prefetch_related(Prefetch("students", queryset=children, to_attr="enrolled_children"))
        .order_by("head_name")
    )


@dataclass
class FamilyCard:
    household: Household
    card: PolicyCard | None
    children: list[Student] = field(default_factory=list)
    # The last step, when the person looking may still take it back (set by the page).
    undo_step: str | None = None

    @property
    def status_label(self) -> str:
        """Where the card stands, as a status ("已发放"), never as an action."""
        last = self.card.last_step if self.card is not None else None
        return str(CardStep(last).label) if last else "未打印"

    @property
    def undo_label(self) -> str:
        return STEP_ACTIONS[self.undo_step] if self.undo_step else ""

    @property
    def done_steps(self) -> list[str]:
        return [s for s in STEPS if self.card is not None and self.card.step_done(s)]

    @property
    def missing_steps(self) -> list[str]:
        return [s for s in STEPS if s not in self.done_steps]

    @property
    def next_step(self) -> str | None:
        missing = self.missing_steps
        return missing[0] if missing else None

    @property
    def next_step_label(self) -> str:
        return STEP_ACTIONS[self.next_step] if self.next_step else ""

    @property
    def next_step_who_label(self) -> str:
        return STEP_WHO[self.next_step] if self.next_step else ""

    @property
    def progress(self) -> int:
        return len(self.done_steps)


def _matches(row: FamilyCard, words: list[str]) -> bool:
    text = " ".join(
        [row.household.head_name, row.household.village.name, *(c.name for c in row.children)]
    )
    return all(word in text for word in words)


def family_cards(
    *, school: School, school_year: SchoolYear, missing_only: bool = False, search: str = ""
) -> list[FamilyCard]:
    """Every family of the kindergarten with its card (or none yet); three queries.

    `search` keeps the families whose head, village or a child's name contains every word.
    """
    cards = {
        card.household_id: card
        for card in PolicyCard.objects.filter(school=school, school_year=school_year)
    }
    rows = [
        FamilyCard(household=h, card=cards.get(h.pk), children=h.enrolled_children)
        for h in card_families(school=school, school_year=school_year)
    ]
    if missing_only:
        rows = [row for row in rows if row.missing_steps]
    words = search.split()
    if words:
        rows = [row for row in rows if _matches(row, words)]
    return rows


@transaction.atomic
def card_step_record(
    *,
    school: School,
    school_year: SchoolYear,
    household: Household,
    step: str,
    on: dt.date,
    by: str,
    actor: Actor,
) -> PolicyCard:
    """Record that `step` of the family's card was done on `on` by `by`.

    Steps go in order: recording one whose predecessor is not done is refused.
    The family must have a studying child at the school this year.
    """
    if step not in STEPS:
        raise ValidationError(_("未知的明白卡步骤。"))
    if not card_families(school=school, school_year=school_year).filter(pk=household.pk).exists():
        raise ValidationError(_("该家庭本学年没有幼儿在本园就读。"))
    by = by.strip()
    if not by:
        raise ValidationError(_("请填写经办人。"))
    card = PolicyCard.objects.select_for_update().filter(
        household=household, school=school, school_year=school_year
    ).first() or PolicyCard(household=household, school=school, school_year=school_year)
    index = STEPS.index(step)
    if index > 0 and not card.step_done(STEPS[index - 1]):
        raise ValidationError(
            _("请先完成“%(step)s”。") % {"step": CardStep(STEPS[index - 1]).label}
        )
    if on > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"))
    setattr(card, f"{step}_on", on)
    setattr(card, f"{step}_by", by[:30])
    card.full_clean()
    set_history_user(card, actor)
    card.save()
    return card


def step_entry(entries: list[Any], step: str) -> Any:
    """Of a card's history `entries` (newest first), the one that recorded `step`, or None.

    That is the oldest entry of the latest unbroken run with the step's date set.
    """
    recorded = None
    for entry in entries:
        if getattr(entry, f"{step}_on") is None:
            break
        recorded = entry
    return recorded


def _step_refusal(*, card: PolicyCard, step: str, entries: list[Any], actor: Actor) -> str | None:
    if step != card.last_step:
        return _("只能撤销最后完成的一步。")
    entry = step_entry(entries, step)
    return correction_refusal(
        author_id=entry.history_user_id if entry else None,
        entered_at=entry.history_date if entry else None,
        actor=actor,
        today=timezone.localdate(),
    )


def step_undo_refusal(*, card: PolicyCard, step: str, actor: Actor) -> str | None:
    """Why `actor` may not undo `step` of `card` now, or None (campaigns.corrections' rule)."""
    entries = list(card.history.order_by("-history_date", "-history_id"))
    return _step_refusal(card=card, step=step, entries=entries, actor=actor)


def undoable_steps(*, cards: list[PolicyCard], actor: Actor) -> dict[int, str]:
    """The last step of each card that `actor` may undo now, by card id (two queries).

    Only cards `actor` changed today can qualify; their whole history is read at once.
    """
    user = actor_user(actor)
    if user is None or not cards:
        return {}
    today = timezone.localdate()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())
    by_id = {card.pk: card for card in cards if card.last_step}
    touched = set(
        PolicyCard.history.filter(id__in=by_id, history_user=user, history_date__gte=start)
        .values_list("id", flat=True)
    )
    entries: dict[int, list[Any]] = {pk: [] for pk in touched}
    for entry in PolicyCard.history.filter(id__in=touched).order_by("-history_date", "-history_id"):
        entries[entry.id].append(entry)
    return {
        pk: by_id[pk].last_step
        for pk in touched
        if _step_refusal(card=by_id[pk], step=by_id[pk].last_step, entries=entries[pk], actor=actor) is None
    }


@transaction.atomic
def card_step_undo(*, card: PolicyCard, step: str, actor: Actor) -> PolicyCard:
    """Take back the card's last step, done by mistake: by who recorded it, that day.

    The card's history keeps both the step and its undoing.
    """
    card = PolicyCard.objects.select_for_update().get(pk=card.pk)
    reason = step_undo_refusal(card=card, step=step, actor=actor)
    if reason is not None:
        raise ValidationError(reason)
    setattr(card, f"{step}_on", None)
    setattr(card, f"{step}_by", "")
    card.full_clean()
    set_history_user(card, actor)
    card.save()
    return card


@transaction.atomic
def cards_mark_printed(
    *, school: School, school_year: SchoolYear, on: dt.date, by: str, actor: Actor
) -> int:
    """Mark the cards of every family not yet printed as printed; returns how many."""
    families = list(card_families(school=school, school_year=school_year).values_list("pk", flat=True))
    existing = set(
        PolicyCard.objects.filter(school=school, school_year=school_year).values_list(
            "household_id", flat=True
        )
    )
    new_cards = [
        PolicyCard(
            household_id=pk, school=school, school_year=school_year, printed_on=on, printed_by=by
        )
        for pk in families
        if pk not in existing
    ]
    # simple_history records nothing for bulk writes: use its bulk helpers (SECURITY C4).
    bulk_create_with_history(new_cards, PolicyCard, default_user=actor_user(actor))
    unprinted = list(
        PolicyCard.objects.filter(
            school=school, school_year=school_year, printed_on__isnull=True, household_id__in=families
        )
    )
    for card in unprinted:
        card.printed_on = on
        card.printed_by = by
    bulk_update_with_history(
        unprinted, PolicyCard, ["printed_on", "printed_by"], default_user=actor_user(actor)
    )
    return len(new_cards) + len(unprinted)


@dataclass(frozen=True)
class CardShare:
    families: int
    signed: int

    @property
    def share(self) -> float | None:
        return self.signed / self.families if self.families else None


def card_share(*, school: School, school_year: SchoolYear) -> CardShare:
    families = card_families(school=school, school_year=school_year).count()
    signed = PolicyCard.objects.filter(
        school=school, school_year=school_year, signed_on__isnull=False
    ).count()
    return CardShare(families=families, signed=signed)
