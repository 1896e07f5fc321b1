"""资助统计表: a township's (or the county's) term summary per stage, policy and school."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aidsite.access import require, user_scope
from students.models import Term, Township
from subsidies.models import Policy, PolicyLevel
from subsidies.reports.shared import (
    OWN_TOWNSHIP,
    SIGNERS,
    ZERO,
    PrintedReport,
    Selection,
    local_now,
    selection_require,
)
from subsidies.selectors import term_summary

if TYPE_CHECKING:
    from aidsite.access import Actor


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _policy_block(policy: Policy) -> dict[str, Any]:
    standard = policy.quota_ratio or policy.floor_ratio
    return {
        "name": policy.name,
        "code": policy.code,
        "standard_coverage": _ratio(standard or 0, 1) if standard else None,
        "coverage_kind": "资助面" if policy.quota_ratio else ("不低于" if policy.floor_ratio else ""),
        "average_standard": policy.average_standard or policy.annual_amount,
        "schools": [],
        "enrolled": 0,
        "awarded": 0,
        "total": ZERO,
        "floors_missed": 0,
    }


def _school_row(row: Any) -> dict[str, Any]:
    return {
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


def _stages(term: Term, township: Township | None) -> list[dict[str, Any]]:
    """The summary's rows grouped per stage (education level), then policy, in the levels' order."""
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
        block = level["policies"].setdefault(policy.code, _policy_block(policy))
        block["schools"].append(_school_row(row))
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
    return stages


def summary_context(*, term: Term, township: Township | None, actor: Actor) -> dict[str, Any]:
    """Per stage (education level), policy and school: students, amount, coverage, average, floors.

    Without a township a township officer gets their own; only county-wide roles get the county.
    """
    if township is None:
        own_township_id = user_scope(actor).township_id
        if own_township_id is not None:
            township = Township.objects.get(pk=own_township_id)
        else:
            require(actor, township=None, denied=OWN_TOWNSHIP, out_of_scope=OWN_TOWNSHIP)
    selection_require(actor, Selection(term=term, township=township))
    stages = _stages(term, township)
    place = township.name if township else "全县"
    return {
        "title": f"{place}{term}学生资助统计表",
        "landscape": True,
        "place": place,
        "term_label": str(term),
        "stages": stages,
        "awarded": sum(s["awarded"] for s in stages),
        "total": sum((s["total"] for s in stages), ZERO),
        "floors_missed": sum(b["floors_missed"] for s in stages for b in s["policies"]),
        "unit": township.office_name if township else settings.AID_OFFICE_NAME,
        "signers": SIGNERS,
        "printed_at": local_now(),
    }


class SummaryReport(PrintedReport):
    identifier = "report_summary"
    name = "summary"
    label = _("资助统计表（PDF）")
    document = "资助统计表"
    template = "reports/summary.html"

    def contexts(self, *, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
        return [summary_context(term=selection.term, township=selection.township, actor=actor)]

    def row_count(self, context: dict[str, Any]) -> int:
        return sum(len(b["schools"]) for s in context["stages"] for b in s["policies"])
