"""Disbursement ledgers (发放台账): prepare, approve, reverse, record the bank's results.

Money leaves the office here, so every state change is a service that is one
transaction, checks who is asking, writes history (simple_history, bulk helpers
for bulk writes) and an explicit `LedgerLog` row. The database backs the rules
(SECURITY A5, C1–C3): a check constraint for four-eyes, a partial unique index
for one live payment per student, policy and term, and on PostgreSQL triggers
that keep approved rows unchanged. The reads (reconciliation, conflicts, funds)
are in `subsidies.selectors`. A batch is checked against its township's funding
quota (资金指标, `subsidies.selectors.funds`): over it, the preparer is warned and
the approver must confirm with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from aidsite.access import actor_user, require
from aidsite.lib.money import format_yuan
from students.models import Term, Township
from subsidies.models import (
    BankOutcome,
    BankResult,
    BatchKind,
    BatchStatus,
    DisbursementBatch,
    Entitlement,
    EntitlementStatus,
    LedgerAction,
    LedgerEntry,
    LedgerLog,
    PaymentMethod,
    PaymentStatus,
    Policy,
    Reversal,
)
from subsidies.selectors.funds import BatchFunds, batch_funds

if TYPE_CHECKING:
    from aidsite.access import Actor

ZERO = Decimal("0")
BULK_SIZE = 1000


class LedgerError(ValidationError):
    """A refused ledger operation; the message is shown to users as it is."""


# ---------------------------------------------------------------------------
# Who may do what


def check_ledger_permission(actor: Actor, township: Township, permission: str) -> None:
    """The actor holds `permission` and works for `township` (or the whole county, not read-only)."""
    require(
        actor,
        permission,
        township=township,
        write=True,
        read_only="审计/督导账号只能查看和导出，不能修改。",
        out_of_scope="只能处理本乡镇的发放台账。",
    )


def _log(
    *,
    batch: DisbursementBatch,
    action: str,
    user: Any,
    summary: str,
    entry: LedgerEntry | None = None,
    detail: dict[str, Any] | None = None,
) -> LedgerLog:
    """One ledger-log row about `batch` (kept by pk: a discarded batch's row outlives it), in its township."""
    return LedgerLog.objects.create(
        user=user,
        action=action,
        township_id=batch.township_id,
        batch_id_ref=batch.pk,
        entry_id_ref=entry.pk if entry is not None else None,
        summary=summary[:200],
        detail=detail or {},
    )


def _set_history_user(obj: Any, user: Any) -> None:
    # simple_history takes the user from the request middleware; services also run
    # from commands and tests, so say who it is.
    obj._history_user = user


# ---------------------------------------------------------------------------
# Prepare


@dataclass
class PrepareResult:
    batch: DisbursementBatch
    # Entitlements left out, with why (e.g. 一卡通 without an account).
    skipped: list[tuple[Entitlement, str]] = field(default_factory=list)
    # The batch against its township's funding quota (over: the approver must confirm with a reason).
    funds: BatchFunds | None = None


def batchable_entitlements(*, township: Township, policy: Policy, term: Term) -> QuerySet[Entitlement]:
    """Approved entitlements of the township with no live entry and no reversal that ended them.

    A failed payment or a reversal with `reissue` makes an entitlement batchable
    again; a reversal without `reissue` ends it.
    """
    # NOT IN over the term's entries (a hashed subplan on PostgreSQL): correlated NOT EXISTS
    # let the planner pick nested-loop anti-joins on stale statistics, which ran past the
    # statement timeout on 500 rows.
    live = LedgerEntry.objects.filter(term=term, policy=policy, is_live=True).values("entitlement_id")
    ended = Reversal.objects.filter(
        entry__term=term, entry__policy=policy, reissue=False
    ).values("entry__entitlement_id")
    return (
        Entitlement.objects.filter(
            term=term,
            policy=policy,
            status=EntitlementStatus.APPROVED,
            enrollment__school__township=township,
            amount__gt=0,
        )
        .exclude(pk__in=live)
        .exclude(pk__in=ended)
        .select_related("student__payment_account", "enrollment__school")
        .order_by("enrollment__school__name", "student__name", "pk")
    )


NO_CARD_NUMBER = "未登记一卡通账号"


def payee(student: Any, default_method: str) -> tuple[str, str, str] | None:
    """How a student is paid (method, account number, holder): their recorded account (收款账户)
    or `default_method`; None for 一卡通 without an account number, never paid to an empty account."""
    account = getattr(student, "payment_account", None)
    method = account.method if account is not None else default_method
    number = account.account_number if account is not None else ""
    if method == PaymentMethod.BANK_CARD and not number:
        return None
    return method, number, account.holder_name if account is not None else ""


def _entries_to_pay(
    entitlements: QuerySet[Entitlement], *, default_method: str, now: Any
) -> tuple[list[LedgerEntry], list[tuple[Entitlement, str]]]:
    """An unsaved entry per entitlement, paid to the student's recorded account or by
    `default_method`; 一卡通 without an account number is left out, with why."""
    entries: list[LedgerEntry] = []
    skipped: list[tuple[Entitlement, str]] = []
    for ent in entitlements:
        paid_by = payee(ent.student, default_method)
        if paid_by is None:
            skipped.append((ent, NO_CARD_NUMBER))
            continue
        method, number, holder = paid_by
        entries.append(
            LedgerEntry(
                entitlement=ent,
                student_id=ent.student_id,
                policy_id=ent.policy_id,
                term_id=ent.term_id,
                school_id=ent.enrollment.school_id,
                amount=ent.amount,
                method=method,
                account_number=number,
                holder_name=holder,
                created_at=now,
            )
        )
    return entries, skipped


@transaction.atomic
def batch_prepare(
    *,
    township: Township,
    policy: Policy,
    term: Term,
    actor: Actor,
    default_method: str = PaymentMethod.BANK_CARD,
    note: str = "",
) -> PrepareResult:
    """编制发放批次: the township's approved entitlements of the policy and term not yet in a batch.

    Each student is paid by their recorded account (收款账户) or, without one,
    by `default_method`; 一卡通 without an account number is left out and
    reported, never paid to an empty account.
    """
    check_ledger_permission(actor, township, "subsidies.prepare_disbursementbatch")
    user = actor_user(actor)
    if policy.school_year_id != term.school_year_id:
        raise LedgerError("资助项目与学期不属于同一学年。")
    if default_method not in PaymentMethod.values:
        raise LedgerError("发放方式不正确。")
    # Serialise preparations of one township so that batch numbers do not clash.
    Township.objects.select_for_update().filter(pk=township.pk).first()

    now = timezone.now()
    entries, skipped = _entries_to_pay(
        batchable_entitlements(township=township, policy=policy, term=term), default_method=default_method, now=now
    )
    if not entries:
        raise LedgerError(
            "没有可编入批次的已审核资助名单"
            + (f"（{len(skipped)} 人未登记一卡通账号）。" if skipped else "。")
        )

    batch, funds = batch_open(
        township=township, term=term, policy=policy, entries=entries, user=user, now=now, note=note,
        skipped=len(skipped),
    )
    return PrepareResult(batch=batch, skipped=skipped, funds=funds)


def batch_open(
    *,
    township: Township,
    term: Term,
    entries: list[LedgerEntry],
    user: Any,
    now: Any,
    note: str = "",
    policy: Policy | None = None,
    kind: str = BatchKind.GOVERNMENT,
    skipped: int = 0,
) -> tuple[DisbursementBatch, BatchFunds | None]:
    """Save a prepared batch numbered after the last of its kind, its entries and the log row;
    returns the batch and, for a government batch, its funding-quota check.

    Shared by government batches (`batch_prepare`) and 社会资助 batches
    (`subsidies.services.donations`); the caller checked the permission, holds
    the township's row lock and built the unsaved entries.
    """
    last = (
        DisbursementBatch.objects.filter(township=township, policy=policy, kind=kind, term=term)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    batch = DisbursementBatch(
        township=township,
        kind=kind,
        policy=policy,
        term=term,
        sequence=(last or 0) + 1,
        note=note,
        prepared_by=user,
        prepared_at=now,
        entry_count=len(entries),
        total_amount=sum((e.amount for e in entries), ZERO),
    )
    batch.full_clean()
    _set_history_user(batch, user)
    batch.save()
    for entry in entries:
        entry.batch = batch
    bulk_create_with_history(
        entries, LedgerEntry, batch_size=BULK_SIZE, default_user=user, default_change_reason="编制批次"
    )
    funds = government_batch_funds(batch)
    over = f"，超出资金指标结余 {format_yuan(funds.shortfall)} 元" if funds is not None and funds.over else ""
    _log(
        batch=batch, action=LedgerAction.PREPARE, user=user,
        summary=f"编制 {batch}：{batch.entry_count} 人，{format_yuan(batch.total_amount)} 元{over}",
        detail={
            "count": batch.entry_count, "total": str(batch.total_amount), "skipped": skipped,
            **(_funds_detail(funds) if funds is not None else {}),
        },
    )
    return batch, funds


def _funds_detail(funds: BatchFunds) -> dict[str, Any]:
    """What the ledger log keeps of a batch's funds check."""
    if not funds.entered:
        return {"allotment": "未录入"}
    return {"available": str(funds.available), "shortfall": str(funds.shortfall)}


def over_allotment_message(funds: BatchFunds) -> str:
    return (
        f"本批次 {format_yuan(funds.batch_total)} 元超出资金指标结余（可用 {format_yuan(funds.available)} 元）"
        f" {format_yuan(funds.shortfall)} 元。"
    )


def government_batch_funds(batch: DisbursementBatch) -> BatchFunds | None:
    """The funding-quota check of a government batch; 社会资助 batches spend no allotment."""
    return batch_funds(batch) if batch.kind == BatchKind.GOVERNMENT else None


@transaction.atomic
def batch_discard(*, batch: DisbursementBatch, actor: Actor) -> None:
    """撤销未审核批次: a prepared batch and its entries go; an approved one cannot."""
    check_ledger_permission(actor, batch.township, "subsidies.prepare_disbursementbatch")
    user = actor_user(actor)
    locked = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.is_approved:
        raise LedgerError("已审核的发放批次不能撤销，如有差错请逐条冲销。")
    summary = f"撤销 {locked}：{locked.entry_count} 人，{format_yuan(locked.total_amount)} 元"
    locked.entries.all().delete()
    _set_history_user(locked, user)
    pk = locked.pk
    locked.delete()
    locked.pk = pk
    _log(batch=locked, action=LedgerAction.DISCARD, user=user, summary=summary)


# ---------------------------------------------------------------------------
# Approve


@dataclass
class ApproveResult:
    batch: DisbursementBatch
    changed: bool


def batch_approve(*, batch: DisbursementBatch, actor: Actor, over_reason: str = "") -> ApproveResult:
    """审核发放批次: one transaction that locks the entries and freezes the count and total.

    Whoever prepared the batch cannot approve it (a check constraint backs this).
    A batch over its township's funding quota is approved only with the
    approver's reason (`over_reason`), kept in the ledger log; without one it is refused.
    Approving an approved batch changes nothing; two approvals racing on
    PostgreSQL give one approval (the batch row is locked first).
    """
    check_ledger_permission(actor, batch.township, "subsidies.approve_disbursementbatch")
    user = actor_user(actor)
    with transaction.atomic():
        locked = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.is_approved:
            return ApproveResult(batch=locked, changed=False)
        if user is not None and locked.prepared_by_id == user.pk:
            raise LedgerError("您是本批次的编制人，不能审核自己编制的批次，请由另一位工作人员审核。")
        entries = list(locked.entries.select_for_update().order_by("pk"))
        if not entries:
            raise LedgerError("批次中没有发放记录，不能审核。")
        count = len(entries)
        total = sum((e.amount for e in entries), ZERO)
        funds = government_batch_funds(locked)
        over = funds is not None and funds.over
        reason = (over_reason or "").strip()[:200]
        if over and not reason:
            raise LedgerError(over_allotment_message(funds) + "请确认并填写超指标审核理由后再审核。")
        for entry in entries:
            entry.locked = True
        bulk_update_with_history(
            entries, LedgerEntry, ["locked"], batch_size=BULK_SIZE, default_user=user,
            default_change_reason="审核批次",
        )
        locked.status = BatchStatus.APPROVED
        locked.approved_by = user
        locked.approved_at = timezone.now()
        locked.entry_count = count
        locked.total_amount = total
        _set_history_user(locked, user)
        locked.save()
        over_text = f"；超出资金指标 {format_yuan(funds.shortfall)} 元，理由：{reason}" if over else ""
        _log(
            batch=locked, action=LedgerAction.APPROVE, user=user,
            summary=f"审核 {locked}：{count} 人，{format_yuan(total)} 元{over_text}",
            detail={
                "count": count, "total": str(total),
                **(_funds_detail(funds) if funds is not None else {}),
                **({"over_reason": reason} if over else {}),
            },
        )
    return ApproveResult(batch=locked, changed=True)


# ---------------------------------------------------------------------------
# Reverse


@transaction.atomic
def entry_reverse(*, entry: LedgerEntry, actor: Actor, reason: str, reissue: bool = True) -> Reversal:
    """冲销: declare an approved entry void, once, with a reason.

    With `reissue` the entitlement goes back to 已审核 so that a later batch pays
    it again; without, it is finished.
    """
    batch = entry.batch
    check_ledger_permission(actor, batch.township, "subsidies.reverse_ledgerentry")
    user = actor_user(actor)
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("冲销须写明原因。")
    current = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if not current.locked:
        raise LedgerError("未审核批次中的记录不需冲销，可直接撤销该批次。")
    if Reversal.objects.filter(entry=current).exists():
        raise LedgerError("该记录已冲销，每条记录只能冲销一次。")
    reversal = Reversal(entry=current, amount=current.amount, reason=reason[:200], reissue=reissue, reversed_by=user)
    _set_history_user(reversal, user)
    reversal.save()
    current.is_live = False
    _set_history_user(current, user)
    current.save(update_fields=["is_live"])
    ent = Entitlement.objects.filter(pk=current.entitlement_id).first()  # none for 社会资助
    if ent is not None and ent.status == EntitlementStatus.PAID:
        # The payment is void: the entitlement is approved-but-unpaid again.
        ent.status = EntitlementStatus.APPROVED
        bulk_update_with_history(
            [ent], Entitlement, ["status"], default_user=user, default_change_reason="发放记录冲销"
        )
    _log(
        batch=batch, action=LedgerAction.REVERSE, user=user, entry=current,
        summary=f"冲销 {current.student.name} {current.amount} 元：{reason}"[:200],
        detail={"reason": reason, "reissue": reissue, "amount": str(current.amount)},
    )
    return reversal


# ---------------------------------------------------------------------------
# Bank results (the import itself is in subsidies.services.bank_import)


@dataclass(frozen=True)
class BankOutcomeRow:
    entry_id: int
    outcome: str
    amount: Decimal
    reason: str
    row_number: int


def bank_results_record(
    *, batch: DisbursementBatch, rows: list[BankOutcomeRow], actor: Actor, file_name: str = ""
) -> dict[str, int]:
    """Record validated bank outcomes: entries paid or failed, entitlements 已发放 on success.

    Rows whose entry already carries the same outcome are skipped (the same
    file twice changes nothing). The caller has validated every row; this
    runs inside its transaction.
    """
    user = actor_user(actor)
    existing = dict(BankResult.objects.filter(entry__batch=batch).values_list("entry_id", "outcome"))
    new_rows = [r for r in rows if r.entry_id not in existing]
    by_id = {e.pk: e for e in LedgerEntry.objects.filter(pk__in=[r.entry_id for r in new_rows])}
    results = []
    changed_entries = []
    paid_entitlements: list[int] = []
    for r in new_rows:
        entry = by_id[r.entry_id]
        results.append(
            BankResult(
                entry=entry, outcome=r.outcome, amount=r.amount, reason=r.reason[:200],
                file_name=file_name[:200], row_number=r.row_number, imported_by=user,
            )
        )
        if r.outcome == BankOutcome.SUCCESS:
            entry.payment_status = PaymentStatus.PAID
            if entry.entitlement_id is not None:
                paid_entitlements.append(entry.entitlement_id)
        else:
            entry.payment_status = PaymentStatus.FAILED
            entry.is_live = False
        changed_entries.append(entry)
    if results:
        bulk_create_with_history(results, BankResult, batch_size=BULK_SIZE, default_user=user)
        bulk_update_with_history(
            changed_entries, LedgerEntry, ["payment_status", "is_live"], batch_size=BULK_SIZE,
            default_user=user, default_change_reason="银行回盘",
        )
    if paid_entitlements:
        ents = list(Entitlement.objects.filter(pk__in=paid_entitlements).exclude(status=EntitlementStatus.PAID))
        for ent in ents:
            ent.status = EntitlementStatus.PAID
        bulk_update_with_history(
            ents, Entitlement, ["status"], batch_size=BULK_SIZE, default_user=user,
            default_change_reason="银行回盘：发放成功",
        )
    paid = sum(1 for r in new_rows if r.outcome == BankOutcome.SUCCESS)
    failed = len(new_rows) - paid
    if new_rows:
        _log(
            batch=batch, action=LedgerAction.BANK_RESULT, user=user,
            summary=f"{batch} 银行回盘：成功 {paid} 人，失败 {failed} 人",
            detail={"file": file_name, "paid": paid, "failed": failed, "unchanged": len(rows) - len(new_rows)},
        )
    return {"paid": paid, "failed": failed, "unchanged": len(rows) - len(new_rows)}


def entry_is_reversible(entry: LedgerEntry) -> bool:
    return entry.locked and not hasattr(entry, "reversal")


__all__ = [
    "ApproveResult",
    "BankOutcomeRow",
    "LedgerError",
    "PrepareResult",
    "batch_approve",
    "batch_discard",
    "batch_open",
    "batch_prepare",
    "batchable_entitlements",
    "bank_results_record",
    "check_ledger_permission",
    "entry_is_reversible",
    "entry_reverse",
    "over_allotment_message",
]
