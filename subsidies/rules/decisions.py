"""A student's decision and its reasons: the facts, the rule, the tier and why, the quota position.

"Every computed entitlement records why: which facts and which rule made the
student eligible, which tier and why, or why not" (DOMAIN.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from subsidies.models import EntitlementStatus, OverrideAction
from subsidies.rules.facts import (
    NO_PRIORITY,
    category_labels,
    facts_line,
    stored_categories,
    tier_why,
)
from subsidies.rules.policy import PolicySpec
from subsidies.rules.pricing import Amount


@dataclass(frozen=True)
class OverrideFact:
    """What `decide` needs of an `EntitlementOverride`."""

    action: str
    tier: int | None
    reason: str
    by: str
    on: str


def is_addition(override: OverrideFact | None) -> bool:
    return override is not None and override.action == OverrideAction.ADD


def staff_tier(override: OverrideFact | None) -> int | None:
    """The tier staff set for the student, which replaces the rule's (not for an exclusion).

    "which tier a student gets is a rule ... that staff can override per student
    with a reason" (DOMAIN.md).
    """
    if override is not None and override.tier is not None and override.action != OverrideAction.EXCLUDE:
        return override.tier
    return None


@dataclass
class Candidate:
    """One enrollment of a student the policy may aid, priced, not yet decided."""

    row: Mapping[str, Any]
    categories: frozenset[str]
    qualifying: tuple[str, ...]
    amount: Amount | None
    priority: int
    poor_village: bool
    exempt: bool
    override: OverrideFact | None

    @property
    def student_id(self) -> int:
        return self.row["student_id"]


@dataclass(frozen=True)
class Placement:
    """A candidate's status and what the quota says of it (`takes_place`: counts against the quota)."""

    candidate: Candidate
    status: str
    quota_info: dict[str, Any]
    takes_place: bool = False


@dataclass
class Decision:
    """The outcome for one student: awarded (proposed), left out, or excluded — and why."""

    student_id: int
    enrollment_id: int
    school_id: int
    status: str
    qualifies: bool
    tier: int | None
    amount: Decimal
    priority: int | None
    categories: tuple[str, ...]
    has_conflict: bool
    reasons: dict[str, Any]
    # The rule's amount for this student, awarded or not: the bound the stored row keeps.
    standard: Decimal = Decimal("0.00")
    student_name: str = ""
    id_number: str = ""
    school_name: str = ""

    @property
    def awarded(self) -> bool:
        return self.status == EntitlementStatus.PROPOSED


def decision_for(
    spec: PolicySpec,
    placement: Placement,
    conflict_schools: tuple[str, ...] | None,
    shared: dict[tuple[Any, ...], dict[str, Any]],
) -> Decision:
    """The placed student's decision.

    Students with the same facts and outcome share one reasons object in
    `shared` (most rows of a county-wide program do), so it is built,
    serialised and hashed once.
    """
    c, status, quota_info = placement.candidate, placement.status, placement.quota_info
    row = c.row
    assert c.amount is not None
    key = (
        c.categories,
        c.poor_village,
        c.qualifying,
        c.amount,
        tuple(sorted(quota_info.items())),
        c.override,
        conflict_schools,
        row["school__name"] if conflict_schools else None,
    )
    reasons = shared.get(key)
    if reasons is None:
        reasons = shared[key] = reasons_for(spec, c, quota_info, conflict_schools)
    awarded = status == EntitlementStatus.PROPOSED
    return Decision(
        student_id=row["student_id"],
        enrollment_id=row["id"],
        school_id=row["school_id"],
        status=status,
        qualifies=bool(c.qualifying),
        tier=c.amount.tier,
        amount=c.amount.amount if awarded else Decimal("0.00"),
        priority=c.priority if c.priority != NO_PRIORITY else None,
        categories=stored_categories(c.categories, c.poor_village),
        has_conflict=bool(conflict_schools),
        reasons=reasons,
        standard=c.amount.amount,
        student_name=row["student__name"],
        id_number=row["student__id_number"],
        school_name=row["school__name"],
    )


def reasons_for(
    spec: PolicySpec, c: Candidate, quota_info: dict[str, Any], conflict_schools: tuple[str, ...] | None
) -> dict[str, Any]:
    """The reason lines in the order a reader checks them, and the quota figures."""
    assert c.amount is not None
    lines = [facts_line(c.categories, c.poor_village)]
    if c.qualifying:
        lines.append(f"符合条件：{category_labels(c.qualifying)}")
    if c.amount.tier is not None:
        if staff_tier(c.override) is not None:
            lines.append(f"档次：人工调整为 {c.amount.tier} 档")
        else:
            lines.append(f"档次：{tier_why(spec, c.categories, c.amount.tier)}")
    lines.append(f"标准：{c.amount.text}")
    if quota_info.get("text"):
        lines.append(f"名额：{quota_info['text']}")
    if c.override is not None:
        action_label = dict(OverrideAction.choices)[c.override.action]
        lines.append(f"人工调整：{action_label}（{c.override.reason}；{c.override.by}，{c.override.on}）")
    if conflict_schools:
        lines.append(
            f"重复学籍：本学年在 {'、'.join(conflict_schools)} 均有在读学籍，本项目只在{c.row['school__name']}资助一次"
        )
    reasons: dict[str, Any] = {"lines": lines}
    quota = {k: v for k, v in quota_info.items() if k != "text"}
    if quota:
        reasons["quota"] = quota
    return reasons
