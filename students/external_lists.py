"""Other departments' lists (扶贫 registry, civil affairs, disabled persons' federation) against ours.

Interface shared by the omission report (`subsidies`), the differences page,
the 工作台 (`external_difference_count`) and the aid summary
(`condition_changes_count`). The comparison is `students.external_compare`;
the import that stores a list and applies its differences is
`students.importing.external_service`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from aidsite.access import require

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.external_compare import Difference
    from students.models import SchoolYear, Township


@dataclass(frozen=True)
class ListDifference:
    """One difference between an external list and the registry (名单比对差异)."""

    name: str
    id_number: str
    source: str  # 来源: the list's Chinese name, e.g. 民政低保特困名单
    difference: str  # 差异: e.g. 新增人员, 新增类别, 类别终止, 姓名不一致, 迁至其他村
    registry: str  # 登记情况: what the registry holds
    external: str  # 外部名单情况: what the external list says


def list_differences(*, actor: Actor, township: Township | None = None) -> list[ListDifference]:
    """Differences between the latest import of each external list and the registry, not yet applied.

    In the actor's scope (a township officer: their township; the county: all),
    narrowed to `township` when given; by source, then in the list's order. A
    constant number of queries: the registry once, one per list's snapshot.
    """
    return [d.as_list_difference() for d in scoped_differences(actor=actor, township=township)]


def scoped_differences(*, actor: Actor, township: Township | None = None) -> list[Difference]:
    """`list_differences` with each difference's township and action (for the pages' counts)."""
    from students.external_compare import differences_compute, registry_load
    from students.external_models import ExternalListImport, ExternalSource
    from students.importing.external_service import snapshot_rows

    scope = require(
        actor, "students.view_householdmember", **({"township": township} if township else {})
    )
    if township is None and not scope.everything and scope.township_id is None:
        return []  # a school's director: the lists are the townships' and the county's
    wanted = (
        township.pk if township is not None else (None if scope.everything else scope.township_id)
    )
    latest = {}
    for snapshot in ExternalListImport.objects.order_by("source", "-imported_at", "-pk"):
        latest.setdefault(snapshot.source, snapshot)
    if not latest:
        return []
    registry = registry_load()
    found: list[Difference] = []
    for source in ExternalSource.values:
        if source in latest:
            found.extend(differences_compute(source, snapshot_rows(latest[source]), registry))
    return [d for d in found if wanted is None or d.township_id == wanted]


def external_difference_count(actor: Actor) -> int:
    """How many list differences the actor has to look at (the 工作台's count); 0 for roles without the lists."""
    try:
        return len(scoped_differences(actor=actor))
    except PermissionDenied:
        return 0


def condition_changes_count(
    *, since: dt.datetime | None, school_year: SchoolYear, township: Township | None = None
) -> int:
    """Students 在读 this school year whose aid conditions a list changed after `since` (one query).

    A condition is a household's hardship category or its village (poor-village
    coverage) or the student's own disability, changed by an applied list
    difference (its history row's reason starts with `LIST_CHANGE_REASON_PREFIX`).
    The aid summary passes the entitlements' latest `computed_at`: None (nothing
    computed yet) counts nothing.
    """
    from students.external_apply import LIST_CHANGE_REASON_PREFIX
    from students.models import EnrollmentStatus, Household, HouseholdHardship, Student

    if since is None:
        return 0
    changed = {
        "history_date__gt": since,
        "history_change_reason__startswith": LIST_CHANGE_REASON_PREFIX,
    }
    households = HouseholdHardship.history.filter(**changed).values("household_id")
    moved = Household.history.filter(**changed).values("id")
    students = Student.history.filter(**changed).values("id")
    enrolled = Q(
        enrollments__school_year=school_year, enrollments__status=EnrollmentStatus.STUDYING
    )
    if township is not None:
        enrolled &= Q(enrollments__school__township=township)
    return (
        Student.objects.filter(enrolled)
        .filter(Q(household_id__in=households) | Q(household_id__in=moved) | Q(pk__in=students))
        .values("pk")
        .distinct()
        .count()
    )
