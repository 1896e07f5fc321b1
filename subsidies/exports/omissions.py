"""不漏一人: the omission report, one formal workbook of four sheets; `manage.py omission_report` writes it.

疑似失学辍学 and 适龄未入园 come from `students.omissions`, 应助未助 from
`subsidies.selectors.omissions`, 名单比对差异 from `students.external_lists`.
Each sheet is one read handed to the shared formal writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aidsite.access import can_reveal_personal_data, log_access, require
from aidsite.export_jobs import ExportKind
from aidsite.lib.excel import FormalSheet, WorkbookResult, write_formal_sheets
from aidsite.lib.idcard import mask_id_number
from aidsite.models import AccessAction
from students import external_lists, omissions
from students.models import Term, Township
from subsidies.selectors.omissions import unaided_students

if TYPE_CHECKING:
    from aidsite.access import Actor

EXPORT_PERMISSION = "subsidies.export_entitlement"

DROPOUT_HEADER = ("序号", "姓名", "身份证号", "乡镇", "村", "户主姓名", "年龄", "应在学段", "跟进状态")  # fmt: skip
KINDERGARTEN_HEADER = ("序号", "姓名", "身份证号", "乡镇", "村", "户主姓名", "年龄")
UNAIDED_HEADER = ("序号", "姓名", "身份证号", "乡镇", "学校", "资助项目", "原因")
DIFFERENCE_HEADER = ("序号", "姓名", "身份证号", "来源", "差异", "登记情况", "外部名单情况")

SHEET_NAMES = ("疑似失学辍学", "适龄未入园", "应助未助", "名单比对差异")


def _id_shown(reveal: bool) -> Callable[[str], str]:
    return (lambda number: number) if reveal else mask_id_number


def dropout_rows(
    rows: Iterable[omissions.SuspectedDropout], *, reveal: bool
) -> Iterator[tuple[Any, ...]]:
    shown = _id_shown(reveal)
    yield DROPOUT_HEADER
    for n, r in enumerate(rows, 1):
        yield (
            n,
            r.name,
            shown(r.id_number),
            r.township,
            r.village,
            r.head_name,
            r.age,
            r.expected_stage,
            r.follow_up,
        )


def kindergarten_rows(
    rows: Iterable[omissions.NotInKindergarten], *, reveal: bool
) -> Iterator[tuple[Any, ...]]:
    shown = _id_shown(reveal)
    yield KINDERGARTEN_HEADER
    for n, r in enumerate(rows, 1):
        yield (n, r.name, shown(r.id_number), r.township, r.village, r.head_name, r.age)


def unaided_rows(rows: Iterable[Any], *, reveal: bool) -> Iterator[tuple[Any, ...]]:
    shown = _id_shown(reveal)
    yield UNAIDED_HEADER
    for n, r in enumerate(rows, 1):
        yield (n, r.name, shown(r.id_number), r.township, r.school, r.policy_name, r.reason)


def difference_rows(
    rows: Iterable[external_lists.ListDifference], *, reveal: bool
) -> Iterator[tuple[Any, ...]]:
    shown = _id_shown(reveal)
    yield DIFFERENCE_HEADER
    for n, r in enumerate(rows, 1):
        yield (n, r.name, shown(r.id_number), r.source, r.difference, r.registry, r.external)


def report_title(term: Term, township: Township | None) -> str:
    place = township.name if township is not None else "全县"
    return f"{place}{term.school_year.name}学年{term.get_season_display()}控辍保学与应助尽助核查表"


def omission_sheets(
    *, actor: Actor, term: Term, township: Township | None, reveal: bool
) -> list[FormalSheet]:
    """The four sheets, each read once (a constant number of queries per sheet)."""
    year = term.school_year
    place = township.name if township is not None else "全县"
    label = f"{place}{year.name}学年{term.get_season_display()}"
    dropouts = omissions.suspected_dropouts(actor=actor, school_year=year, township=township)
    preschool = omissions.not_in_kindergarten(actor=actor, school_year=year, township=township)
    unaided = unaided_students(actor=actor, term=term, township=township)
    differences = external_lists.list_differences(actor=actor, township=township)
    return [
        FormalSheet(
            dropout_rows(dropouts, reveal=reveal),
            title=f"{label}疑似失学辍学学生名单",
            sheet_name=SHEET_NAMES[0],
        ),
        FormalSheet(
            kindergarten_rows(preschool, reveal=reveal),
            title=f"{label}适龄未入园幼儿名单",
            sheet_name=SHEET_NAMES[1],
        ),
        FormalSheet(
            unaided_rows(unaided, reveal=reveal),
            title=f"{label}应助未助学生名单",
            sheet_name=SHEET_NAMES[2],
        ),
        FormalSheet(
            difference_rows(differences, reveal=reveal),
            title=f"{label}部门名单比对差异表",
            sheet_name=SHEET_NAMES[3],
            count_unit="条",
        ),
    ]


def omission_report_export(
    target: str | IO[bytes],
    *,
    actor: Actor,
    term: Term,
    township: Township | None = None,
    via: str = "web",
    log: bool = True,
) -> list[WorkbookResult]:
    """Write the omission workbook for `actor` (rows in scope, IDs masked unless they may see them).

    The command line (a system actor) writes full numbers, as `export_aid` does;
    the export is recorded in the access log unless the export centre logs the job itself.
    """
    require(actor, EXPORT_PERMISSION, denied="没有导出资助名单的权限。")
    reveal = can_reveal_personal_data(actor)
    sheets = omission_sheets(actor=actor, term=term, township=township, reveal=reveal)
    issuer = f"{township.name}教办" if township is not None else settings.AID_OFFICE_NAME
    results = write_formal_sheets(target, sheets, issuer=issuer)
    if log:
        log_access(
            user=actor,
            action=AccessAction.EXPORT,
            what=report_title(term, township),
            row_count=sum(r.rows for r in results),
            detail={
                "via": via,
                "term_id": term.pk,
                "township": township.name if township is not None else None,
                "rows": dict(zip(SHEET_NAMES, (r.rows for r in results), strict=True)),
                "full_id_numbers": reveal,
            },
        )
    return results


class OmissionWorkbook(ExportKind):
    """The export centre's omission report; the job itself is logged by the centre."""

    identifier = "omission_report"
    label = _("控辍保学与应助尽助核查表（xlsx）")
    permission = EXPORT_PERMISSION

    def run(
        self,
        *,
        actor: Actor,
        parameters: dict[str, Any],
        out: IO[bytes],
        progress: Callable[[float], None],
    ) -> int:
        term = Term.objects.select_related("school_year").get(pk=parameters["term"])
        township = (
            Township.objects.filter(pk=parameters.get("township")).first()
            if parameters.get("township")
            else None
        )
        results = omission_report_export(out, actor=actor, term=term, township=township, log=False)
        return sum(r.rows for r in results)
