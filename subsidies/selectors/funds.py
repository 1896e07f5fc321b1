"""The county's funding quotas (资金指标) against what the entitlements and the ledger say.

Nothing here is a stored counter: every figure is derived, each time, from the
allotments, the entitlements and the ledger entries, in a fixed number of
grouped queries whatever the county's size. For one term, policy and school:

- allotted (下达指标): the allotments' amounts; a township's also counts its
  schools' earmarked allotments (a school's allotment is part of its township's);
- carried out (结转转出): what later allotments carried over from these, which
  is no longer this term's money;
- paid (已发放): live entries of approved batches, whether the bank has confirmed
  them yet (confirmed, 已确认到账, is shown as part of it);
- committed (已承诺待发放): approved entitlements (已审核 or 已发放) with no live
  entry in an approved batch, and not ended by a reversal without reissue; this
  includes entitlements sitting in a prepared, unapproved batch;
- reversed (已冲销): reversal amounts, shown for the record;
- remaining (结余) = allotted − carried out − committed − paid.

So each approved entitlement counts once, as committed or as paid. A failed bank
result takes an entry out of paid and gives the money back to committed (the
student is still owed it; a later batch pays it again); a reversal with reissue
does the same; a reversal without reissue ends the entitlement, and its money
goes back to remaining.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from aidsite.access import scope_queryset
from students.models import School, Term, Township
from subsidies.models import (
    LOCKED_STATUSES,
    BatchKind,
    BatchStatus,
    DisbursementBatch,
    Entitlement,
    FundAllotment,
    LedgerEntry,
    PaymentStatus,
    Policy,
    Reversal,
)
from subsidies.selectors.ledgers import LedgerFilter

if TYPE_CHECKING:
    from aidsite.access import Actor

ZERO = Decimal("0")
FEN = Decimal("0.01")


def _fen(value: Decimal | None) -> Decimal:
    # SQLite's SUM of decimals comes back with a float's digits; money is to the fen.
    return (value or ZERO).quantize(FEN)


@dataclass
class Figures:
    """One line's money: what was allotted and what the entitlements and the ledger say of it."""

    allotted: Decimal = ZERO
    carried_out: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    confirmed: Decimal = ZERO
    reversed: Decimal = ZERO
    has_allotment: bool = False

    @property
    def remaining(self) -> Decimal:
        return self.allotted - self.carried_out - self.committed - self.paid

    @property
    def over(self) -> bool:
        return self.has_allotment and self.remaining < 0

    def add(self, other: Figures) -> None:
        self.allotted += other.allotted
        self.carried_out += other.carried_out
        self.committed += other.committed
        self.paid += other.paid
        self.confirmed += other.confirmed
        self.reversed += other.reversed
        self.has_allotment = self.has_allotment or other.has_allotment


@dataclass
class SchoolLine:
    school: School
    figures: Figures  # the school's own: its earmarked allotment (if any) and its students' money


@dataclass
class TownshipLine:
    township: Township
    figures: Figures  # the township's allotments plus its schools'; all its schools' money
    own_allotted: Decimal = (
        ZERO  # allotted to the township itself (统筹), not earmarked for a school
    )
    schools: list[SchoolLine] = field(default_factory=list)


@dataclass
class PolicyLine:
    policy: Policy
    figures: Figures
    townships: list[TownshipLine] = field(default_factory=list)


@dataclass
class FundsReport:
    term: Term
    policies: list[PolicyLine]
    total: Figures
    # Whether any allotment is entered for the term (in the actor's scope): without any,
    # the pages say so instead of showing every line over.
    has_allotments: bool


# ---------------------------------------------------------------------------
# The grouped queries (each one query)


def _ended_entitlements(term: Term) -> QuerySet[Any]:
    """Entitlements a reversal without reissue finished."""
    # Only government entries: a 社会资助 entry has no entitlement, and one NULL would make
    # the NOT IN below exclude every row.
    return Reversal.objects.filter(
        entry__term=term, entry__entitlement__isnull=False, reissue=False
    ).values("entry__entitlement_id")


def _paid_entitlements(term: Term) -> QuerySet[Any]:
    """Entitlements with a live entry in an approved batch."""
    return LedgerEntry.objects.filter(
        term=term, entitlement__isnull=False, is_live=True, batch__status=BatchStatus.APPROVED
    ).values("entitlement_id")


def _committed(entitlements: QuerySet[Entitlement], term: Term) -> dict[tuple[int, int], Decimal]:
    """(policy, school) → approved entitlements' amounts not paid and not ended."""
    # NOT IN over the term's entries, as ledgers.batchable_entitlements (a hashed subplan on PostgreSQL).
    rows = (
        entitlements.filter(term=term, status__in=LOCKED_STATUSES, amount__gt=0)
        .exclude(pk__in=_paid_entitlements(term))
        .exclude(pk__in=_ended_entitlements(term))
        .order_by()
        .values("policy_id", "enrollment__school_id")
        .annotate(total=Sum("amount"))
    )
    return {(r["policy_id"], r["enrollment__school_id"]): _fen(r["total"]) for r in rows}


def _ledger(
    entries: QuerySet[LedgerEntry], term: Term
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(policy, school) → paid, confirmed and reversed amounts."""
    paid = Q(is_live=True, batch__status=BatchStatus.APPROVED)
    rows = (
        entries.filter(term=term)
        .order_by()
        .values("policy_id", "school_id")
        .annotate(
            paid=Sum("amount", filter=paid),
            confirmed=Sum("amount", filter=paid & Q(payment_status=PaymentStatus.PAID)),
            reversed=Sum("reversal__amount"),
        )
    )
    return {
        (r["policy_id"], r["school_id"]): {k: _fen(r[k]) for k in ("paid", "confirmed", "reversed")}
        for r in rows
    }


def _allotted(
    allotments: QuerySet[FundAllotment], term: Term
) -> dict[tuple[int, int | None, int | None], Decimal]:
    """(policy, township, school) → allotted; a township's own allotments have school None and vice versa."""
    rows = (
        allotments.filter(term=term)
        .order_by()
        .values("policy_id", "township_id", "school_id")
        .annotate(total=Sum("amount"))
    )
    return {(r["policy_id"], r["township_id"], r["school_id"]): _fen(r["total"]) for r in rows}


def _carried_out(
    allotments: QuerySet[FundAllotment], term: Term
) -> dict[tuple[int, int | None, int | None], Decimal]:
    """(policy, township, school) of this term → what later allotments carried over from it."""
    rows = (
        allotments.filter(carried_from__term=term)
        .order_by()
        .values("carried_from__policy_id", "carried_from__township_id", "carried_from__school_id")
        .annotate(total=Sum("amount"))
    )
    return {
        (
            r["carried_from__policy_id"],
            r["carried_from__township_id"],
            r["carried_from__school_id"],
        ): _fen(r["total"])
        for r in rows
    }


# ---------------------------------------------------------------------------
# The report


def funds_report_title(*, term: Term, township: Township | None, policy: Policy | None) -> str:
    """The report's title: the page's heading, the workbook's first row and its file name."""
    return LedgerFilter(term=term, township=township, policy=policy).title("资金指标执行情况表")


def funds_report_issuer(township: Township | None) -> str:
    return township.office_name if township is not None else settings.AID_OFFICE_NAME


@dataclass
class _Sources:
    allotted: dict[tuple[int, int | None, int | None], Decimal]
    carried: dict[tuple[int, int | None, int | None], Decimal]
    committed: dict[tuple[int, int], Decimal]
    ledger: dict[tuple[int, int], dict[str, Decimal]]


def _sources(
    *, term: Term, actor: Actor | None, township: Township | None, policy: Policy | None
) -> _Sources:
    """The four grouped queries, narrowed to the actor's scope, a township and a policy."""
    allotments = FundAllotment.objects.all()
    entitlements = Entitlement.objects.all()
    # Government aid only: 社会资助 batches spend no allotment.
    entries = LedgerEntry.objects.filter(batch__kind=BatchKind.GOVERNMENT)
    if actor is not None:
        allotments = scope_queryset(actor, allotments)
        entitlements = scope_queryset(actor, entitlements)
        entries = scope_queryset(actor, entries)
    if township is not None:
        allotments = allotments.filter(Q(township=township) | Q(school__township=township))
        entitlements = entitlements.filter(enrollment__school__township=township)
        entries = entries.filter(school__township=township)
    if policy is not None:
        allotments = allotments.filter(policy=policy)
        entitlements = entitlements.filter(policy=policy)
        entries = entries.filter(policy=policy)
    return _Sources(
        allotted=_allotted(allotments, term),
        carried=_carried_out(allotments, term),
        committed=_committed(entitlements, term),
        ledger=_ledger(entries, term),
    )


def _school_figures(src: _Sources) -> dict[tuple[int, int], Figures]:
    """(policy, school) → the school's own figures (its earmarked allotments, its money)."""
    out: dict[tuple[int, int], Figures] = defaultdict(Figures)
    for (policy_id, _township_id, school_id), amount in src.allotted.items():
        if school_id is not None:
            out[(policy_id, school_id)].allotted += amount
            out[(policy_id, school_id)].has_allotment = True
    for (policy_id, _township_id, school_id), amount in src.carried.items():
        if school_id is not None:
            out[(policy_id, school_id)].carried_out += amount
    for key, amount in src.committed.items():
        out[key].committed += amount
    for key, row in src.ledger.items():
        f = out[key]
        f.paid += row["paid"]
        f.confirmed += row["confirmed"]
        f.reversed += row["reversed"]
    return out


def funds_report(
    *, actor: Actor, term: Term, township: Township | None = None, policy: Policy | None = None
) -> FundsReport:
    """资金指标执行情况: per policy, township and school, allotted against committed and paid.

    Seven queries whatever the county's size: the four grouped sums, then the
    policies, schools and townships named in them.
    """
    src = _sources(term=term, actor=actor, township=township, policy=policy)
    per_school = _school_figures(src)
    school_ids = {school_id for _p, school_id in per_school}
    township_ids = {t for (_p, t, _s) in [*src.allotted, *src.carried] if t is not None}
    policy_ids = {p for p, _s in per_school} | {p for (p, _t, _s) in src.allotted}
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids).select_related("township")}
    township_ids |= {s.township_id for s in schools.values()}
    townships = {t.pk: t for t in Township.objects.filter(pk__in=township_ids)}
    policies = Policy.objects.filter(pk__in=policy_ids).order_by("order", "code")

    lines: dict[tuple[int, int], TownshipLine] = {}
    for (policy_id, school_id), figures in per_school.items():
        school = schools[school_id]
        line = lines.setdefault(
            (policy_id, school.township_id),
            TownshipLine(township=townships[school.township_id], figures=Figures()),
        )
        line.schools.append(SchoolLine(school=school, figures=figures))
        line.figures.add(figures)
    for (policy_id, township_id, school_id), amount in src.allotted.items():
        if school_id is None:
            line = lines.setdefault(
                (policy_id, township_id), TownshipLine(townships[township_id], Figures())
            )
            line.own_allotted += amount
            line.figures.allotted += amount
            line.figures.has_allotment = True
    for (policy_id, township_id, school_id), amount in src.carried.items():
        if school_id is None and (policy_id, township_id) in lines:
            lines[(policy_id, township_id)].figures.carried_out += amount

    report_lines = []
    total = Figures()
    for p in policies:
        mine = sorted(
            (line for (policy_id, _t), line in lines.items() if policy_id == p.pk),
            key=lambda t: t.township.name,
        )
        figures = Figures()
        for line in mine:
            line.schools.sort(key=lambda s: s.school.name)
            figures.add(line.figures)
        report_lines.append(PolicyLine(policy=p, figures=figures, townships=mine))
        total.add(figures)
    return FundsReport(
        term=term, policies=report_lines, total=total, has_allotments=bool(src.allotted)
    )


# ---------------------------------------------------------------------------
# One batch against its township's funds


@dataclass(frozen=True)
class BatchFunds:
    """A batch's policy, term and township: the funds, the batch, and whether it goes over.

    The batch's own entitlements are part of `figures.committed`; `available` is
    what is left for the batch (the remaining plus the batch itself). The batch is
    over when its total exceeds that, i.e. when the township's remaining is below zero.
    With no allotment entered for the policy and term anywhere in the county,
    nothing is over (`entered` is False): counties enter allotments at different times.
    """

    figures: Figures
    batch_total: Decimal
    entered: bool

    @property
    def available(self) -> Decimal:
        return self.figures.remaining + self.batch_total

    @property
    def net_allotted(self) -> Decimal:
        return self.figures.allotted - self.figures.carried_out

    @property
    def other_committed(self) -> Decimal:
        """Committed, other than this batch's own entitlements."""
        return self.figures.committed - self.batch_total

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.batch_total - self.available)

    @property
    def over(self) -> bool:
        return self.entered and self.shortfall > 0


def township_funds(*, term: Term, policy: Policy, township: Township) -> Figures:
    """The township's figures for one policy and term (its allotments and its schools'), unscoped: the
    services check who asks."""
    src = _sources(term=term, actor=None, township=township, policy=policy)
    figures = Figures()
    for f in _school_figures(src).values():
        figures.add(f)
    for (_p, _t, school_id), amount in src.allotted.items():
        if school_id is None:
            figures.allotted += amount
            figures.has_allotment = True
    for (_p, _t, school_id), amount in src.carried.items():
        if school_id is None:
            figures.carried_out += amount
    return figures


def batch_funds(batch: DisbursementBatch) -> BatchFunds:
    """The funds a prepared batch is checked against (its total is what its live entries add up to)."""
    figures = township_funds(term=batch.term, policy=batch.policy, township=batch.township)
    total = _fen(batch.entries.filter(is_live=True).aggregate(t=Sum("amount"))["t"])
    return BatchFunds(
        figures=figures,
        batch_total=total,
        entered=allotments_entered(term=batch.term, policy=batch.policy),
    )


def selection_funds(*, term: Term, policy: Policy, township: Township) -> BatchFunds:
    """The funds of a selection before a batch is prepared (the prepare page): no batch yet."""
    figures = township_funds(term=term, policy=policy, township=township)
    return BatchFunds(
        figures=figures, batch_total=ZERO, entered=allotments_entered(term=term, policy=policy)
    )


def allotments_entered(*, term: Term, policy: Policy) -> bool:
    """Whether the county has entered any allotment for the policy and term."""
    return FundAllotment.objects.filter(term=term, policy=policy).exists()


def carry_available(source: FundAllotment, *, excluding: FundAllotment | None = None) -> Decimal:
    """The most a carry-over from `source` may take: its school's remaining (an earmarked
    allotment) or its township's (a township's own), `excluding` the carry-over being edited."""
    if source.school_id is not None:
        src = _sources(
            term=source.term, actor=None, township=source.school.township, policy=source.policy
        )
        figures = _school_figures(src).get((source.policy_id, source.school_id), Figures())
    else:
        figures = township_funds(term=source.term, policy=source.policy, township=source.township)
    left = figures.remaining
    if excluding is not None and excluding.pk is not None:
        before = FundAllotment.objects.filter(pk=excluding.pk, carried_from=source).values_list(
            "amount", flat=True
        )
        left += sum(before, ZERO)
    return left
