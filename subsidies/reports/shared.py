"""What the printed reports share: the selection, its access check, the report class, ordering helpers.

Each report builds plain, picklable dicts (one per document), so that a big
print run can be split into volumes rendered in separate processes
(`aidsite.lib.pdf.render_pdf_volumes`). Rows are read through
`aidsite.access.scope_queryset`, so a township officer never prints another
township's names; asking for one is refused (PermissionDenied).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aidsite.access import require, scope_queryset
from aidsite.export_jobs import EXPORT_KINDS, ExportError, ExportKind
from aidsite.lib.pdf import render_pdf_volumes
from students.models import School, Term, Township
from students.places import own_place, place_or_own
from subsidies.models import Policy

if TYPE_CHECKING:
    from django import forms

    from aidsite.access import Actor

ZERO = Decimal("0.00")
SIGNERS = ["制表人", "审核人", "负责人"]
# Below this many rows a print run is rendered in this process, one document after
# another; above it in separate processes (memory).
IN_PROCESS_ROWS = 2000

NO_PRINT = "没有打印报表的权限。"
OWN_TOWNSHIP = "只能打印本乡镇的报表。"
OWN_SCHOOL = "只能打印本校的报表。"


@dataclass(frozen=True)
class Selection:
    """What to print: a term, and optionally one township, one school, one policy."""

    term: Term
    township: Township | None = None
    school: School | None = None
    policy_code: str | None = None


def selection_require(actor: Actor, selection: Selection) -> None:
    """Refuse a township or school outside the actor's scope; without either, rows are scoped instead."""
    if selection.township is None and selection.school is None:
        return
    scope = require(actor, denied=NO_PRINT)
    out_of_scope = OWN_SCHOOL if scope.school_id is not None else OWN_TOWNSHIP
    if selection.township is not None:
        require(actor, township=selection.township, out_of_scope=out_of_scope)
    if selection.school is not None:
        require(actor, school=selection.school, out_of_scope=out_of_scope)


GRADE_ORDER = (
    "托班", "小班", "中班", "大班",
    "一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级",
    "初一", "初二", "初三", "高一", "高二", "高三",
)


def grade_rank(grade: str) -> int:
    """Where a grade comes in school order (一年级 before 二年级); text order would not do."""
    return next((i for i, label in enumerate(GRADE_ORDER) if grade.startswith(label)), len(GRADE_ORDER))


def grade_class(grade: str, class_name: str) -> str:
    return f"{grade}{class_name}" if grade or class_name else ""


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def local_now() -> dt.datetime:
    return timezone.localtime(timezone.now())


@dataclass(frozen=True)
class RenderResult:
    documents: int
    rows: int
    pages: int


class PrintedReport(ExportKind):
    """A printed report of a term's aid: the export centre's PDF kind, and `render_report`'s.

    A subclass names its template and builds one context per document in
    `contexts`; the parameters are the ledger export's (term, policy, township,
    school), its form handed in at registration.
    """

    name: ClassVar[str]  # the command's argument: notice, signsheet, …
    document: ClassVar[str]  # the document's Chinese name, in titles and the access log
    template: ClassVar[str]
    suffix = "pdf"
    permission = "subsidies.export_entitlement"

    def contexts(self, *, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
        """The documents of one print run, each a context for `template`."""
        raise NotImplementedError

    def row_count(self, context: dict[str, Any]) -> int:
        return len(context["rows"])

    def render(
        self,
        *,
        selection: Selection,
        out: IO[bytes],
        actor: Actor,
        progress: Callable[[int, int], None] | None = None,
    ) -> RenderResult:
        """Write the PDF into `out`. Nothing to print: ValueError; out of scope: PermissionDenied."""
        contexts = self.contexts(selection=selection, actor=actor)
        if not contexts:
            raise ValueError("所选范围内没有可打印的内容。")
        rows = sum(self.row_count(c) for c in contexts)
        pages = render_pdf_volumes(
            self.template, contexts, out=out, progress=progress, in_process=rows <= IN_PROCESS_ROWS
        )
        return RenderResult(documents=len(contexts), rows=rows, pages=pages)

    def title(self, form: forms.Form | None) -> str:
        if form is None:
            return super().title(form)
        data = form.cleaned_data
        township, school = place_or_own(
            getattr(form, "user", None), data.get("township"), data.get("school")
        )
        place = school or township or "全县"
        policy = f" {data['policy'].name}" if data.get("policy") else ""
        return f"{self.document} {place} {data['term']}{policy}（PDF）"

    def run(
        self, *, actor: Actor, parameters: dict[str, Any], out: IO[bytes], progress: Callable[[float], None]
    ) -> int:
        selection = _job_selection(actor, parameters)
        try:
            result = self.render(
                selection=selection, out=out, actor=actor, progress=lambda done, total: progress(done * 100 / total)
            )
        except (ValueError, PermissionDenied) as exc:
            raise ExportError(str(exc)) from exc
        return result.rows


def _job_selection(actor: Actor, parameters: dict[str, Any]) -> Selection:
    term = Term.objects.select_related("school_year").get(pk=parameters["term"])
    township = school = None
    if parameters.get("township"):
        township = scope_queryset(actor, Township.objects.filter(pk=parameters["township"])).first()
    if parameters.get("school"):
        school = scope_queryset(actor, School.objects.filter(pk=parameters["school"])).select_related("township").first()
    if (parameters.get("township") and township is None) or (parameters.get("school") and school is None):
        raise ExportError("所选乡镇或学校不在您的权限范围内。")
    if township is None and school is None:
        # The actor's own place, so that the PDF names it; a director's is their school alone.
        township, school = own_place(actor)
        township = None if school is not None else township
    code = None
    if parameters.get("policy"):
        code = Policy.objects.filter(pk=parameters["policy"]).values_list("code", flat=True).first()
    return Selection(term=term, township=township, school=school, policy_code=code)


def printed_reports() -> dict[str, PrintedReport]:
    """The registered printed reports by name, in registration order."""
    return {kind.name: kind for kind in EXPORT_KINDS.values() if isinstance(kind, PrintedReport)}


def report_render(
    name: str,
    *,
    selection: Selection,
    out: IO[bytes],
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
) -> RenderResult:
    """Write the registered report `name` (notice, signsheet, …) into `out`."""
    return printed_reports()[name].render(selection=selection, out=out, actor=actor, progress=progress)
