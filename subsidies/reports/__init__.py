"""The printed reports of issue 5: one context builder per report, and the one way to render them.

Every builder takes the user it renders for (None: the system itself, i.e. the
county's command line) and returns plain, picklable dicts, so that a big print
run can be split into volumes rendered in separate processes
(`aidsite.lib.pdf.render_pdf_volumes`). Rows are read through
`aidsite.access.scope_queryset`, so a township officer never prints another
township's names; asking for one is refused (PermissionDenied).

Reports:
* notice    公示名单 per school and policy — only name, school, grade/class, item,
            tier and amount (SECURITY D3); never ID, phone, address, birth date,
            bank account or the hardship category.
* signsheet 发放签领表 per batch, split per school and per 1,000 rows.
* summary   资助统计表 per township and term (the issue-3 term summary).
* cards     明白卡 per household, one card a page, grouped per school.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.idcard import mask_account
from aidsite.lib.pdf import ROWS_PER_VOLUME, html_to_pdf, render_pdf_volumes, split_into_volumes
from students.models import EnrollmentStatus, School, Stage, Term, Township
from subsidies.forms.ledgers import LedgerExportForm
from subsidies.models import (
    AWARDED_STATUSES,
    DisbursementBatch,
    Entitlement,
    LedgerEntry,
    Policy,
    PolicyLevel,
    PublicNotice,
)
from subsidies.selectors import notice_entitlements, term_summary
from subsidies.services.notices import (
    DEFAULT_PERIOD_DAYS,
    default_objection_contact,
    notice_end_date,
)

ZERO = Decimal("0.00")
REPORT_KINDS = ("notice", "signsheet", "summary", "cards")
REPORT_TITLES = {
    "notice": "资助公示名单",
    "signsheet": "发放签领表",
    "summary": "资助统计表",
    "cards": "资助政策明白卡",
}
TEMPLATES = {
    "notice": "reports/notice.html",
    "signsheet": "reports/signsheet.html",
    "summary": "reports/summary.html",
    "cards": "reports/policy_card.html",
}
# The notice shows the entitlements under review and those approved (or paid since).
NOTICE_STATUSES = AWARDED_STATUSES
SIGNERS = ["制表人", "审核人", "负责人"]
# Below this many rows a print run is rendered in this process, one document after
# another; above it in separate processes (memory, issue 5).
IN_PROCESS_ROWS = 2000


@dataclass(frozen=True)
class Selection:
    """What to print: a term, and optionally one township, one school, one policy."""

    term: Term
    township: Township | None = None
    school: School | None = None
    policy_code: str | None = None


def _check_township(user: Any, township_id: int | None) -> None:
    """A township officer or director asking for another township's paper is refused."""
    if user is None:
        return
    scope = user_scope(user)
    if scope.everything:
        return
    if scope.role is None:
        raise PermissionDenied("没有打印报表的权限。")
    if township_id is not None and scope.township_id is not None and scope.township_id != township_id:
        raise PermissionDenied("只能打印本乡镇的报表。")
    if (
        township_id is not None
        and scope.school_id is not None
        and not School.objects.filter(pk=scope.school_id, township_id=township_id).exists()
    ):
        raise PermissionDenied("只能打印本校的报表。")


def _check_selection(user: Any, selection: Selection) -> None:
    if selection.township is not None:
        _check_township(user, selection.township.pk)
    if selection.school is not None:
        _check_township(user, selection.school.township_id)
        scope = user_scope(user) if user is not None else None
        if scope is not None and scope.school_id is not None and scope.school_id != selection.school.pk:
            raise PermissionDenied("只能打印本校的报表。")


def _scoped(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if user is None else scope_queryset(user, queryset)


GRADE_ORDER = (
    "托班", "小班", "中班", "大班",
    "一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "七年级", "八年级", "九年级",
    "初一", "初二", "初三", "高一", "高二", "高三",
)


def grade_rank(grade: str) -> int:
    """Where a grade comes in school order (一年级 before 二年级); text order would not do."""
    return next((i for i, label in enumerate(GRADE_ORDER) if grade.startswith(label)), len(GRADE_ORDER))


def _grade_class(grade: str, class_name: str) -> str:
    return f"{grade}{class_name}" if grade or class_name else ""


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _now() -> dt.datetime:
    return timezone.localtime(timezone.now())


# ---------------------------------------------------------------------------
# 1. 公示名单


def notice_rows(entitlements: QuerySet[Entitlement]) -> list[dict[str, Any]]:
    """The public columns only: whatever else the models hold never reaches the template."""
    values = entitlements.order_by("enrollment__class_name", "student__name", "pk").values_list(
        "student__name",
        "enrollment__school__name",
        "enrollment__grade",
        "enrollment__class_name",
        "policy__name",
        "tier",
        "amount",
    )
    ordered = sorted(values, key=lambda v: (v[1], grade_rank(v[2]), v[2]))  # stable: class, name kept
    rows = []
    for number, (name, school, grade, class_name, item, tier, amount) in enumerate(ordered, 1):
        rows.append(
            {
                "number": number,
                "name": name,
                "school": school,
                "grade": _grade_class(grade, class_name),
                "item": item,
                "tier": f"{tier}档" if tier else "—",
                "amount": amount,
            }
        )
    return rows


def notice_context(
    *,
    term: Term,
    school: School,
    policy: Policy,
    user: Any = None,
    start_date: dt.date | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
    objection_contact: str = "",
    issuing_unit: str = "",
    issue_date: dt.date | None = None,
) -> dict[str, Any]:
    """公示名单 of one school and policy for the term."""
    _check_selection(user, Selection(term=term, school=school))
    entitlements = _scoped(user, notice_entitlements(term=term, school_id=school.pk, policy_id=policy.pk))
    rows = notice_rows(entitlements)
    today = _now().date()
    start = start_date or today
    return {
        "title": f"{school.name}{term}{policy.name}公示名单",
        "school_name": school.name,
        "policy_name": policy.name,
        "term_label": str(term),
        "rows": rows,
        "count": len(rows),
        "total": sum((row["amount"] for row in rows), ZERO),
        "start_date": _cn_date(start),
        "end_date": _cn_date(notice_end_date(start, period_days)),
        "period_days": period_days,
        "objection_contact": objection_contact or default_objection_contact(),
        "issuing_unit": issuing_unit or f"{school.township.name}教育办公室",
        "unit": issuing_unit or f"{school.township.name}教育办公室",
        "issue_date": _cn_date(issue_date or start),
        "signers": [],
    }


def notice_context_for(notice: PublicNotice) -> dict[str, Any]:
    """The notice a published PublicNotice shows (paper and public page alike)."""
    return notice_context(
        term=notice.term,
        school=notice.school,
        policy=notice.policy,
        start_date=notice.start_date,
        period_days=notice.period_days,
        objection_contact=notice.objection_contact,
        issuing_unit=notice.issuing_unit,
        issue_date=notice.start_date,
    )


def notice_contexts(*, selection: Selection, user: Any = None) -> list[dict[str, Any]]:
    """One notice per school and policy of the selection that has anyone to show."""
    _check_selection(user, selection)
    queryset = Entitlement.objects.filter(term=selection.term, status__in=NOTICE_STATUSES, amount__gt=0)
    queryset = _filter_selection(queryset, selection, school_path="enrollment__school")
    pairs = (
        _scoped(user, queryset)
        .values_list("enrollment__school_id", "policy_id")
        .distinct()
        .order_by("enrollment__school__name", "policy__order", "policy_id")
    )
    pairs = list(dict.fromkeys(pairs))
    schools = School.objects.select_related("township").in_bulk({s for s, _ in pairs})
    policies = Policy.objects.in_bulk({p for _, p in pairs})
    # A published notice (PublicNotice) fixes the dates, contact and issuer; otherwise it starts today.
    published = {
        (n.school_id, n.policy_id): n
        for n in PublicNotice.objects.filter(
            term=selection.term, school_id__in=schools, policy_id__in=policies, withdrawn_at__isnull=True
        ).order_by("start_date", "pk")
    }
    contexts = []
    for s, p in pairs:
        notice = published.get((s, p))
        extra: dict[str, Any] = {}
        if notice is not None:
            extra = {
                "start_date": notice.start_date,
                "period_days": notice.period_days,
                "objection_contact": notice.objection_contact,
                "issuing_unit": notice.issuing_unit,
            }
        contexts.append(
            notice_context(term=selection.term, school=schools[s], policy=policies[p], user=user, **extra)
        )
    return contexts


def _filter_selection(queryset: QuerySet[Any], selection: Selection, *, school_path: str) -> QuerySet[Any]:
    if selection.township is not None:
        queryset = queryset.filter(**{f"{school_path}__township": selection.township})
    if selection.school is not None:
        queryset = queryset.filter(**{school_path: selection.school})
    if selection.policy_code:
        queryset = queryset.filter(policy__code=selection.policy_code)
    return queryset


# ---------------------------------------------------------------------------
# 2. 发放签领表


def _signsheet_row(values: tuple[Any, ...]) -> dict[str, Any]:
    school, name, guardian, grade, class_name, item, amount, method, account = values
    return {
        "school": school,
        "name": name,
        "guardian": guardian,
        "grade": _grade_class(grade, class_name),
        "item": item,
        "amount": amount,
        "account": mask_account(account) if account else ("抵扣费用" if method == "fee_offset" else "现金"),
    }


def _entries_queryset(batch_ids: list[int], *, user: Any) -> QuerySet[LedgerEntry]:
    return _scoped(user, LedgerEntry.objects.filter(batch_id__in=batch_ids)).order_by(
        "batch__policy__order",
        "batch_id",
        "school__name",
        "entitlement__enrollment__grade",
        "entitlement__enrollment__class_name",
        "student__name",
        "pk",
    )


def signsheet_contexts(
    *, selection: Selection, user: Any = None, volume_size: int = ROWS_PER_VOLUME
) -> list[dict[str, Any]]:
    """Every batch of the selection, one after another; each batch split per school and per volume_size rows.

    Each volume is a sheet of its own (own page numbers, own total and
    signatures): it is what a school gets, signs and files.
    """
    _check_selection(user, selection)
    batches = DisbursementBatch.objects.filter(term=selection.term).select_related("township", "policy", "term")
    if selection.township is not None:
        batches = batches.filter(township=selection.township)
    if selection.policy_code:
        batches = batches.filter(policy__code=selection.policy_code)
    if selection.school is not None:
        batches = batches.filter(entries__school=selection.school).distinct()
    batches_by_id = {b.pk: b for b in _scoped(user, batches)}
    entries = _entries_queryset(list(batches_by_id), user=user)
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
        "title": f"{batch.term}{batch.policy.name}发放签领表",
        "landscape": True,
        "unit": f"{batch.township.name}教育办公室",
        "school_name": school,
        "batch_label": f"{batch.township.name} 第{batch.sequence}批（{status}）",
        "rows": rows,
        "count": len(rows),
        "total": sum((row["amount"] for row in rows), ZERO),
        "signers": SIGNERS,
        "printed_at": _now(),
    }


# ---------------------------------------------------------------------------
# 3. 资助统计表


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def summary_context(*, term: Term, township: Township | None, user: Any = None) -> dict[str, Any]:
    """Per stage (education level), policy and school: students, amount, coverage, average, floors."""
    if township is None and user is not None:
        scope = user_scope(user)
        if scope.township_id is not None:
            township = Township.objects.get(pk=scope.township_id)
        elif not scope.everything:
            raise PermissionDenied("只能打印本乡镇的报表。")
    _check_selection(user, Selection(term=term, township=township))
    rows = term_summary(term=term, township=township)
    policies = {
        p.code: p for p in Policy.objects.filter(school_year_id=term.school_year_id, code__in={r.policy_code for r in rows})
    }
    levels = dict(PolicyLevel.choices)
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        policy = policies[row.policy_code]
        level = groups.setdefault(
            policy.level,
            {"label": str(levels.get(policy.level, policy.level)), "policies": {}, "awarded": 0, "total": ZERO},
        )
        block = level["policies"].setdefault(
            policy.code,
            {
                "name": policy.name,
                "code": policy.code,
                "standard_coverage": _ratio(policy.quota_ratio or policy.floor_ratio or 0, 1)
                if (policy.quota_ratio or policy.floor_ratio)
                else None,
                "coverage_kind": "资助面" if policy.quota_ratio else ("不低于" if policy.floor_ratio else ""),
                "average_standard": policy.average_standard or policy.annual_amount,
                "schools": [],
                "enrolled": 0,
                "awarded": 0,
                "total": ZERO,
                "floors_missed": 0,
            },
        )
        block["schools"].append(
            {
                "school": row.school_name,
                "enrolled": row.enrolled,
                "awarded": row.awarded,
                "coverage": _ratio(row.awarded, row.enrolled),
                "total": row.total_amount,
                "average": row.actual_average,
                "below_floor": row.below_floor,
                "floor_required": row.floor_required.quantize(Decimal("0.1")) if row.floor_required is not None else None,
                "floor_counted": row.floor_counted,
            }
        )
        block["enrolled"] += row.enrolled
        block["awarded"] += row.awarded
        block["total"] += row.total_amount
        block["floors_missed"] += int(row.below_floor)
        level["awarded"] += row.awarded
        level["total"] += row.total_amount
    order = list(PolicyLevel.values)
    stages = []
    for code in sorted(groups, key=lambda c: order.index(c) if c in order else len(order)):
        level = groups[code]
        level_policies = list(level["policies"].values())
        for block in level_policies:
            block["coverage"] = _ratio(block["awarded"], block["enrolled"])
            block["average"] = (block["total"] * 2 / block["awarded"]).quantize(ZERO) if block["awarded"] else None
        stages.append({**level, "policies": level_policies})
    total = sum((s["total"] for s in stages), ZERO)
    place = township.name if township else "全县"
    return {
        "title": f"{place}{term}学生资助统计表",
        "landscape": True,
        "place": place,
        "term_label": str(term),
        "stages": stages,
        "awarded": sum(s["awarded"] for s in stages),
        "total": total,
        "floors_missed": sum(b["floors_missed"] for s in stages for b in s["policies"]),
        "unit": f"{township.name}教育办公室" if township else settings.AID_OFFICE_NAME,
        "signers": SIGNERS,
        "printed_at": _now(),
    }


# ---------------------------------------------------------------------------
# 4. 明白卡


def _plain_wording(policy: Policy) -> str:
    """The policy in a sentence a parent reads: its own description, else its standard."""
    if policy.description:
        return policy.description
    if policy.annual_amount:
        return f"{policy.name}：符合条件的学生每人每年{policy.annual_amount.normalize():f}元，按学期发放。"
    return f"{policy.name}：按规定标准资助，按学期发放。"


def cards_contexts(*, selection: Selection, user: Any = None) -> list[dict[str, Any]]:
    """One context per school: a card for each household with a child studying there this year."""
    _check_selection(user, selection)
    term = selection.term
    from students.models import Enrollment  # the registry is below subsidies; a local name only

    enrollments = Enrollment.objects.filter(school_year_id=term.school_year_id, status=EnrollmentStatus.STUDYING)
    if selection.township is not None:
        enrollments = enrollments.filter(school__township=selection.township)
    if selection.school is not None:
        enrollments = enrollments.filter(school=selection.school)
    enrollments = _scoped(user, enrollments)
    # Households that get anything this year: a card explains aid, it is not a roster.
    awarded = Entitlement.objects.filter(term__school_year_id=term.school_year_id, status__in=AWARDED_STATUSES, amount__gt=0)
    if selection.policy_code:
        awarded = awarded.filter(policy__code=selection.policy_code)
    awarded = _scoped(user, awarded)
    households_here = (
        enrollments.filter(student__entitlements__in=awarded)
        .values_list("school_id", "school__name", "school__township__name", "student__household_id")
        .distinct()
        .order_by("school__name", "student__household_id")
    )
    by_school: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for school_id, school_name, township_name, household_id in households_here:
        if household_id not in by_school[(school_id, school_name, township_name)]:
            by_school[(school_id, school_name, township_name)].append(household_id)
    household_ids = {h for ids in by_school.values() for h in ids}
    children: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    child_rows = (
        awarded.filter(student__household_id__in=household_ids)
        .values_list(
            "student__household_id",
            "student__household__head_name",
            "student_id",
            "student__name",
            "enrollment__school__name",
            "enrollment__stage",
            "enrollment__grade",
            "enrollment__class_name",
            "policy_id",
            "policy__name",
            "term__season",
            "amount",
        )
        .order_by("student__name", "policy__order", "term__season")
    )
    policies: dict[int, Policy] = {}
    policy_ids_seen: set[int] = set()
    stages = dict(Stage.choices)
    heads: dict[int, str] = {}
    for household_id, head, student_id, name, school, stage, grade, class_name, policy_id, policy_name, season, amount in child_rows:
        heads[household_id] = head
        child = children[household_id].setdefault(
            student_id,
            {"name": name, "school": school, "stage": str(stages.get(stage, stage)), "grade": _grade_class(grade, class_name), "items": {}},
        )
        item = child["items"].setdefault(policy_id, {"name": policy_name, "autumn": None, "spring": None, "total": ZERO})
        item[season] = amount
        item["total"] += amount
        policy_ids_seen.add(policy_id)
    policies.update(Policy.objects.in_bulk(policy_ids_seen))
    year = term.school_year.name
    contexts = []
    for (_school_id, school_name, township_name), ids in by_school.items():
        cards = []
        for household_id in ids:
            found = list(children[household_id].values())
            policy_ids = list(dict.fromkeys(pid for kid in found for pid in kid["items"]))
            used = [{"name": policies[pid].name, "wording": _plain_wording(policies[pid])} for pid in policy_ids]
            # Copies: a household with children at two schools gets a card in each run.
            kids = [
                {
                    **kid,
                    "items": list(kid["items"].values()),
                    "total": sum((i["total"] for i in kid["items"].values()), ZERO),
                }
                for kid in found
            ]
            cards.append(
                {
                    "head": heads[household_id],
                    "children": kids,
                    "total": sum((k["total"] for k in kids), ZERO),
                    "policies": used,
                }
            )
        contexts.append(
            {
                "title": f"{year}学年学生资助政策明白卡",
                "school_name": school_name,
                "year": year,
                "cards": cards,
                "office": f"{township_name}教育办公室",
                "office_name": settings.AID_OFFICE_NAME,
                "office_phone": settings.AID_OFFICE_PHONE,
                "unit": school_name,
            }
        )
    return contexts


# ---------------------------------------------------------------------------
# Rendering


def report_contexts(kind: str, *, selection: Selection, user: Any = None) -> list[dict[str, Any]]:
    """The documents of one print run, each a context for TEMPLATES[kind]."""
    if kind == "notice":
        return notice_contexts(selection=selection, user=user)
    if kind == "signsheet":
        return signsheet_contexts(selection=selection, user=user)
    if kind == "summary":
        return [summary_context(term=selection.term, township=selection.township, user=user)]
    if kind == "cards":
        return cards_contexts(selection=selection, user=user)
    raise ValueError(f"unknown report: {kind}")


def _row_count(context: dict[str, Any]) -> int:
    if "rows" in context:
        return len(context["rows"])
    if "cards" in context:
        return len(context["cards"])
    return sum(len(b["schools"]) for s in context.get("stages", []) for b in s["policies"])


@dataclass(frozen=True)
class RenderResult:
    documents: int
    rows: int
    pages: int


def report_render(
    kind: str,
    *,
    selection: Selection,
    out: BinaryIO,
    user: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> RenderResult:
    """Write one report's PDF into `out`. Nothing to print: ValueError; out of scope: PermissionDenied."""
    contexts = report_contexts(kind, selection=selection, user=user)
    if not contexts:
        raise ValueError("所选范围内没有可打印的内容。")
    pages = render_documents(TEMPLATES[kind], contexts, out=out, progress=progress)
    return RenderResult(documents=len(contexts), rows=sum(_row_count(c) for c in contexts), pages=pages)


def render_documents(
    template_name: str,
    contexts: list[dict[str, Any]],
    *,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Several documents as one PDF, each numbered on its own; big runs in separate processes."""
    if sum(_row_count(c) for c in contexts) > IN_PROCESS_ROWS:
        return render_pdf_volumes(template_name, contexts, out=out, progress=progress)
    count = len(contexts)
    writer = PdfWriter()
    pages = 0
    for done, context in enumerate(contexts, 1):
        numbered = {**context, "volume_number": done, "volume_count": count}
        data, page_count = html_to_pdf(render_to_string(template_name, numbered))
        writer.append(PdfReader(io.BytesIO(data)))
        pages += page_count
        if progress is not None:
            progress(done, count)
    writer.write(out)
    return pages


# ---------------------------------------------------------------------------
# The export centre's PDF kinds (aidsite.export_jobs): same parameters as the ledger export.


class _ReportForm(LedgerExportForm):
    kind = ""

    def title(self) -> str:
        data = self.cleaned_data
        place = data.get("school") or data.get("township") or "我可见的全部"
        policy = f" {data['policy'].name}" if data.get("policy") else ""
        return f"{REPORT_TITLES[self.kind]} {place} {data['term']}{policy}（PDF）"


class NoticeReportForm(_ReportForm):
    kind = "notice"


class SignsheetReportForm(_ReportForm):
    kind = "signsheet"


class SummaryReportForm(_ReportForm):
    kind = "summary"


class CardsReportForm(_ReportForm):
    kind = "cards"


def _report_job(kind: str, *, user: Any, parameters: dict[str, Any], out: BinaryIO, progress: Any) -> int:
    from aidsite.export_jobs import ExportError

    term = Term.objects.select_related("school_year").get(pk=parameters["term"])
    township = school = None
    if parameters.get("township"):
        township = scope_queryset(user, Township.objects.filter(pk=parameters["township"])).first()
    if parameters.get("school"):
        school = scope_queryset(user, School.objects.filter(pk=parameters["school"])).select_related("township").first()
    if (parameters.get("township") and township is None) or (parameters.get("school") and school is None):
        raise ExportError("所选乡镇或学校不在您的权限范围内。")
    code = Policy.objects.filter(pk=parameters["policy"]).values_list("code", flat=True).first() if parameters.get("policy") else None
    selection = Selection(term=term, township=township, school=school, policy_code=code)
    try:
        result = report_render(
            kind, selection=selection, out=out, user=user, progress=lambda done, total: progress(done * 100 / total)
        )
    except (ValueError, PermissionDenied) as exc:
        raise ExportError(str(exc)) from exc
    return result.rows


def notice_job(**kwargs: Any) -> int:
    return _report_job("notice", **kwargs)


def signsheet_job(**kwargs: Any) -> int:
    return _report_job("signsheet", **kwargs)


def summary_job(**kwargs: Any) -> int:
    return _report_job("summary", **kwargs)


def cards_job(**kwargs: Any) -> int:
    return _report_job("cards", **kwargs)


__all__ = [
    "REPORT_KINDS",
    "Selection",
    "cards_contexts",
    "notice_context",
    "notice_context_for",
    "notice_contexts",
    "report_render",
    "signsheet_contexts",
    "summary_context",
]
