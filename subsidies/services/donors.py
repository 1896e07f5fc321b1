"""Social donors (社会资助): pairings of the three shapes, and the money in 社会资助 ledger batches.

A pairing's shape is checked here (how many donors and students each shape
takes, the donors' shares adding up to the amount) and backed in the database
by the through rows' partial unique constraints. The money goes through the
ledger machinery of `subsidies.services.ledgers` unchanged: `donation_batch_prepare`
builds the entries and opens the batch with `batch_open`; approval (four-eyes),
discarding, reversals and bank results are the government aid's own services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from aidsite.access import actor_user, require
from students.models import Enrollment, SchoolYear, Student, Term, Township
from subsidies.models import (
    ONE_DONOR_SHAPES,
    BatchKind,
    DisbursementBatch,
    Donor,
    LedgerEntry,
    Pairing,
    PairingDonor,
    PairingShape,
    PairingStudent,
    PaymentMethod,
    Pledge,
    Reversal,
)
from subsidies.services.ledgers import (
    NO_CARD_NUMBER,
    LedgerError,
    _set_history_user,
    batch_open,
    check_ledger_permission,
    payee,
)

if TYPE_CHECKING:
    from aidsite.access import Actor

ZERO = Decimal("0")


class PairingError(LedgerError):
    """A refused pairing; the message is shown to users as it is."""


# ---------------------------------------------------------------------------
# Pairings


def _check_shape(shape: str, donor_count: int, student_count: int) -> None:
    """一对一: one donor, one student; 一对多: one donor, two or more students; 多对一: two or more donors, one student."""
    if shape not in PairingShape.values:
        raise PairingError("结对方式不正确。")
    if donor_count == 0 or student_count == 0:
        raise PairingError("结对须至少有一个资助方和一名学生。")
    if shape == PairingShape.ONE_TO_ONE and (donor_count, student_count) != (1, 1):
        raise PairingError("一对一结对须恰好一个资助方、一名学生。")
    if shape == PairingShape.ONE_TO_MANY and (donor_count != 1 or student_count < 2):
        raise PairingError("一对多结对须一个资助方、至少两名学生。")
    if shape == PairingShape.MANY_TO_ONE and (donor_count < 2 or student_count != 1):
        raise PairingError("多对一结对须至少两个资助方、一名学生。")


def _shares(
    shape: str, amount: Decimal, donors: list[tuple[Donor, Decimal | None]]
) -> list[Decimal]:
    """Each donor's share per student per term: the whole amount for one donor; for 多对一, as given
    (adding up to the amount) or, when none is given, split evenly with the odd fen on the first."""
    if shape in ONE_DONOR_SHAPES:
        return [amount]
    given = [share for _, share in donors]
    if all(share is None for share in given):
        each = (amount / len(donors)).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        return [amount - each * (len(donors) - 1)] + [each] * (len(donors) - 1)
    if any(share is None or share <= 0 for share in given):
        raise PairingError("多对一结对须填写每个资助方的出资金额（大于 0），或全部留空平均分摊。")
    if sum(given, ZERO) != amount:  # type: ignore[arg-type]
        raise PairingError(f"各资助方出资之和应等于每生每学期资助金额 {amount} 元。")
    return given  # type: ignore[return-value]


def _enrolled_schools(
    students: list[Student], township: Township, year: SchoolYear
) -> dict[int, Any]:
    """Each student's school of the township in `year`; a student not enrolled there is refused."""
    schools = dict(
        Enrollment.objects.filter(student__in=students, school_year=year, school__township=township)
        .order_by("student_id", "pk")
        .values_list("student_id", "school_id")
    )
    missing = [s.name for s in students if s.pk not in schools]
    if missing:
        raise PairingError(
            f"{'、'.join(missing)} 在 {year.name} 学年没有本乡镇学校的学籍，不能结对。"
        )
    return schools


@transaction.atomic
def pairing_create(
    *,
    actor: Actor,
    township: Township,
    shape: str,
    from_year: SchoolYear,
    to_year: SchoolYear,
    amount: Decimal,
    donors: list[tuple[Donor, Decimal | None]],
    students: list[Student],
    pledge: Pledge | None = None,
    note: str = "",
) -> Pairing:
    """登记结对资助: donors and students of one township paired for a span of school years.

    `donors` are (donor, share per student per term); a share matters only for 多对一.
    """
    require(
        actor,
        "subsidies.add_pairing",
        township=township,
        write=True,
        read_only="审计/督导账号只能查看，不能登记结对。",
        out_of_scope="只能登记本乡镇的结对资助。",
    )
    user = actor_user(actor)
    if len({d.pk for d, _ in donors}) != len(donors) or len({s.pk for s in students}) != len(
        students
    ):
        raise PairingError("同一资助方或学生不能在一个结对中出现两次。")
    _check_shape(shape, len(donors), len(students))
    if amount is None or amount <= 0:
        raise PairingError("每生每学期资助金额应大于 0。")
    if to_year.start_year < from_year.start_year:
        raise PairingError("截止学年不能早于起始学年。")
    if any(d.township_id != township.pk for d, _ in donors):
        raise PairingError("资助方须是本乡镇登记的资助方。")
    if pledge is not None and pledge.donor_id not in {d.pk for d, _ in donors}:
        raise PairingError("所选认捐不属于本结对的资助方。")
    shares = _shares(shape, amount, donors)
    schools = _enrolled_schools(students, township, from_year)
    pairing = Pairing(
        township=township,
        shape=shape,
        from_year=from_year,
        to_year=to_year,
        amount=amount,
        pledge=pledge,
        note=note,
        created_by=user,
    )
    pairing.full_clean()
    _set_history_user(pairing, user)
    pairing.save()
    PairingDonor.objects.bulk_create(
        PairingDonor(pairing=pairing, donor=donor, shape=shape, share=share)
        for (donor, _), share in zip(donors, shares, strict=True)
    )
    PairingStudent.objects.bulk_create(
        PairingStudent(pairing=pairing, student=s, school_id=schools[s.pk], shape=shape)
        for s in students
    )
    return pairing


# ---------------------------------------------------------------------------
# Money: 社会资助 batches


@dataclass
class DonationPrepareResult:
    batch: DisbursementBatch
    skipped: list[tuple[PairingStudent, str]] = field(default_factory=list)


def pairings_of_term(*, township: Township, term: Term) -> QuerySet[Pairing]:
    """The township's pairings whose span of school years covers `term`."""
    start = term.school_year.start_year
    return Pairing.objects.filter(
        township=township, from_year__start_year__lte=start, to_year__start_year__gte=start
    )


def _open_pairs(
    township: Township, term: Term, received: bool, donor: Donor | None
) -> list[tuple[Any, Any]]:
    """(pairing donor or None, pairing student) pairs of the term with no live entry and not ended by
    a reversal without reissue: what a received (per donor and student) or paid batch would hold."""
    pairings = pairings_of_term(township=township, term=term)
    students = list(
        PairingStudent.objects.filter(pairing__in=pairings)
        .select_related("pairing", "student__payment_account")
        .order_by("school__name", "student__name", "pk")
    )
    entries = LedgerEntry.objects.filter(term=term, pairing__in=pairings)
    entries = entries.filter(donor__isnull=not received)
    taken = set(entries.filter(is_live=True).values_list("pairing_id", "donor_id", "student_id"))
    ended = set(
        Reversal.objects.filter(entry__in=entries, reissue=False).values_list(
            "entry__pairing_id", "entry__donor_id", "entry__student_id"
        )
    )
    closed = taken | ended
    if not received:
        return [(None, ps) for ps in students if (ps.pairing_id, None, ps.student_id) not in closed]
    donors = (
        PairingDonor.objects.filter(pairing__in=pairings).select_related("donor").order_by("pk")
    )
    if donor is not None:
        donors = donors.filter(donor=donor)
    by_pairing: dict[int, list[PairingDonor]] = {}
    for pd in donors:
        by_pairing.setdefault(pd.pairing_id, []).append(pd)
    return [
        (pd, ps)
        for ps in students
        for pd in by_pairing.get(ps.pairing_id, [])
        if (ps.pairing_id, pd.donor_id, ps.student_id) not in closed
    ]


def _donation_entries(
    pairs: list[tuple[Any, Any]], *, term: Term, default_method: str, now: Any
) -> tuple[list[LedgerEntry], list[tuple[PairingStudent, str]]]:
    """Unsaved entries: money received (the donor's share, counted in cash or by transfer, no
    student account) or paid to the student's recorded account or by `default_method`."""
    schools = dict(
        Enrollment.objects.filter(
            student__in={ps.student_id for _, ps in pairs}, school_year=term.school_year_id
        )
        .order_by("student_id", "pk")
        .values_list("student_id", "school_id")
    )
    entries, skipped = [], []
    for pd, ps in pairs:
        common = {
            "pairing_id": ps.pairing_id,
            "student_id": ps.student_id,
            "term": term,
            "school_id": schools.get(ps.student_id, ps.school_id),
            "created_at": now,
        }
        if pd is not None:
            entries.append(
                LedgerEntry(
                    donor_id=pd.donor_id, amount=pd.share, method=PaymentMethod.CASH, **common
                )
            )
            continue
        paid_by = payee(ps.student, default_method)
        if paid_by is None:
            skipped.append((ps, NO_CARD_NUMBER))
            continue
        method, number, holder = paid_by
        entries.append(
            LedgerEntry(
                amount=ps.pairing.amount,
                method=method,
                account_number=number,
                holder_name=holder,
                **common,
            )
        )
    return entries, skipped


@transaction.atomic
def donation_batch_prepare(
    *,
    township: Township,
    term: Term,
    kind: str,
    actor: Actor,
    donor: Donor | None = None,
    default_method: str = PaymentMethod.BANK_CARD,
    note: str = "",
) -> DonationPrepareResult:
    """编制社会资助批次: the term's money received from donors (社会资助收款) or paid to the
    paired students (社会资助发放), for every pairing of the township that covers the term.

    Approval, reversal and bank results are the ledger's own services
    (`batch_approve`, `entry_reverse`, `bank_results_record`).
    """
    check_ledger_permission(actor, township, "subsidies.prepare_disbursementbatch")
    user = actor_user(actor)
    if kind not in (BatchKind.DONATION_RECEIVED, BatchKind.DONATION_PAID):
        raise LedgerError("社会资助批次须是收款或发放。")
    if default_method not in PaymentMethod.values:
        raise LedgerError("发放方式不正确。")
    Township.objects.select_for_update().filter(pk=township.pk).first()
    received = kind == BatchKind.DONATION_RECEIVED
    now = timezone.now()
    pairs = _open_pairs(township, term, received, donor)
    entries, skipped = _donation_entries(pairs, term=term, default_method=default_method, now=now)
    if not entries:
        raise LedgerError(
            ("本学期没有待登记的结对资助捐款" if received else "本学期没有待发放的结对资助")
            + (f"（{len(skipped)} 人未登记一卡通账号）。" if skipped else "。")
        )
    batch, _funds = batch_open(
        township=township,
        term=term,
        kind=kind,
        entries=entries,
        user=user,
        now=now,
        note=note,
        skipped=len(skipped),
    )
    return DonationPrepareResult(batch=batch, skipped=skipped)


__all__ = [
    "DonationPrepareResult",
    "PairingError",
    "donation_batch_prepare",
    "pairing_create",
    "pairings_of_term",
]
