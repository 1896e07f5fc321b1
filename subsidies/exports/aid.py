"""资助名单: a term's aid list (every status) as a formal workbook, logged; `manage.py export_aid` writes it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.access import can_reveal_personal_data, log_access, require, scope_queryset
from aidsite.export_jobs import ExportKind
from aidsite.lib.excel import WorkbookResult, write_formal_workbook
from aidsite.lib.idcard import mask_id_number
from aidsite.models import AccessAction
from students.models import Term, Township
from students.places import place_or_own
from subsidies.models import Entitlement, Policy

if TYPE_CHECKING:
    from aidsite.access import Actor

ENTITLEMENT_HEADER = (
    "序号",
    "姓名",
    "身份证号",
    "乡镇",
    "学校",
    "学段",
    "年级",
    "班级",
    "项目代码",
    "资助项目",
    "档次",
    "金额（元）",
    "状态",
    "依据",
)


def entitlement_queryset(
    *, term: Term, township: Township | None = None, policy_code: str | None = None
) -> QuerySet[Entitlement]:
    """A term's entitlements, every status, joined for export (one query whatever the count)."""
    queryset = Entitlement.objects.filter(term=term)
    if township is not None:
        queryset = queryset.filter(enrollment__school__township=township)
    if policy_code:
        queryset = queryset.filter(policy__code=policy_code)
    return queryset.select_related(
        "student", "enrollment__school__township", "policy"
    ).order_by("policy__order", "policy__code", "enrollment__school__township__name", "enrollment__school__name", "enrollment__grade", "enrollment__class_name", "student__name", "pk")


def entitlement_rows(queryset: QuerySet[Entitlement], *, reveal: bool) -> Iterator[list[Any]]:
    """The aid list: the header, then one row per entitlement (full ID only when `reveal`)."""
    yield list(ENTITLEMENT_HEADER)
    for number, e in enumerate(queryset.iterator(chunk_size=2000), start=1):
        enrollment = e.enrollment
        yield [
            number,
            e.student.name,
            e.student.id_number if reveal else mask_id_number(e.student.id_number),
            enrollment.school.township.name,
            enrollment.school.name,
            enrollment.get_stage_display(),
            enrollment.grade,
            enrollment.class_name,
            e.policy.code,
            e.policy.name,
            f"{e.tier}档" if e.tier else "",
            e.amount,
            e.get_status_display(),
            e.reason_text,
        ]


def export_title(*, term: Term, township: Township | None, policy_code: str | None) -> str:
    place = township.name if township is not None else "全县"
    name = Policy.objects.filter(school_year_id=term.school_year_id, code=policy_code).values_list(
        "name", flat=True
    )
    item = f"（{name.first() or policy_code}）" if policy_code else ""
    return f"{place}{term.school_year.name}学年{term.get_season_display()}学生资助名单{item}"


def entitlements_export(
    target: Any,
    *,
    term: Term,
    township: Township | None = None,
    policy_code: str | None = None,
    actor: Actor,
    issuer: str = "",
    via: str = "web",
    log: bool = True,
) -> WorkbookResult:
    """Write the term's aid list as a formal workbook and record the export in the access log.

    Rows are limited to the actor's scope and ID numbers are masked unless the
    actor may see them in full; the command line (a system actor) writes full
    numbers, as its contract says. The export centre passes `log=False`: it logs the job itself.
    """
    require(actor, "subsidies.export_entitlement", denied="没有导出资助名单的权限。")
    queryset = scope_queryset(
        actor, entitlement_queryset(term=term, township=township, policy_code=policy_code)
    )
    reveal = can_reveal_personal_data(actor)
    # A township officer's list holds their township: its title and 填报单位 say so.
    township, _school = place_or_own(actor, township)
    title = export_title(term=term, township=township, policy_code=policy_code)
    result = write_formal_workbook(
        target,
        entitlement_rows(queryset, reveal=reveal),
        title=title,
        issuer=issuer or (f"{township.name}教办" if township is not None else "县教育和体育局学生资助管理中心"),
        sheet_name="资助名单",
    )
    if log:
        _export_log(actor, title, result, via=via, term=term, township=township, policy_code=policy_code, reveal=reveal)
    return result


def _export_log(
    actor: Actor, title: str, result: WorkbookResult, *, via: str, term: Term, township: Township | None,
    policy_code: str | None, reveal: bool,
) -> None:
    log_access(
        user=actor,
        action=AccessAction.EXPORT,
        what=title,
        row_count=result.rows,
        detail={
            "via": via,
            "term_id": term.pk,
            "township": township.name if township is not None else None,
            "policy": policy_code,
            "full_id_numbers": reveal,
        },
    )


class AidListWorkbook(ExportKind):
    """资助名单 in the export centre: the same workbook as `manage.py export_aid`, in the user's scope."""

    identifier = "aid_list"
    label = _("资助名单（xlsx）")
    permission = "subsidies.export_entitlement"

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]
    ) -> int:
        term = Term.objects.select_related("school_year").get(pk=parameters["term"])
        township_pk = parameters.get("township")
        township = scope_queryset(actor, Township.objects.all()).get(pk=township_pk) if township_pk else None
        result = entitlements_export(
            out, term=term, township=township, policy_code=parameters.get("policy") or None,
            actor=actor, via="export_centre", log=False,
        )
        return result.rows
