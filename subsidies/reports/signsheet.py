"""发放签领表: every batch of the selection, split per school and per 1,000 rows; accounts masked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from aidsite.lib.idcard import mask_account
from aidsite.lib.pdf import ROWS_PER_VOLUME, split_into_volumes
from subsidies.models import DisbursementBatch, LedgerEntry
from subsidies.reports.shared import (
    SIGNERS,
    ZERO,
    PrintedReport,
    Selection,
    grade_class,
    grade_rank,
    local_now,
    selection_require,
)

if TYPE_CHECKING:
    from aidsite.access import Actor


def _signsheet_row(values: tuple[Any, ...]) -> dict[str, Any]:
    school, name, guardian, grade, class_name, item, amount, method, account = values
    return {
        "school": school,
        "name": name,
        "guardian": guardian,
        "grade": grade_class(grade, class_name),
        "item": item,
        "amount": amount,
        "account": mask_account(account) if account else ("抵扣费用" if method == "fee_offset" else "现金"),
    }


def _entries_queryset(batch_ids: list[int], *, actor: Actor) -> QuerySet[LedgerEntry]:
    return scope_queryset(actor, LedgerEntry.objects.filter(batch_id__in=batch_ids)).order_by(
        "batch__policy__order",
        "batch_id",
        "school__name",
        "entitlement__enrollment__grade",
        "entitlement__enrollment__class_name",
        "student__name",
        "pk",
    )


def signsheet_contexts(
    *, selection: Selection, actor: Actor, volume_size: int = ROWS_PER_VOLUME
) -> list[dict[str, Any]]:
    """Every batch of the selection, one after another; each batch split per school and per volume_size rows.

    Each volume is a sheet of its own (own page numbers, own total and
    signatures): it is what a school gets, signs and files.
    """
    selection_require(actor, selection)
    batches = DisbursementBatch.objects.filter(term=selection.term).select_related("township", "policy", "term")
    if selection.township is not None:
        batches = batches.filter(township=selection.township)
    if selection.policy_code:
        batches = batches.filter(policy__code=selection.policy_code)
    if selection.school is not None:
        batches = batches.filter(entries__school=selection.school).distinct()
    batches_by_id = {b.pk: b for b in scope_queryset(actor, batches)}
    entries = _entries_queryset(list(batches_by_id), actor=actor)
    if selection.school is not None:
        entries = entries.filter(school=selection.school)
    values = entries.values_list(
        "batch_id",
        "school__name",
        "student__name",
        "student__guardian_name",
        "entitlement__enrollment__grade",
        "entitlement__enrollment__class_name",
        "policy__name",
        "amount",
        "method",
        "account_number",
    )
    batch_order = {pk: i for i, pk in enumerate(batches_by_id)}
    ordered = sorted(values, key=lambda v: (batch_order[v[0]], v[1], grade_rank(v[4]), v[4]))
    rows = [(batch_id, _signsheet_row(rest)) for batch_id, *rest in ordered]
    contexts = []
    for chunk in split_into_volumes(rows, size=volume_size, key=lambda r: (r[0], r[1]["school"])):
        batch = batches_by_id[chunk[0][0]]
        contexts.append(signsheet_context(batch=batch, rows=[row for _, row in chunk]))
    return contexts


def signsheet_context(*, batch: DisbursementBatch, rows: list[dict[str, Any]]) -> dict[str, Any]:
    for number, row in enumerate(rows, 1):
        row["number"] = number
    school = rows[0]["school"] if rows else ""
    status = "已审核" if batch.is_approved else "待审核"
    return {
        "title": f"{batch.township.name}{batch.term}{batch.policy.name if batch.policy_id else batch.get_kind_display()}发放签领表",
        "landscape": True,
        "unit": batch.township.office_name,
        "school_name": school,
        "batch_label": f"{batch.township.name} 第{batch.sequence}批（{status}）",
        "rows": rows,
        "count": len(rows),
        "total": sum((row["amount"] for row in rows), ZERO),
        "signers": SIGNERS,
        "printed_at": local_now(),
    }


class SignsheetReport(PrintedReport):
    identifier = "report_signsheet"
    name = "signsheet"
    label = _("发放签领表（PDF）")
    document = "发放签领表"
    template = "reports/signsheet.html"

    def contexts(self, *, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
        return signsheet_contexts(selection=selection, actor=actor)
