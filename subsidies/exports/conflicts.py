"""重复资助排查表: the same student aided twice by one policy in a term, as a formal workbook."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aidsite.access import can_reveal_personal_data
from aidsite.lib.excel import WorkbookResult, write_formal_workbook
from aidsite.lib.idcard import mask_id_number
from students.models import Term
from subsidies.exports.shared import LedgerWorkbookKind, export_log, ledger_export_require
from subsidies.models import Policy
from subsidies.selectors import LedgerFilter, conflicts_title, ledger_conflicts

if TYPE_CHECKING:
    from aidsite.access import Actor

CONFLICT_HEADER = (
    "序号", "姓名", "公民身份号码", "资助项目", "学期", "问题", "乡镇", "学校", "批次", "发放金额（元）",
    "状态",
)


def conflict_rows(rows: list[Any], *, reveal: bool) -> Iterator[tuple[Any, ...]]:
    yield CONFLICT_HEADER
    n = 0
    for row in rows:
        for e in row.entries:
            n += 1
            status = "已冲销" if getattr(e, "reversal", None) is not None else e.get_payment_status_display()
            if not e.locked:
                status = "未审核"
            yield (
                n,
                row.student_name,
                row.id_number if reveal else mask_id_number(row.id_number),
                row.policy_name,
                row.term_label,
                "、".join(row.kinds),
                e.batch.township.name,
                e.school.name,
                f"第{e.batch.sequence}批",
                e.amount,
                status,
            )


def conflicts_export(
    *,
    actor: Actor,
    target: str | IO[bytes],
    term: Term | None = None,
    policy: Policy | None = None,
    log: bool = True,
) -> WorkbookResult:
    """导出重复资助排查表."""
    ledger_export_require(actor)
    rows = ledger_conflicts(actor=actor, term=term, policy=policy)
    title = conflicts_title(actor, term, policy)
    issuer = (
        LedgerFilter.for_actor(actor, term=term).issuer
        if term is not None
        else settings.AID_OFFICE_NAME
    )
    result = write_formal_workbook(
        target,
        conflict_rows(rows, reveal=can_reveal_personal_data(actor)),
        title=title,
        issuer=issuer,
        sheet_name="重复资助排查",
        money_columns=("发放金额（元）",),
        count_unit="笔",
    )
    if log:
        export_log(
            actor, title, result, {"term": term.pk if term else None, "policy": policy.code if policy else None}
        )
    return result


class ConflictsWorkbook(LedgerWorkbookKind):
    """The export centre's conflict report; the job itself is logged by the centre."""

    identifier = "ledger_conflicts"
    label = _("重复资助排查表（xlsx）")

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]
    ) -> int:
        term, policy = self.term_and_policy(parameters)
        return conflicts_export(actor=actor, term=term, policy=policy, target=out, log=False).rows
