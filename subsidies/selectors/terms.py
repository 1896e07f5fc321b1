"""Which term (or school year) a page opens on: the latest one that holds the page's data.

Every term picker of the aid, notice and ledger pages and of the export centre's
subsidies forms asks `default_term` (or `default_school_year`) with the kind of
data the page is about, so that no page opens on a school year nobody has set up
(the calendar's current year often has no policies for weeks after 1 September).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from aidsite.access import scope_queryset
from students.models import SchoolYear, Term
from subsidies.models import (
    AWARDED_STATUSES,
    DisbursementBatch,
    Entitlement,
    EntitlementStatus,
    Policy,
)

if TYPE_CHECKING:
    from aidsite.access import Actor


class TermData(enum.Enum):
    """What a page shows, and so which terms count as having data for it."""

    AID = "aid"  # the aid lists: the term under way if its year has policies, else the latest list
    NOTICES = "notices"  # 公示: the latest term with an awarded list
    PREPARE = "prepare"  # 编制发放批次: the latest term with an approved list
    LEDGER = "ledger"  # ledgers, exports and reports: the latest term with a disbursement batch


# Each kind's criteria, tried in order; `_POLICIES` (the year has policies) always ends the list.
_CURRENT = "current"
_ENTITLEMENTS = "entitlements"
_AWARDED = "awarded"
_APPROVED = "approved"
_BATCHES = "batches"
_POLICIES = "policies"
_CRITERIA: dict[TermData, tuple[str, ...]] = {
    TermData.AID: (_CURRENT, _ENTITLEMENTS),
    TermData.NOTICES: (_AWARDED, _ENTITLEMENTS),
    TermData.PREPARE: (_APPROVED, _ENTITLEMENTS),
    TermData.LEDGER: (_BATCHES, _APPROVED, _ENTITLEMENTS),
}


def years_with_policies() -> QuerySet[SchoolYear]:
    """School years that have their aid policies (`open_year`, or entered by hand)."""
    return SchoolYear.objects.filter(Exists(Policy.objects.filter(school_year=OuterRef("pk"))))


def year_has_policies(school_year: SchoolYear | None) -> bool:
    return school_year is not None and Policy.objects.filter(school_year=school_year).exists()


def _entitlements(actor: Actor, **filters: object) -> QuerySet[Entitlement]:
    return scope_queryset(actor, Entitlement.objects.filter(term=OuterRef("pk"), **filters))


def _criterion(name: str, actor: Actor) -> Q | Exists:
    today = timezone.localdate()
    if name == _CURRENT:
        return Q(start_date__lte=today, end_date__gte=today) & Q(
            school_year__in=years_with_policies()
        )
    if name == _ENTITLEMENTS:
        return Exists(_entitlements(actor))
    if name == _AWARDED:
        return Exists(_entitlements(actor, status__in=AWARDED_STATUSES))
    if name == _APPROVED:
        return Exists(_entitlements(actor, status=EntitlementStatus.APPROVED))
    if name == _BATCHES:
        return Exists(scope_queryset(actor, DisbursementBatch.objects.filter(term=OuterRef("pk"))))
    raise ValueError(name)


def default_term(*, actor: Actor, data: TermData) -> Term | None:
    """The term a page about `data` opens on for `actor`.

    The latest term meeting the kind's first criterion that any term meets (an
    aid list in the actor's scope, an approved list, a batch…); failing all, the
    latest begun term whose year has policies, then any term with policies, then
    the term under way, then the latest term.
    """
    terms = Term.objects.select_related("school_year").order_by("-start_date")
    for name in _CRITERIA[data]:
        found = terms.filter(_criterion(name, actor)).first()
        if found is not None:
            return found
    today = timezone.localdate()
    with_policies = terms.filter(school_year__in=years_with_policies())
    return (
        with_policies.filter(start_date__lte=today).first()
        or with_policies.first()
        or terms.filter(start_date__lte=today).first()
        or terms.first()
    )


def default_school_year(*, actor: Actor, data: TermData) -> SchoolYear | None:
    """The school year of `default_term` (pickers that choose a year, such as the funds ledger)."""
    term = default_term(actor=actor, data=data)
    return term.school_year if term is not None else None
