"""Helpers for the aid rules' tests: computing a term and reading its rows. The children
are made by `Kids` (tests/world.py), re-exported here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aidsite.access import SystemActor
from students.models import Term
from subsidies.models import Entitlement
from subsidies.services.entitlements import entitlements_compute
from tests.world import Kids


def compute(term: Term, **kwargs: Any):
    kwargs.setdefault("actor", SystemActor("测试"))
    return entitlements_compute(term=term, **kwargs)


def rows(term: Term, code: str) -> dict[int, Entitlement]:
    """The term's entitlements of one policy, by student id."""
    return {
        e.student_id: e
        for e in Entitlement.objects.filter(term=term, policy__code=code).select_related("student")
    }


def amount(value: str) -> Decimal:
    return Decimal(value)


__all__ = ["Kids", "amount", "compute", "rows"]
