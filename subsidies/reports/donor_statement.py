"""资助方捐赠明细: what a donor gave, to whom and when, with an optional thank-you letter.

The statement leaves the office, so students appear as on a 公示 and less:
the name masked (王*明), the school, grade and class and the amount; never an
ID number, address, account or hardship category (SECURITY D3).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.access import get_for_user, require
from aidsite.export_jobs import ExportError, ExportKind
from aidsite.lib.pdf import render_pdf
from students.models import Enrollment, SchoolYear
from subsidies.models import BatchStatus, Donor, LedgerEntry
from subsidies.reports.shared import cn_date, grade_class, local_now

if TYPE_CHECKING:
    from aidsite.access import Actor

ZERO = Decimal("0.00")


def mask_person_name(name: str) -> str:
    """王*明 for 王小明, 王* for 王明: the surname and, for three or more characters, the last."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def donor_given(*, donor: Donor, school_year: SchoolYear | None = None) -> QuerySet[LedgerEntry]:
    """What a donor gave: live received entries of approved 社会资助 batches, oldest first."""
    entries = LedgerEntry.objects.filter(
        donor=donor, is_live=True, batch__status=BatchStatus.APPROVED
    )
    if school_year is not None:
        entries = entries.filter(term__school_year=school_year)
    return entries.select_related("term__school_year", "student", "school", "batch").order_by(
        "term__start_date", "student__name", "pk"
    )


def donor_statement_context(
    *, donor: Donor, actor: Actor, school_year: SchoolYear | None = None, letter: str = ""
) -> dict[str, Any]:
    require(
        actor,
        "subsidies.export_donor",
        township=donor.township,
        denied="没有打印资助方明细的权限。",
        out_of_scope="只能打印本乡镇资助方的明细。",
    )
    entries = list(donor_given(donor=donor, school_year=school_year))
    classes = {
        (e.student_id, e.school_year_id): grade_class(e.grade, e.class_name)
        for e in Enrollment.objects.filter(student__in={x.student_id for x in entries}).order_by(
            "pk"
        )
    }
    rows = [
        {
            "number": n,
            "term": str(e.term),
            "name": mask_person_name(e.student.name),
            "school": e.school.name,
            "grade": classes.get((e.student_id, e.term.school_year_id), ""),
            "amount": e.amount,
            "date": cn_date(e.batch.approved_at.date()) if e.batch.approved_at else "",
        }
        for n, e in enumerate(entries, 1)
    ]
    period = f"{school_year.name}学年" if school_year is not None else ""
    return {
        "title": f"{donor.name}{period}捐赠明细",
        "donor": donor.name,
        "donor_kind": donor.get_kind_display(),
        "rows": rows,
        "count": len({e.student_id for e in entries}),
        "total": sum((e.amount for e in entries), ZERO),
        "letter": letter.strip(),
        "unit": donor.township.office_name,
        "printed_at": local_now(),
        "today": cn_date(local_now().date()),
    }


def donor_statement_title(donor: Donor, school_year: SchoolYear | None) -> str:
    period = f"{school_year.name}学年" if school_year is not None else ""
    return f"{donor.name}{period}捐赠明细（PDF）"


class DonorStatementReport(ExportKind):
    """The export centre's donor statement (PDF); the centre logs the job."""

    identifier = "report_donor_statement"
    label = _("资助方捐赠明细（PDF）")
    permission = "subsidies.export_donor"
    suffix = "pdf"
    refuse_empty = True

    def run(
        self,
        *,
        actor: Actor,
        parameters: dict[str, Any],
        out: IO[bytes],
        progress: Callable[[float], None],
    ) -> int:
        donor = get_for_user(
            actor, Donor.objects.select_related("township"), pk=parameters["donor"]
        )
        year = SchoolYear.objects.filter(pk=parameters.get("school_year")).first()
        context = donor_statement_context(
            donor=donor, actor=actor, school_year=year, letter=parameters.get("letter") or ""
        )
        if not context["rows"]:
            raise ExportError("该资助方在所选学年没有已入账的捐款。")
        out.write(render_pdf("reports/donor_statement.html", context))
        progress(100)
        return len(context["rows"])


__all__ = [
    "DonorStatementReport",
    "donor_given",
    "donor_statement_context",
    "donor_statement_title",
    "mask_person_name",
]
