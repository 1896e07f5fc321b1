"""The aid list (资助名单) and its term summary, in the actor's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from aidsite.access import scope_queryset
from students.models import (
    Term,
    Township,
)
from subsidies.models import (
    AWARDED_STATUSES,
    CountBase,
    Entitlement,
    EntitlementStatus,
    Policy,
    PolicyKind,
)
from subsidies.rules import facts, pricing
from subsidies.rules.allocation import Allocated, quota_for
from subsidies.rules.policy import PolicySpec
from subsidies.selectors.population import (
    category_filter,
    lifted_counting,
    policies_for_term,
    population_queryset,
    quota_allocations,
)

if TYPE_CHECKING:
    from aidsite.access import Actor


def entitlement_list(
    *,
    actor: Actor,
    term: Term,
    township: Township | None = None,
    policy_code: str | None = None,
    school_id: int | None = None,
    tier: int | None = None,
    status: str | None = None,
    name: str | None = None,
    id_number: str | None = None,
    id_suffix: str | None = None,
    id_prefix: str | None = None,
) -> QuerySet[Entitlement]:
    """The review list (资助名单) the actor may see, filtered, joined for display in one query.

    `name` matches part of the student's name; `id_number` the full number exactly;
    `id_suffix` / `id_prefix` its last / first characters (the caller decides how many a
    role may ask for: never more than the masked form shows to one without the reveal).
    """
    queryset = scope_queryset(actor, Entitlement.objects.filter(term=term))
    if township is not None:
        queryset = queryset.filter(enrollment__school__township=township)
    lookups = {
        "policy__code": policy_code,
        "enrollment__school_id": school_id,
        "tier": tier,
        "status": status,
        "student__name__contains": name,
        "student__id_number": id_number,
        "student__id_number__endswith": id_suffix,
        "student__id_number__startswith": id_prefix,
    }
    queryset = queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})
    # Within a school the awarded come first (in quota order), then those left out, then exclusions.
    awarded_first = Case(
        When(status__in=AWARDED_STATUSES, then=Value(0)),
        When(status=EntitlementStatus.NOT_AWARDED, then=Value(1)),
        default=Value(2),
    )
    return queryset.select_related(
        "student", "enrollment__school__township", "policy", "approval"
    ).order_by("policy__order", "enrollment__school__name", awarded_first, "priority", "student__name", "pk")


@dataclass
class SummaryRow:
    """One policy at one school for one term."""

    policy_code: str
    policy_name: str
    township_name: str
    school_id: int
    school_name: str
    enrolled: int
    qualifying: int
    quota: int | None
    awarded: int
    not_awarded: int
    excluded: int
    total_amount: Decimal
    average_standard: Decimal | None
    conflicts: int
    floor_required: Decimal | None
    floor_counted: int
    awarded_exempt: int = 0
    awarded_poor_village: int = 0
    # A tuition waiver at a school whose tuition is 0: nobody there is paid it.
    no_tuition: bool = False
    # The quota's base count and the default places `round(ratio × base)`; the county's
    # allocation (名额分配) and its reason where one is set.
    quota_ratio: Decimal | None = None
    quota_base_count: int = 0
    default_quota: int | None = None
    allocation_reason: str | None = None
    poor_village_in_quota: bool = True

    @property
    def allocated(self) -> bool:
        return self.allocation_reason is not None

    @property
    def actual_average(self) -> Decimal | None:
        """The awarded students' average, per year (two terms), to compare with the standard."""
        if not self.awarded:
            return None
        return pricing.money(self.total_amount * 2 / self.awarded)

    @property
    def below_floor(self) -> bool:
        return self.floor_required is not None and Decimal(self.floor_counted) < self.floor_required

    @property
    def in_quota(self) -> int:
        """Awarded students who take a quota place (not the quota-exempt categories, nor
        poor-village children where the policy puts them outside the quota)."""
        outside = 0 if self.poor_village_in_quota else self.awarded_poor_village
        return self.awarded - self.awarded_exempt - outside

    @property
    def beyond_quota_poor_village(self) -> int:
        """How far province-designated poor-village full coverage took the school past its quota."""
        if self.quota is None or not self.poor_village_in_quota:
            return 0
        return max(0, min(self.in_quota, self.awarded_poor_village) - self.quota)

    @property
    def over_quota(self) -> bool:
        """More awarded than the quota allows once poor-village coverage is counted first."""
        if self.quota is None:
            return False
        if not self.poor_village_in_quota:
            return self.in_quota > self.quota
        regular = self.in_quota - self.awarded_poor_village
        return regular > max(0, self.quota - self.awarded_poor_village)


def _floor_filter(policy: Policy) -> Q:
    """The entitlements that count for the policy's floor, as `pricing.counts_for_floor` decides.

    "其他家庭困难学生资助比例不低于在校生的15%": the 3-yuan students, not those paid a higher rate.
    """
    spec = PolicySpec.from_policy(policy)
    condition = Q(policy_id=policy.pk, categories__contains=f",{policy.floor_category},")
    for category in pricing.outranking_floor(spec):
        condition &= ~Q(categories__contains=f",{category},")
    return condition


def _entitlement_counts(
    term: Term, township: Township | None, policies: list[Policy]
) -> dict[tuple[int, int], dict[str, Any]]:
    """Per (policy, school): qualifying, awarded, left out, excluded, total, conflicts, floor and
    quota-exempt counts, in one aggregate query."""
    awarded = Q(status__in=AWARDED_STATUSES)
    annotations: dict[str, Any] = {
        "qualifying": Count("id", filter=Q(qualifies=True)),
        "awarded": Count("id", filter=awarded),
        "not_awarded": Count("id", filter=Q(status=EntitlementStatus.NOT_AWARDED)),
        "excluded": Count("id", filter=Q(status=EntitlementStatus.EXCLUDED)),
        "total": Sum("amount", filter=awarded),
        "conflicts": Count("id", filter=Q(has_conflict=True)),
    }
    for policy in policies:
        if policy.floor_ratio is not None and policy.floor_category:
            annotations[f"floor_{policy.pk}"] = Count("id", filter=awarded & _floor_filter(policy))
    # Awards outside the quota (exempt categories, e.g. agricultural majors) and poor-village coverage.
    exempt = Q(pk__in=[])
    for policy in policies:
        for category in PolicySpec.from_policy(policy).exempt_categories:
            exempt |= Q(policy_id=policy.pk, categories__contains=f",{category},")
    annotations["awarded_exempt"] = Count("id", filter=awarded & exempt)
    annotations["awarded_poor_village"] = Count(
        "id", filter=awarded & ~exempt & Q(categories__contains=f",{facts.POOR_VILLAGE},")
    )
    entitlements = Entitlement.objects.filter(term=term, policy__in=policies)
    if township is not None:
        entitlements = entitlements.filter(enrollment__school__township=township)
    return {
        (r["policy_id"], r["enrollment__school_id"]): r
        for r in entitlements.values("policy_id", "enrollment__school_id").annotate(**annotations).order_by()
    }


# The summary's counts of entitlements, as `_entitlement_counts` names them.
_COUNTED = ("qualifying", "awarded", "not_awarded", "excluded", "conflicts", "awarded_exempt", "awarded_poor_village")


def _policy_summary(
    policy: Policy,
    term: Term,
    township: Township | None,
    counts_of: dict[tuple[int, int], dict[str, Any]],
    allocations: dict[int, Allocated],
) -> list[SummaryRow]:
    """One policy's rows: its population per school (one aggregate query) beside its entitlements."""
    spec = PolicySpec.from_policy(policy)
    counts_by_school: dict[str, Any] = {"enrolled": Count("id"), "boarders": Count("id", filter=Q(is_boarding=True))}
    if spec.exempt_categories:
        exempt = Q()
        lifted = lifted_counting(policy, term)
        for category in spec.exempt_categories:
            exempt |= category_filter(category, lifted=lifted)
        counts_by_school["exempt"] = Count("id", filter=exempt)
    population = (
        population_queryset(policy, term=term, township=township)
        .values("school_id", "school__name", "school__township__name", "school__tuition")
        .annotate(**counts_by_school)
        .order_by("school__township__name", "school__name")
    )
    rows = []
    for school in population:
        counts = counts_of.get((policy.pk, school["school_id"]), {})
        base_counts = {
            CountBase.POPULATION: school["enrolled"],
            CountBase.NON_EXEMPT: school["enrolled"] - school.get("exempt", 0),
            CountBase.BOARDERS: school["boarders"],
        }
        quota = default_quota = allocation_reason = None
        if policy.quota_ratio is not None:
            quota = default_quota = quota_for(policy.quota_ratio, base_counts[policy.quota_base])
            allocated = allocations.get(school["school_id"])
            if allocated is not None:
                quota, allocation_reason = allocated.places, allocated.reason
        floor_required = None
        floor_counted = 0
        if policy.floor_ratio is not None:
            floor_required = policy.floor_ratio * base_counts[policy.floor_base]
            floor_key = f"floor_{policy.pk}" if policy.floor_category else "awarded"
            floor_counted = counts.get(floor_key, 0)
        counted = {key: counts.get(key, 0) for key in _COUNTED}
        rows.append(
            SummaryRow(
                policy_code=policy.code, policy_name=policy.name, township_name=school["school__township__name"],
                school_id=school["school_id"], school_name=school["school__name"], enrolled=school["enrolled"],
                quota=quota, total_amount=counts.get("total") or Decimal("0.00"),
                average_standard=policy.average_standard, floor_required=floor_required,
                floor_counted=floor_counted, no_tuition=_no_tuition(policy, school["school__tuition"]),
                quota_ratio=policy.quota_ratio, quota_base_count=base_counts[policy.quota_base],
                default_quota=default_quota, allocation_reason=allocation_reason,
                poor_village_in_quota=policy.poor_village_in_quota,
                **counted,
            )
        )
    return rows


def _no_tuition(policy: Policy, tuition: Decimal | None) -> bool:
    """"对公办中等职业学校在校生全部免除学费": a school whose tuition is 0 has nothing to waive."""
    return policy.kind == PolicyKind.TUITION_WAIVER and tuition is not None and tuition <= 0


def term_summary(
    *, term: Term, township: Township | None = None, policy_code: str | None = None
) -> list[SummaryRow]:
    """Per policy and school: enrolled, qualifying, quota, awarded, total, average, floor, conflicts.

    One aggregate query per policy for the population counts, one for the entitlements.
    """
    policies = [p for p in policies_for_term(term, policy_code) if p.kind in pricing.RULES]
    counts_of = _entitlement_counts(term, township, policies)
    allocations = quota_allocations(term, policies)
    return [
        row
        for policy in policies
        for row in _policy_summary(policy, term, township, counts_of, allocations[policy.pk])
    ]


def summary_totals(rows: list[SummaryRow]) -> dict[str, Any]:
    """Per policy totals of a summary (for the last lines of a table)."""
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"awarded": 0, "total": Decimal("0.00")})
    for row in rows:
        totals[row.policy_code]["awarded"] += row.awarded
        totals[row.policy_code]["total"] += row.total_amount
    return dict(totals)


@dataclass
class QuotaTotal:
    """A policy's places over the summary's schools against the average standard.

    "平均资助面为在园幼儿的10%": the seed's ratio is an average over the county;
    the allocated places should not exceed `ratio × enrolled` (rounded half up).
    """

    policy_code: str
    policy_name: str
    ratio: Decimal
    places: int = 0
    base: int = 0
    allocated_schools: int = 0

    @property
    def average_places(self) -> Decimal:
        """`ratio × base`, exactly."""
        return (self.ratio * self.base).normalize()

    @property
    def ratio_text(self) -> str:
        return f"{(self.ratio * 100).normalize():f}%"

    @property
    def standard_places(self) -> int:
        return quota_for(self.ratio, self.base)

    @property
    def excess(self) -> int:
        return max(0, self.places - self.standard_places)


def quota_totals(rows: list[SummaryRow]) -> list[QuotaTotal]:
    """Per policy with a quota: the places of the summary's schools (allocated or default)."""
    totals: dict[str, QuotaTotal] = {}
    for row in rows:
        if row.quota is None or row.quota_ratio is None:
            continue
        total = totals.setdefault(row.policy_code, QuotaTotal(row.policy_code, row.policy_name, row.quota_ratio))
        total.places += row.quota
        total.base += row.quota_base_count
        total.allocated_schools += int(row.allocated)
    return list(totals.values())
