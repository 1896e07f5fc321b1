"""Policy cards (扶贫工作摸底明白卡): every family with a child at the kindergarten gets one.

printed → handed out → checked with the family by the class teacher → signed by the
parent; each step with a date and who (seed, third plan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from campaigns.models import CardStep, PolicyCard
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    School,
    SchoolYear,
    Student,
)

STEPS: list[str] = list(CardStep.values)
# What is left to do at each step, for badges and buttons ("待发放", "✓ 已发放").
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


def family_cards(
    *, school: School, school_year: SchoolYear, missing_only: bool = False
) -> list[FamilyCard]:
    """Every family of the kindergarten with its card (or none yet); three queries."""
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
    setattr(card, f"{step}_on", on)
    setattr(card, f"{step}_by", by[:30])
    card.full_clean()
    card.save()
    return card


@transaction.atomic
def cards_mark_printed(
    *, school: School, school_year: SchoolYear, on: dt.date, by: str
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
    bulk_create_with_history(new_cards, PolicyCard)
    unprinted = list(
        PolicyCard.objects.filter(
            school=school, school_year=school_year, printed_on__isnull=True, household_id__in=families
        )
    )
    for card in unprinted:
        card.printed_on = on
        card.printed_by = by
    bulk_update_with_history(unprinted, PolicyCard, ["printed_on", "printed_by"])
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
