"""资金指标执行情况表: the funds report as a formal workbook, one sheet per township and one per school.

The formal writer totals every money column, so each sheet holds one level only
(townships, or schools) and its totals stay true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from aidsite.lib.excel import FormalSheet, WorkbookResult, write_formal_sheets
from students.models import Township
from students.places import place_or_own
from subsidies.exports.shared import (
    LedgerWorkbookKind,
    export_log,
    ledger_export_require,
    scoped_get,
)
from subsidies.selectors.funds import (
    Figures,
    FundsReport,
    funds_report,
    funds_report_issuer,
    funds_report_title,
)

if TYPE_CHECKING:
    from aidsite.access import Actor
    from students.models import Term
    from subsidies.models import Policy

MONEY = (
    "下达指标（元）",
    "结转转出（元）",
    "已承诺待发放（元）",
    "已发放（元）",
    "其中已确认到账（元）",
    "已冲销（元）",
)
TOWNSHIP_HEADER = ("序号", "资助项目", "乡镇", "其中专项到校（元）", *MONEY, "结余（元）")
SCHOOL_HEADER = ("序号", "资助项目", "乡镇", "学校", *MONEY, "结余（元）")


def _money(f: Figures) -> tuple[Any, ...]:
    return (f.allotted, f.carried_out, f.committed, f.paid, f.confirmed, f.reversed)


def township_rows(report: FundsReport) -> Iterator[tuple[Any, ...]]:
    yield TOWNSHIP_HEADER
    n = 0
    for p in report.policies:
        for t in p.townships:
            n += 1
            f = t.figures
            remaining = f.remaining if f.has_allotment or report.has_allotments else None
            yield (
                n,
                p.policy.name,
                t.township.name,
                f.allotted - t.own_allotted,
                *_money(f),
                remaining,
            )


def school_rows(report: FundsReport) -> Iterator[tuple[Any, ...]]:
    """The schools; one with no earmarked allotment is covered by its township (no remaining of its own)."""
    yield SCHOOL_HEADER
    n = 0
    for p in report.policies:
        for t in p.townships:
            for s in t.schools:
                n += 1
                f = s.figures
                remaining = f.remaining if f.has_allotment else None
                yield (n, p.policy.name, t.township.name, s.school.name, *_money(f), remaining)


def funds_report_export(
    *,
    actor: Actor,
    term: Term,
    target: str | IO[bytes],
    township: Township | None = None,
    policy: Policy | None = None,
    log: bool = True,
) -> WorkbookResult:
    """导出资金指标执行情况表 for the term (a township and a policy, or all the actor sees)."""
    ledger_export_require(actor)
    township, _school = place_or_own(actor, township)
    title = funds_report_title(term=term, township=township, policy=policy)
    report = funds_report(actor=actor, term=term, township=township, policy=policy)
    money = (*MONEY, "其中专项到校（元）", "结余（元）")
    by_township, _by_school = write_formal_sheets(
        target,
        [
            FormalSheet(
                township_rows(report),
                title=title,
                sheet_name="按乡镇",
                money_columns=money,
                count_unit="行",
                words_column=MONEY[0],
            ),
            FormalSheet(
                school_rows(report),
                title=title,
                sheet_name="按学校",
                money_columns=money,
                count_unit="所",
                words_column=MONEY[0],
            ),
        ],
        issuer=funds_report_issuer(township),
    )
    if log:
        export_log(
            actor,
            title,
            by_township,
            {"term": term.pk, "township": township.pk if township else None},
        )
    return by_township


class FundsReportWorkbook(LedgerWorkbookKind):
    """The export centre's funds report; the job itself is logged by the centre."""

    identifier = "funds_report"
    label = _("资金指标执行情况表（xlsx）")

    def run(
        self,
        *,
        actor: Actor,
        parameters: dict[str, Any],
        out: IO[bytes],
        progress: Callable[[float], None],
    ) -> int:
        term, policy = self.term_and_policy(parameters)
        township = scoped_get(Township, actor, parameters.get("township"))
        return funds_report_export(
            actor=actor, term=term, policy=policy, township=township, target=out, log=False
        ).rows
