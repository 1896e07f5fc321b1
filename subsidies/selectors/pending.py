"""What waits for someone: batches to approve, lists to review, notices ending, floors not met.

The 工作台's to-dos (`oversight`) read these; each read stays in the actor's scope and
runs a fixed number of queries whatever the number of batches, notices or schools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum

from aidsite.access import scope_queryset, user_scope
from students.models import Term, Township
from subsidies.models import (
    BatchStatus,
    DisbursementBatch,
    Entitlement,
    EntitlementStatus,
    PublicNotice,
)
from subsidies.selectors.aid import SummaryRow, term_summary
from subsidies.selectors.notices import notice_entitlements

if TYPE_CHECKING:
    from aidsite.access import Actor


@dataclass(frozen=True)
class PendingBatches:
    """Prepared batches not yet approved, split by who prepared them (four-eyes, SECURITY A5)."""

    by_others: list[DisbursementBatch]
    by_others_count: int
    by_actor: list[DisbursementBatch]
    by_actor_count: int


def batches_pending_approval(*, actor: Actor, limit: int = 10) -> PendingBatches:
    """The batches in the actor's scope waiting for approval, oldest first, at most `limit` of each kind.

    Those prepared by someone else are the ones the actor may approve; those the actor
    prepared wait for another officer. One count query, one list query per non-empty kind.
    """
    pending = scope_queryset(actor, DisbursementBatch.objects.filter(status=BatchStatus.PREPARED))
    mine = Q(prepared_by_id=getattr(actor, "pk", None))
    counts = pending.aggregate(by_actor=Count("pk", filter=mine), total=Count("pk"))
    by_actor_count = counts["by_actor"]
    by_others_count = counts["total"] - by_actor_count
    listed = pending.select_related(
        "township", "policy", "term__school_year", "prepared_by"
    ).order_by("prepared_at", "pk")
    return PendingBatches(
        by_others=list(listed.exclude(mine)[:limit]) if by_others_count else [],
        by_others_count=by_others_count,
        by_actor=list(listed.filter(mine)[:limit]) if by_actor_count else [],
        by_actor_count=by_actor_count,
    )


@dataclass(frozen=True)
class PendingList:
    """One township's computed list of one policy and term with rows still 拟资助 (not yet reviewed)."""

    term: Term
    township_id: int
    township_name: str
    policy_code: str
    policy_name: str
    count: int
    total: Decimal


def _by_term_township_policy(
    queryset: QuerySet[Any], township: str, limit: int, **annotations: Any
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """`queryset` grouped by term, township (the path `township`) and policy, latest term first,
    at most `limit` + 1 groups (the caller tells "more"): each group's term, township and policy
    fields, and its row of `annotations`. Two queries (the groups, their terms)."""
    rows = list(
        queryset.values(
            "term_id",
            f"{township}_id",
            f"{township}__name",
            "policy__code",
            "policy__name",
            "policy__order",
        )
        .annotate(**annotations)
        .order_by("-term__start_date", f"{township}__name", "policy__order", "policy__code")[
            : limit + 1
        ]
    )
    terms = Term.objects.select_related("school_year").in_bulk({row["term_id"] for row in rows})
    return [
        (
            {
                "term": terms[row["term_id"]],
                "township_id": row[f"{township}_id"],
                "township_name": row[f"{township}__name"],
                "policy_code": row["policy__code"],
                "policy_name": row["policy__name"],
            },
            row,
        )
        for row in rows
    ]


def lists_awaiting_review(*, actor: Actor, limit: int = 10) -> list[PendingList]:
    """Per term, township and policy: the proposed entitlements not yet approved (名单审核), latest term first."""
    proposed = scope_queryset(actor, Entitlement.objects.filter(status=EntitlementStatus.PROPOSED))
    groups = _by_term_township_policy(
        proposed, "enrollment__school__township", limit, n=Count("pk"), total=Sum("amount")
    )
    return [
        PendingList(**fields, count=row["n"], total=row["total"] or Decimal("0.00"))
        for fields, row in groups
    ]


@dataclass(frozen=True)
class NoticesDue:
    """One township's notices of one policy and term that end soon, or ended with the list still unreviewed."""

    term: Term
    township_id: int
    township_name: str
    policy_code: str
    policy_name: str
    ending_count: int
    ending_by: dt.date | None
    ended_count: int


def notices_due(*, actor: Actor, today: dt.date, days: int, limit: int = 10) -> list[NoticesDue]:
    """Notices (公示) not withdrawn that end within `days` of `today`, or ended while the school's
    list of that policy still has 拟资助 rows (no 名单审核 followed the notice). Two queries."""
    unreviewed = notice_entitlements(
        term=OuterRef("term"), school_id=OuterRef("school_id"), policy_id=OuterRef("policy_id")
    ).filter(status=EntitlementStatus.PROPOSED)
    ending = Q(end_date__gte=today)
    notices = scope_queryset(
        actor,
        PublicNotice.objects.filter(
            withdrawn_at__isnull=True, end_date__lte=today + dt.timedelta(days=days)
        ),
    ).filter(ending | Q(Exists(unreviewed)))
    groups = _by_term_township_policy(
        notices,
        "school__township",
        limit,
        ending_count=Count("pk", filter=ending),
        ending_by=Min("end_date", filter=ending),
        ended_count=Count("pk", filter=~ending),
    )
    return [
        NoticesDue(
            **fields,
            ending_count=row["ending_count"],
            ending_by=row["ending_by"],
            ended_count=row["ended_count"],
        )
        for fields, row in groups
    ]


def latest_listed_term(*, actor: Actor) -> Term | None:
    """The latest term with an aid list (any entitlement) in the actor's scope."""
    listed = scope_queryset(actor, Entitlement.objects.filter(term=OuterRef("pk")))
    return (
        Term.objects.select_related("school_year")
        .filter(Exists(listed))
        .order_by("-start_date")
        .first()
    )


def schools_below_floor(*, actor: Actor, term: Term) -> list[SummaryRow]:
    """The term summary's rows (policy and school) below the policy's floor, in the actor's township or county.

    A school-scoped actor (a director) gets none: the summary is a township's or the county's.
    """
    scope = user_scope(actor)
    if scope.school_id is not None or not (scope.everything or scope.township_id):
        return []
    township = Township.objects.get(pk=scope.township_id) if scope.township_id else None
    return [row for row in term_summary(term=term, township=township) if row.below_floor]
