"""资金到村到户台账: a school year's aid per household, grouped by village, as a formal workbook.

发放金额 is everything paid to the household; 政府资助 and 社会资助 (money from
donors paid to paired students) split it, each with its own total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.lib.excel import WorkbookResult, write_formal_workbook
from students.models import SchoolYear, Township
from students.places import place_or_own
from subsidies.exports.shared import (
    CHUNK,
    LedgerWorkbookKind,
    export_log,
    ledger_export_require,
    scoped_get,
)
from subsidies.selectors import funds_by_household, funds_title

if TYPE_CHECKING:
    from aidsite.access import Actor

FUNDS_HEADER = (
    "序号", "乡镇", "村（社区）", "省定贫困村", "户主", "受助学生（人）", "发放笔数", "已确认到账（元）",
    "发放金额（元）", "政府资助（元）", "社会资助（元）",
)


def funds_rows(households: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    yield FUNDS_HEADER
    for n, h in enumerate(households.iterator(chunk_size=CHUNK), start=1):
        village = h.village
        yield (
            n,
            village.township.name,
            village.name,
            "是" if village.is_poor_village else "否",
            h.head_name,
            h.student_count,
            h.entry_count,
            h.paid_amount,
            h.total_amount,
            h.government_amount,
            h.donation_amount,
        )


def funds_export(
    *,
    actor: Actor,
    school_year: SchoolYear,
    target: str | IO[bytes],
    township: Township | None = None,
    log: bool = True,
) -> WorkbookResult:
    """导出资金到村到户台账: per household (grouped by village) for a school year."""
    ledger_export_require(actor)
    township, _school = place_or_own(actor, township)
    title = funds_title(township, school_year)
    households = funds_by_household(actor=actor, school_year=school_year, township=township)
    result = write_formal_workbook(
        target,
        funds_rows(households),
        title=title,
        issuer=township.office_name if township is not None else settings.AID_OFFICE_NAME,
        sheet_name="资金到村到户",
        money_columns=("已确认到账（元）", "发放金额（元）", "政府资助（元）", "社会资助（元）"),
        count_unit="户",
    )
    if log:
        export_log(
            actor, title, result, {"school_year": school_year.pk, "township": township.pk if township else None}
        )
    return result


class FundsWorkbook(LedgerWorkbookKind):
    """The export centre's funds ledger; the job itself is logged by the centre."""

    refuse_empty = True  # a workbook without a payment is no ledger
    identifier = "ledger_funds"
    label = _("资金到村到户台账（xlsx）")

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]
    ) -> int:
        year = SchoolYear.objects.get(pk=parameters["school_year"])
        township = scoped_get(Township, actor, parameters.get("township"))
        return funds_export(actor=actor, school_year=year, township=township, target=out, log=False).rows
