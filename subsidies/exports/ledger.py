"""发放台账: a term's approved ledger entries (per township, school or policy) as the auditors' workbook.

One rows generator (header first) from one well-joined queryset, streamed with
`.iterator()` so that the query count does not grow with the rows, handed to
the shared formal writer (`aidsite.lib.excel.write_formal_workbook`). The
export checks the permission, stays in the actor's scope, masks ID numbers and
accounts unless the actor may see them, and is written to the access log. The
command line (manage.py export_ledger) passes a system actor: the whole
county, unmasked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.access import can_reveal_personal_data, scope_queryset
from aidsite.lib.excel import WorkbookResult, write_formal_workbook
from aidsite.lib.idcard import mask_account, mask_id_number
from students.models import School, Sex, Township
from subsidies.exports.shared import (
    CHUNK,
    LedgerWorkbookKind,
    choice_labels,
    export_log,
    ledger_export_require,
    scoped_get,
)
from subsidies.models import (
    BatchStatus,
    LedgerEntry,
    PaymentMethod,
    PaymentStatus,
    payment_status_label,
)
from subsidies.selectors import LedgerFilter

if TYPE_CHECKING:
    from aidsite.access import Actor

LEDGER_HEADER = (
    "序号", "学校", "年级", "班级", "姓名", "性别", "公民身份号码", "村（社区）", "资助项目", "档次",
    "发放方式", "收款账号", "发放金额（元）", "发放结果", "备注",
)
LEDGER_MONEY = ("发放金额（元）",)


def ledger_queryset(actor: Actor, selection: LedgerFilter) -> QuerySet[LedgerEntry]:
    # The government aid ledger (政府助学金发放台账); 社会资助 has its donor statements.
    queryset = scope_queryset(actor, LedgerEntry.objects.government()).filter(
        term=selection.term, batch__status=BatchStatus.APPROVED
    )
    if selection.township is not None:
        queryset = queryset.filter(batch__township=selection.township)
    if selection.school is not None:
        queryset = queryset.filter(school=selection.school)
    if selection.policy is not None:
        queryset = queryset.filter(policy=selection.policy)
    return queryset.order_by(
        "batch__township__name",
        "policy__order",
        "policy__code",
        "school__name",
        "entitlement__enrollment__grade",
        "entitlement__enrollment__class_name",
        "student__name",
        "pk",
    )


_LEDGER_FIELDS = (
    "school__name",
    "entitlement__enrollment__grade",
    "entitlement__enrollment__class_name",
    "student__name",
    "student__sex",
    "student__id_number",
    "student__household__village__name",
    "policy__name",
    "entitlement__tier",
    "method",
    "account_number",
    "amount",
    "is_live",
    "payment_status",
    "batch__sequence",
    "reversal__id",
    "reversal__reason",
    "bank_result__reason",
)


def ledger_rows(entries: QuerySet[LedgerEntry], *, reveal: bool) -> Iterator[tuple[Any, ...]]:
    """The ledger: one row per entry; voided entries (reversed, failed) show why and carry no amount.

    Plain tuples from one joined query (no model instances): a county's
    100,000 rows stream at the speed of the writer.
    """
    sexes = choice_labels(Sex.choices)
    methods = choice_labels(PaymentMethod.choices)
    # Resolved once: a cash entry reads 待签领/已签领, never the bank's 待回盘.
    statuses = {(m, st): payment_status_label(m, st) for m in PaymentMethod.values for st in PaymentStatus.values}
    yield LEDGER_HEADER
    rows = entries.values_list(*_LEDGER_FIELDS).iterator(chunk_size=CHUNK)
    for n, (
        school, grade, class_name, name, sex, id_number, village, policy, tier, method, account, amount,
        is_live, payment_status, sequence, reversal_id, reversal_reason, bank_reason,
    ) in enumerate(rows, start=1):
        note = f"第{sequence}批"
        if reversal_id is not None:
            note += f"；原 {amount} 元已冲销：{reversal_reason}"
        elif payment_status == PaymentStatus.FAILED:
            note += f"；原 {amount} 元发放失败：{bank_reason or ''}"
        yield (
            n,
            school,
            grade,
            class_name,
            name,
            sexes.get(sex, ""),
            id_number if reveal else mask_id_number(id_number),
            village,
            policy,
            f"{tier}档" if tier else "",
            methods.get(method, ""),
            account if reveal else mask_account(account),
            amount if is_live else None,
            "已冲销" if reversal_id is not None else statuses.get((method, payment_status), ""),
            note,
        )


def ledger_export(
    *, actor: Actor, selection: LedgerFilter, target: str | IO[bytes], log: bool = True
) -> WorkbookResult:
    """导出发放台账: one term's approved entries (per township, school or policy) as a formal workbook."""
    ledger_export_require(actor)
    entries = ledger_queryset(actor, selection)
    result = write_formal_workbook(
        target,
        ledger_rows(entries, reveal=can_reveal_personal_data(actor)),
        title=selection.title(),
        issuer=selection.issuer,
        sheet_name="发放台账",
        money_columns=LEDGER_MONEY,
        count_unit="笔",
    )
    if log:
        totals = {k: str(v) for k, v in result.totals.items()}
        export_log(
            actor,
            selection.title(),
            result,
            {
                "totals": totals,
                "term": selection.term.pk,
                "township": selection.township.pk if selection.township else None,
                "school": selection.school.pk if selection.school else None,
                "policy": selection.policy.code if selection.policy else None,
            },
        )
    return result


class LedgerWorkbook(LedgerWorkbookKind):
    """The export centre's ledger; the job itself is logged by the centre."""

    refuse_empty = True  # a workbook without a payment is no ledger
    identifier = "ledger"
    label = _("发放台账（xlsx）")

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]
    ) -> int:
        term, policy = self.term_and_policy(parameters)
        selection = LedgerFilter.for_actor(
            actor,
            term=term,
            township=scoped_get(Township, actor, parameters.get("township")),
            school=scoped_get(School, actor, parameters.get("school")),
            policy=policy,
        )
        return ledger_export(actor=actor, selection=selection, target=out, log=False).rows
