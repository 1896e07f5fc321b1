"""Reads reused by pages, exports and reports: the aid list and its term summary, the ledger's
reconciliation, conflicts and funds per village and household, and what a notice shows.

Every read of a person's data takes the `actor` it reads for and stays in that
actor's scope (`aidsite.access.scope_queryset`); commands pass a system actor.
Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from aidsite.access import scope_queryset
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    SchoolYear,
    Term,
    Township,
    Village,
)
from subsidies.models import (
    AWARDED_STATUSES,
    BatchStatus,
    CountBase,
    DisbursementBatch,
    Entitlement,
    EntitlementStatus,
    LedgerEntry,
    PaymentStatus,
    Policy,
    PublicNotice,
)
from subsidies.rules import eligibility

if TYPE_CHECKING:
    from aidsite.access import Actor

ZERO = Decimal("0")

# ---------------------------------------------------------------------------
# The aid list (资助名单) and its term summary


def entitlement_list(
    *,
    actor: Actor,
    term: Term,
    township: Township | None = None,
    policy_code: str | None = None,
    school_id: int | None = None,
    tier: int | None = None,
    status: str | None = None,
) -> QuerySet[Entitlement]:
    """The review list (资助名单) the actor may see, filtered, joined for display in one query."""
    queryset = scope_queryset(actor, Entitlement.objects.filter(term=term))
    if township is not None:
        queryset = queryset.filter(enrollment__school__township=township)
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    if school_id:
        queryset = queryset.filter(enrollment__school_id=school_id)
    if tier:
        queryset = queryset.filter(tier=tier)
    if status:
        queryset = queryset.filter(status=status)
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

    @property
    def actual_average(self) -> Decimal | None:
        """The awarded students' average, per year (two terms), to compare with the standard."""
        if not self.awarded:
            return None
        return eligibility.money(self.total_amount * 2 / self.awarded)

    @property
    def below_floor(self) -> bool:
        return self.floor_required is not None and Decimal(self.floor_counted) < self.floor_required

    @property
    def in_quota(self) -> int:
        """Awarded students who take a quota place (not the quota-exempt categories)."""
        return self.awarded - self.awarded_exempt

    @property
    def beyond_quota_poor_village(self) -> int:
        """How far province-designated poor-village full coverage took the school past its quota."""
        if self.quota is None:
            return 0
        return max(0, min(self.in_quota, self.awarded_poor_village) - self.quota)

    @property
    def over_quota(self) -> bool:
        """More awarded than the quota allows once poor-village coverage is counted first."""
        if self.quota is None:
            return False
        regular = self.in_quota - self.awarded_poor_village
        return regular > max(0, self.quota - self.awarded_poor_village)


def _entitlement_counts(
    term: Term, township: Township | None, policies: list[Policy]
) -> dict[tuple[int, int], dict[str, Any]]:
    """Per (policy, school): qualifying, awarded, left out, excluded, total, conflicts, floor and
    quota-exempt counts, in one aggregate query."""
    floor_categories = sorted({p.floor_category for p in policies if p.floor_ratio is not None and p.floor_category})
    awarded = Q(status__in=AWARDED_STATUSES)
    annotations: dict[str, Any] = {
        "qualifying": Count("id", filter=Q(qualifies=True)),
        "awarded": Count("id", filter=awarded),
        "not_awarded": Count("id", filter=Q(status=EntitlementStatus.NOT_AWARDED)),
        "excluded": Count("id", filter=Q(status=EntitlementStatus.EXCLUDED)),
        "total": Sum("amount", filter=awarded),
        "conflicts": Count("id", filter=Q(has_conflict=True)),
    }
    for category in floor_categories:
        annotations[f"floor_{category}"] = Count("id", filter=awarded & Q(categories__contains=f",{category},"))
    # Awards outside the quota (exempt categories, e.g. agricultural majors) and poor-village coverage.
    exempt = Q(pk__in=[])
    for policy in policies:
        for category in eligibility.PolicySpec.from_policy(policy).exempt_categories:
            exempt |= Q(policy_id=policy.pk, categories__contains=f",{category},")
    annotations["awarded_exempt"] = Count("id", filter=awarded & exempt)
    annotations["awarded_poor_village"] = Count(
        "id", filter=awarded & ~exempt & Q(categories__contains=f",{eligibility.POOR_VILLAGE},")
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
    policy: Policy, term: Term, township: Township | None, counts_of: dict[tuple[int, int], dict[str, Any]]
) -> list[SummaryRow]:
    """One policy's rows: its population per school (one aggregate query) beside its entitlements."""
    spec = eligibility.PolicySpec.from_policy(policy)
    counts_by_school: dict[str, Any] = {"enrolled": Count("id"), "boarders": Count("id", filter=Q(is_boarding=True))}
    if spec.exempt_categories:
        exempt = Q()
        for category in spec.exempt_categories:
            exempt |= eligibility.category_filter(category, lifted_count=policy.lifted_households_count)
        counts_by_school["exempt"] = Count("id", filter=exempt)
    population = (
        eligibility.population_queryset(policy, term=term, township=township)
        .values("school_id", "school__name", "school__township__name")
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
        quota = None
        if policy.quota_ratio is not None:
            quota = eligibility.quota_for(policy.quota_ratio, base_counts[policy.quota_base])
        floor_required = None
        floor_counted = 0
        if policy.floor_ratio is not None:
            floor_required = policy.floor_ratio * base_counts[policy.floor_base]
            floor_key = f"floor_{policy.floor_category}" if policy.floor_category else "awarded"
            floor_counted = counts.get(floor_key, 0)
        counted = {key: counts.get(key, 0) for key in _COUNTED}
        rows.append(
            SummaryRow(
                policy_code=policy.code, policy_name=policy.name, township_name=school["school__township__name"],
                school_id=school["school_id"], school_name=school["school__name"], enrolled=school["enrolled"],
                quota=quota, total_amount=counts.get("total") or Decimal("0.00"),
                average_standard=policy.average_standard, floor_required=floor_required,
                floor_counted=floor_counted, **counted,
            )
        )
    return rows


def term_summary(
    *, term: Term, township: Township | None = None, policy_code: str | None = None
) -> list[SummaryRow]:
    """Per policy and school: enrolled, qualifying, quota, awarded, total, average, floor, conflicts.

    One aggregate query per policy for the population counts, one for the entitlements.
    """
    policies = [p for p in eligibility.policies_for_term(term, policy_code) if p.kind in eligibility.RULES]
    counts_of = _entitlement_counts(term, township, policies)
    return [row for policy in policies for row in _policy_summary(policy, term, township, counts_of)]


def summary_totals(rows: list[SummaryRow]) -> dict[str, Any]:
    """Per policy totals of a summary (for the last lines of a table)."""
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"awarded": 0, "total": Decimal("0.00")})
    for row in rows:
        totals[row.policy_code]["awarded"] += row.awarded
        totals[row.policy_code]["total"] += row.total_amount
    return dict(totals)


# ---------------------------------------------------------------------------
# Notices (公示): what a notice shows


def notice_entitlements(*, term: Term, school_id: Any, policy_id: Any) -> QuerySet[Entitlement]:
    """The rows a school's notice of a policy shows: under review or approved (or paid since)."""
    return Entitlement.objects.filter(
        term=term, policy_id=policy_id, enrollment__school_id=school_id, status__in=AWARDED_STATUSES, amount__gt=0
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


# ---------------------------------------------------------------------------
# Ledgers (发放台账): reconciliation, conflicts, funds down to village and household


def batches_with_reconciliation(queryset: QuerySet[DisbursementBatch]) -> QuerySet[DisbursementBatch]:
    """Each batch with expected, paid, failed, reversed and outstanding counts and amounts (one query)."""
    money = Coalesce(Sum("entries__amount"), Value(ZERO))

    def amount(condition: Q) -> Any:
        return Coalesce(Sum("entries__amount", filter=condition), Value(ZERO))

    paid = Q(entries__payment_status=PaymentStatus.PAID)
    failed = Q(entries__payment_status=PaymentStatus.FAILED)
    reversed_ = Q(entries__reversal__isnull=False)
    outstanding = Q(entries__payment_status=PaymentStatus.PENDING, entries__is_live=True)
    return queryset.select_related("township", "policy", "term__school_year", "prepared_by", "approved_by").annotate(
        expected_count=Count("entries"),
        expected_amount=money,
        paid_count=Count("entries", filter=paid),
        paid_amount=amount(paid),
        failed_count=Count("entries", filter=failed),
        failed_amount=amount(failed),
        reversed_count=Count("entries", filter=reversed_),
        reversed_amount=amount(reversed_),
        outstanding_count=Count("entries", filter=outstanding),
        outstanding_amount=amount(outstanding),
    )


@dataclass
class ConflictRow:
    student_id: int
    student_name: str
    id_number: str
    policy_code: str
    policy_name: str
    term_label: str
    batch_count: int
    school_count: int
    township_count: int
    enrolled_school_count: int
    entries: list[LedgerEntry]

    @property
    def kinds(self) -> list[str]:
        kinds = []
        if self.batch_count > 1:
            kinds.append("多个批次")
        if self.school_count > 1 or self.enrolled_school_count > 1:
            kinds.append("多所学校")
        if self.township_count > 1:
            kinds.append("多个乡镇")
        return kinds


def _conflict_groups(entries: QuerySet[LedgerEntry]) -> dict[tuple[int, int, int], dict[str, Any]]:
    """(student, policy, term) groups of `entries` paid through more than one batch, school or
    township, or whose student is on two schools' rolls that year; one query."""
    enrolled = (
        Enrollment.objects.filter(
            student=OuterRef("student"),
            school_year=OuterRef("term__school_year"),
            status=EnrollmentStatus.STUDYING,
        )
        .order_by()
        .values("student")
        .annotate(n=Count("school", distinct=True))
        .values("n")
    )
    groups = (
        entries.values("student", "policy", "term")
        .order_by()
        .annotate(
            batches=Count("batch", distinct=True),
            schools=Count("school", distinct=True),
            townships=Count("batch__township", distinct=True),
            enrolled_schools=Coalesce(Subquery(enrolled, output_field=IntegerField()), Value(0)),
        )
        .filter(Q(batches__gt=1) | Q(schools__gt=1) | Q(townships__gt=1) | Q(enrolled_schools__gt=1))
    )
    return {(g["student"], g["policy"], g["term"]): g for g in groups}


def ledger_conflicts(*, actor: Actor, term: Term | None = None, policy: Policy | None = None) -> list[ConflictRow]:
    """重复资助排查: students in two batches, schools or townships for one policy and term.

    Looks at every entry (live, failed or reversed) and at the student's
    enrollments of the year, since a student on two schools' rolls is where
    double payment starts. Two queries whatever the size.
    """
    entries = scope_queryset(actor, LedgerEntry.objects.all())
    if term is not None:
        entries = entries.filter(term=term)
    if policy is not None:
        entries = entries.filter(policy=policy)
    keys = _conflict_groups(entries)
    if not keys:
        return []
    detail = (
        LedgerEntry.objects.filter(student_id__in={k[0] for k in keys})
        .select_related("student", "policy", "term__school_year", "school", "batch__township", "reversal")
        .order_by("student__name", "student_id", "policy__code", "batch__prepared_at", "pk")
    )
    rows: dict[tuple[int, int, int], ConflictRow] = {}
    for e in detail:
        key = (e.student_id, e.policy_id, e.term_id)
        g = keys.get(key)
        if g is None:
            continue
        row = rows.get(key)
        if row is None:
            row = rows[key] = ConflictRow(
                student_id=e.student_id,
                student_name=e.student.name,
                id_number=e.student.id_number,
                policy_code=e.policy.code,
                policy_name=e.policy.name,
                term_label=str(e.term),
                batch_count=g["batches"],
                school_count=g["schools"],
                township_count=g["townships"],
                enrolled_school_count=g["enrolled_schools"],
                entries=[],
            )
        row.entries.append(e)
    return list(rows.values())


def _disbursed(prefix: str, school_year: SchoolYear) -> tuple[Q, dict[str, Any]]:
    """The money that went out in `school_year` (live entries of approved batches, pending or
    paid), reached through `prefix`: its condition, and its entry count, total and paid amount."""
    year = Q(**{f"{prefix}term__school_year": school_year, f"{prefix}is_live": True})
    year &= Q(**{f"{prefix}batch__status": BatchStatus.APPROVED})
    paid = year & Q(**{f"{prefix}payment_status": PaymentStatus.PAID})
    return year, {
        "entry_count": Count(f"{prefix}id", filter=year),
        "total_amount": Coalesce(Sum(f"{prefix}amount", filter=year), Value(ZERO)),
        "paid_amount": Coalesce(Sum(f"{prefix}amount", filter=paid), Value(ZERO)),
    }


def funds_by_village(*, actor: Actor, school_year: SchoolYear, township: Township | None = None) -> QuerySet[Village]:
    """资金到村台账: per village, the year's disbursed aid across all children, policies and terms."""
    year, money = _disbursed("households__students__ledger_entries__", school_year)
    villages = scope_queryset(actor, Village.objects.all())
    if township is not None:
        villages = villages.filter(township=township)
    return (
        villages.select_related("township")
        .annotate(
            household_count=Count("households", filter=year, distinct=True),
            student_count=Count("households__students", filter=year, distinct=True),
            **money,
        )
        .filter(entry_count__gt=0)
        .order_by("township__name", "name")
    )


def funds_by_household(
    *, actor: Actor, school_year: SchoolYear, village: Village | None = None, township: Township | None = None
) -> QuerySet[Household]:
    """资金到户台账: per household, the year's disbursed aid across all its children."""
    year, money = _disbursed("students__ledger_entries__", school_year)
    households = scope_queryset(actor, Household.objects.all())
    if village is not None:
        households = households.filter(village=village)
    if township is not None:
        households = households.filter(village__township=township)
    return (
        households.select_related("village__township")
        .annotate(student_count=Count("students", filter=year, distinct=True), **money)
        .filter(entry_count__gt=0)
        .order_by("village__township__name", "village__name", "head_name")
    )


def household_entries(*, actor: Actor, household: Household, school_year: SchoolYear) -> QuerySet[LedgerEntry]:
    """The drill-down under a household: every entry of its children for the year."""
    return (
        scope_queryset(actor, LedgerEntry.objects.all())
        .filter(student__household=household, term__school_year=school_year)
        .select_related("student", "policy", "term__school_year", "school", "batch", "reversal", "bank_result")
        .order_by("term__season", "student__name", "policy__order", "pk")
    )
