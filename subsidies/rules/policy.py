"""The policy as plain data: a snapshot of one `Policy` and its inlines, so that the rules are pure.

Every figure comes from the `Policy` rows an administrator edits per school
year; nothing here is a constant of a policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from subsidies.models import CountBase

if TYPE_CHECKING:
    from subsidies.models import Policy


@dataclass(frozen=True)
class CategoryRule:
    category: str
    qualifies: bool
    tier: int | None
    priority: int | None
    quota_exempt: bool


@dataclass(frozen=True)
class DailyRate:
    category: str
    rate: Decimal
    days_per_year: Decimal


@dataclass(frozen=True)
class PolicySpec:
    """A snapshot of one policy and its inlines."""

    id: int
    code: str
    name: str
    kind: str
    stages: tuple[str, ...]
    annual_amount: Decimal | None = None
    average_standard: Decimal | None = None
    tiers: Mapping[int, Decimal] = field(default_factory=dict)
    stage_amounts: Mapping[str, Decimal] = field(default_factory=dict)
    daily_rates: tuple[DailyRate, ...] = ()
    categories: Mapping[str, CategoryRule] = field(default_factory=dict)
    quota_ratio: Decimal | None = None
    quota_base: str = CountBase.POPULATION
    floor_ratio: Decimal | None = None
    floor_base: str = CountBase.POPULATION
    floor_category: str = ""
    poor_village_full_coverage: bool = True
    poor_village_in_quota: bool = True
    lifted_households_count: bool = True

    @classmethod
    def from_policy(cls, policy: Policy) -> PolicySpec:
        """Build from a policy whose tiers, stage amounts, rates and categories are prefetched.

        `subsidies.selectors.policies_for_term` prefetches them, so this reads no database.
        """
        return cls(
            id=policy.pk,
            code=policy.code,
            name=policy.name,
            kind=policy.kind,
            stages=tuple(policy.stage_list),
            annual_amount=policy.annual_amount,
            average_standard=policy.average_standard,
            tiers={t.tier: t.annual_amount for t in policy.tiers.all()},
            stage_amounts={s.stage: s.annual_amount for s in policy.stage_amounts.all()},
            daily_rates=tuple(
                DailyRate(r.category, r.rate, r.days_per_year) for r in policy.daily_rates.all()
            ),
            categories={
                c.category: CategoryRule(c.category, c.qualifies, c.tier, c.priority, c.quota_exempt)
                for c in policy.categories.all()
            },
            quota_ratio=policy.quota_ratio,
            quota_base=policy.quota_base,
            floor_ratio=policy.floor_ratio,
            floor_base=policy.floor_base,
            floor_category=policy.floor_category,
            poor_village_full_coverage=policy.poor_village_full_coverage,
            poor_village_in_quota=policy.poor_village_in_quota,
            lifted_households_count=policy.lifted_households_count,
        )

    @property
    def exempt_categories(self) -> frozenset[str]:
        return frozenset(c for c, rule in self.categories.items() if rule.quota_exempt)

    @property
    def qualifying_categories(self) -> frozenset[str]:
        return frozenset(c for c, rule in self.categories.items() if rule.qualifies)
