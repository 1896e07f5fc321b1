"""Reads reused by pages, services, exports and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from students.models import School, Term, Township
from subsidies.models import AWARDED_STATUSES, Entitlement, Policy

# A notice shows the entitlements under review and those approved (or paid since).
NOTICE_STATUSES = AWARDED_STATUSES


def notice_entitlements(*, term: Any, school_id: Any, policy_id: Any) -> QuerySet[Entitlement]:
    """The entitlements one school's notice of a policy shows: the printed list, the public page, the counts.

    The arguments may be `OuterRef`s, for a subquery per notice.
    """
    return Entitlement.objects.filter(
        term=term, policy_id=policy_id, enrollment__school_id=school_id, status__in=NOTICE_STATUSES, amount__gt=0
    )


@dataclass(frozen=True)
class LedgerFilter:
    """Which part of a term's ledger: a township, a school and/or a policy, or the whole county."""

    term: Term
    township: Township | None = None
    school: School | None = None
    policy: Policy | None = None

    @property
    def place(self) -> str:
        if self.school is not None:
            return self.school.name
        if self.township is not None:
            return self.township.name
        return "全县"

    @property
    def issuer(self) -> str:
        if self.school is not None:
            return self.school.name
        if self.township is not None:
            return self.township.office_name
        return settings.AID_OFFICE_NAME

    def title(self, what: str = "发放台账") -> str:
        """The ledger's title: the workbook's first row, and the export centre's job name."""
        policy = self.policy.name if self.policy is not None else "学生资助"
        term = self.term
        return f"{self.place}{term.school_year.name}学年{term.get_season_display()}{policy}{what}"
