"""What a notice (公示) shows, and each notice's counts in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from subsidies.models import (
    AWARDED_STATUSES,
    Entitlement,
    PublicNotice,
)

NOTICE_STATUSES = AWARDED_STATUSES


def notice_entitlements(*, term: Any, school_id: Any, policy_id: Any) -> QuerySet[Entitlement]:
    """The entitlements one school's notice of a policy shows: the printed list, the public page, the counts.

    The arguments may be `OuterRef`s, for a subquery per notice.
    """
    return Entitlement.objects.filter(
        term=term, policy_id=policy_id, enrollment__school_id=school_id, status__in=NOTICE_STATUSES, amount__gt=0
    )



def notices_with_counts(notices: QuerySet[PublicNotice]) -> QuerySet[PublicNotice]:
    """`notices` annotated with `student_count` and `total_amount`: the rows each notice shows now.

    One query for any number of notices: each count is a subquery over exactly
    the entitlements the notice report prints (`notice_entitlements`).
    """
    shown = notice_entitlements(
        term=OuterRef("term"), school_id=OuterRef("school_id"), policy_id=OuterRef("policy_id")
    ).order_by()
    # Grouping by a constant yields one aggregate row per notice (or none: hence Coalesce).
    grouped = shown.annotate(_one=Value(1)).values("_one")
    money = DecimalField(max_digits=14, decimal_places=2)
    return notices.annotate(
        student_count=Coalesce(Subquery(grouped.annotate(n=Count("pk")).values("n")), 0),
        total_amount=Coalesce(
            Subquery(grouped.annotate(s=Sum("amount")).values("s"), output_field=money),
            Value(0, output_field=money),
            output_field=money,
        ),
    )
