"""公示名单: one notice per school and policy of a term.

Only name, school, grade/class, item, tier and amount (SECURITY D3); never ID,
phone, address, birth date, bank account or the hardship category.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.access import SystemActor, scope_queryset
from students.models import School, Term
from subsidies.models import Entitlement, Policy, PublicNotice
from subsidies.reports.shared import (
    ZERO,
    PrintedReport,
    Selection,
    cn_date,
    grade_class,
    grade_rank,
    local_now,
    selection_require,
)
from subsidies.selectors import NOTICE_STATUSES, notice_entitlements
from subsidies.services.notices import (
    DEFAULT_PERIOD_DAYS,
    default_objection_contact,
    notice_end_date,
)

if TYPE_CHECKING:
    from aidsite.access import Actor

# A published notice is public: its page shows every row of it to anyone holding the link.
PUBLIC_PAGE = SystemActor("公示页")


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
                "grade": grade_class(grade, class_name),
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
    actor: Actor,
    start_date: dt.date | None = None,
    period_days: int = DEFAULT_PERIOD_DAYS,
    objection_contact: str = "",
    issuing_unit: str = "",
    issue_date: dt.date | None = None,
) -> dict[str, Any]:
    """公示名单 of one school and policy for the term."""
    selection_require(actor, Selection(term=term, school=school))
    entitlements = scope_queryset(actor, notice_entitlements(term=term, school_id=school.pk, policy_id=policy.pk))
    rows = notice_rows(entitlements)
    today = local_now().date()
    start = start_date or today
    return {
        "title": f"{school.name}{term}{policy.name}公示名单",
        "school_name": school.name,
        "policy_name": policy.name,
        # Who checked the list: the school for computed aid; applications go through the township and county.
        "checked": "经乡镇初审、县级审核" if policy.by_application else "经学校初审",
        "term_label": str(term),
        "rows": rows,
        "count": len(rows),
        "total": sum((row["amount"] for row in rows), ZERO),
        "start_date": cn_date(start),
        "end_date": cn_date(notice_end_date(start, period_days)),
        "period_days": period_days,
        "objection_contact": objection_contact or default_objection_contact(),
        "issuing_unit": issuing_unit or school.township.office_name,
        "unit": issuing_unit or school.township.office_name,
        "issue_date": cn_date(issue_date or start),
        "signers": [],
    }


def notice_context_for(notice: PublicNotice) -> dict[str, Any]:
    """The notice a published PublicNotice shows (paper and public page alike)."""
    return notice_context(
        term=notice.term,
        school=notice.school,
        policy=notice.policy,
        actor=PUBLIC_PAGE,
        start_date=notice.start_date,
        period_days=notice.period_days,
        objection_contact=notice.objection_contact,
        issuing_unit=notice.issuing_unit,
        issue_date=notice.start_date,
    )


def notice_contexts(*, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
    """One notice per school and policy of the selection that has anyone to show."""
    selection_require(actor, selection)
    queryset = Entitlement.objects.filter(term=selection.term, status__in=NOTICE_STATUSES, amount__gt=0)
    if selection.township is not None:
        queryset = queryset.filter(enrollment__school__township=selection.township)
    if selection.school is not None:
        queryset = queryset.filter(enrollment__school=selection.school)
    if selection.policy_code:
        queryset = queryset.filter(policy__code=selection.policy_code)
    pairs = (
        scope_queryset(actor, queryset)
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
            notice_context(term=selection.term, school=schools[s], policy=policies[p], actor=actor, **extra)
        )
    return contexts


class NoticeReport(PrintedReport):
    identifier = "report_notice"
    name = "notice"
    label = _("资助公示名单（PDF）")
    document = "资助公示名单"
    template = "reports/notice.html"

    def contexts(self, *, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
        return notice_contexts(selection=selection, actor=actor)
