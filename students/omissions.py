"""控辍保学: school-age children of registered households with no enrollment, and their cases.

Interface shared by the omission report (`subsidies`) and the pages: the selectors
below are read set-based (a constant number of queries, whatever the county's size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import SchoolYear, Township


@dataclass(frozen=True)
class SuspectedDropout:
    """A child of compulsory-school age with no 在读 enrollment this school year (疑似失学辍学)."""

    member_id: int
    name: str
    id_number: str
    township: str
    village: str
    head_name: str
    age: int
    expected_stage: str  # the stage's Chinese label (应在学段)
    follow_up: str  # the case's state in Chinese (跟进状态): 未跟进 / 跟进中 / the outcome


@dataclass(frozen=True)
class NotInKindergarten:
    """A child of preschool age (3–5) of a registered household not in a kindergarten (未入园)."""

    member_id: int
    name: str
    id_number: str
    township: str
    village: str
    head_name: str
    age: int


def suspected_dropouts(
    *, actor: Actor, school_year: SchoolYear, township: Township | None = None
) -> list[SuspectedDropout]:
    """The suspected drop-outs in the actor's scope (and `township`), by township, village, name."""
    raise NotImplementedError("控辍保学 selectors are being built (issue 13)")


def not_in_kindergarten(
    *, actor: Actor, school_year: SchoolYear, township: Township | None = None
) -> list[NotInKindergarten]:
    """Preschool-age children of registered households with no kindergarten enrollment."""
    raise NotImplementedError("控辍保学 selectors are being built (issue 13)")
