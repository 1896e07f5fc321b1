"""Ledgers (发放台账): the selection, reconciliation, conflicts, funds down to village and household."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from aidsite.access import scope_queryset
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    School,
    SchoolYear,
    Term,
    Township,
    Village,
)
from students.places import place_or_own
from subsidies.models import (
    BatchStatus,
    DisbursementBatch,
    LedgerEntry,
    PaymentStatus,
    Policy,
)

if TYPE_CHECKING:
    from aidsite.access import Actor


ZERO = Decimal("0")

@dataclass(frozen=True)
class LedgerFilter:
    """Which part of a term's ledger: a township, a school and/or a policy, or the whole county."""

    term: Term
    township: Township | None = None
    school: School | None = None
    policy: Policy | None = None

    @classmethod
    def for_actor(
        cls,
        actor: Actor,
        *,
        term: Term,
        township: Township | None = None,
        school: School | None = None,
        policy: Policy | None = None,
    ) -> LedgerFilter:
        """The selection as chosen; without a township or school, the actor's own place."""
        township, school = place_or_own(actor, township, school)
        return cls(term=term, township=township, school=school, policy=policy)

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


def funds_title(township: Township | None, school_year: SchoolYear) -> str:
    """资金到村到户台账's title, naming the township it holds (the county only when it is all)."""
    place = township.name if township is not None else "全县"
    return f"{place}{school_year.name}学年教育资助资金到村到户台账"


def conflicts_title(actor: Actor, term: Term | None, policy: Policy | None) -> str:
    """重复资助排查表's title: the actor's township or school, the term, the policy."""
    place = LedgerFilter.for_actor(actor, term=term).place if term is not None else ""
    label = f"{term.school_year.name}学年{term.get_season_display()}" if term is not None else ""
    return f"{place}{label}{policy.name if policy else '学生资助'}重复资助排查表"


# ---------------------------------------------------------------------------
# A policy's population: one query per policy fetches the enrollments 在读 in the
# term's school year that meet its stage and school conditions, with every fact
# the rules read (the household's hardship as `Exists` subqueries); the rules in
# `subsidies.rules` then work over those rows without a query.



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
    # 社会资助 is not paid per policy: a paired student may well also hold government aid.
    entries = scope_queryset(actor, LedgerEntry.objects.government())
    if term is not None:
        entries = entries.filter(term=term)
    if policy is not None:
        entries = entries.filter(policy=policy)
    keys = _conflict_groups(entries)
    if not keys:
        return []
    detail = (
        LedgerEntry.objects.government().filter(student_id__in={k[0] for k in keys})
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
    paid), reached through `prefix`: its condition, and its entry count, total and paid amount,
    the total split into government aid and 社会资助 paid to paired students.

    Money received from donors (entries naming a donor) is money in, not aid to the
    household, and is left out.
    """
    year = Q(**{f"{prefix}term__school_year": school_year, f"{prefix}is_live": True})
    year &= Q(**{f"{prefix}batch__status": BatchStatus.APPROVED, f"{prefix}donor__isnull": True})
    paid = year & Q(**{f"{prefix}payment_status": PaymentStatus.PAID})
    donated = year & Q(**{f"{prefix}pairing__isnull": False})
    government = year & Q(**{f"{prefix}pairing__isnull": True})
    return year, {
        "entry_count": Count(f"{prefix}id", filter=year),
        "total_amount": Coalesce(Sum(f"{prefix}amount", filter=year), Value(ZERO)),
        "paid_amount": Coalesce(Sum(f"{prefix}amount", filter=paid), Value(ZERO)),
        "government_amount": Coalesce(Sum(f"{prefix}amount", filter=government), Value(ZERO)),
        "donation_amount": Coalesce(Sum(f"{prefix}amount", filter=donated), Value(ZERO)),
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
    """The drill-down under a household: every payment to its children for the year (government
    aid and 社会资助 paid out; not the donors' money received for them)."""
    return (
        scope_queryset(actor, LedgerEntry.objects.all())
        .filter(student__household=household, term__school_year=school_year, donor__isnull=True)
        .select_related(
            "student", "policy", "term__school_year", "school", "batch", "reversal", "bank_result", "pairing"
        )
        .order_by("term__season", "student__name", "policy__order", "pk")
    )
