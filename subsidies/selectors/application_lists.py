"""Reads of the application pages: the list (资助申请), what waits for 初审 and 审核, a year's choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from aidsite.access import scope_queryset, user_scope
from students.models import SchoolYear
from subsidies.models import AidApplication, ApplicationStatus, Policy

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Township

CHECK = "subsidies.check_aidapplication"
DECIDE = "subsidies.decide_aidapplication"


def application_years() -> QuerySet[SchoolYear]:
    """School years with policies handled by application, the newest first (the page's year choices)."""
    return (
        SchoolYear.objects.filter(policies__by_application=True).distinct().order_by("-start_year")
    )


def default_application_year() -> SchoolYear | None:
    """The year the list opens on: the newest with policies by application (never an empty year)."""
    return application_years().first()


def application_policies(school_year: SchoolYear | None) -> QuerySet[Policy]:
    """The year's policies handled by application, in the county's order."""
    if school_year is None:
        return Policy.objects.none()
    return Policy.objects.filter(school_year=school_year, by_application=True).order_by(
        "order", "code"
    )


def application_list(
    *,
    actor: Actor,
    school_year: SchoolYear,
    policy_id: int | None = None,
    status: str | None = None,
    township: Township | None = None,
    name: str | None = None,
    id_number: str | None = None,
    id_suffix: str | None = None,
    id_prefix: str | None = None,
) -> QuerySet[AidApplication]:
    """The applications of a year the actor may see, filtered, joined for display in one query.

    `id_suffix` / `id_prefix` match the masked number's visible ends (the form decides how
    many digits a role may ask for); `id_number` the full number exactly.
    """
    queryset = scope_queryset(actor, AidApplication.objects.filter(policy__school_year=school_year))
    lookups = {
        "policy_id": policy_id,
        "status": status,
        "township": township,
        "student__name__contains": name,
        "student__id_number": id_number,
        "student__id_number__endswith": id_suffix,
        "student__id_number__startswith": id_prefix,
    }
    queryset = queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})
    return queryset.select_related(
        "student", "policy", "term__school_year", "township", "enrollment__school", "submitted_by"
    ).order_by("-submitted_at", "-pk")


@dataclass(frozen=True)
class ApplicationsWaiting:
    """Applications waiting for the actor: 初审 (township staff) and 审核 (the county's reviewer)."""

    check: int
    decide: int


def _waiting_for_check(actor: Actor) -> QuerySet[AidApplication]:
    return scope_queryset(actor, AidApplication.objects.filter(status=ApplicationStatus.SUBMITTED))


def _waiting_for_decision(actor: Actor) -> QuerySet[AidApplication]:
    # Four-eyes: what the reviewer entered or checked waits for another reviewer, not for them.
    mine = Q(submitted_by_id=actor.pk) | Q(checked_by_id=actor.pk)
    return scope_queryset(
        actor, AidApplication.objects.filter(status=ApplicationStatus.CHECKED)
    ).exclude(mine)


def applications_waiting(actor: Actor) -> ApplicationsWaiting:
    """How many applications wait for the actor's 初审 and 审核 (two counts, whatever the number)."""
    if user_scope(actor).read_only:
        return ApplicationsWaiting(check=0, decide=0)
    check = _waiting_for_check(actor).count() if actor.has_perm(CHECK) else 0
    decide = _waiting_for_decision(actor).count() if actor.has_perm(DECIDE) else 0
    return ApplicationsWaiting(check=check, decide=decide)


def status_counts(queryset: QuerySet[AidApplication]) -> dict[str, int]:
    """The number of applications per status in `queryset` (one grouped query)."""
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
