"""明白卡: a card per household with a child studying at the school this year, one card a page, per school."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from students.models import Enrollment, EnrollmentStatus, School, Stage
from subsidies.models import AWARDED_STATUSES, Entitlement, Policy
from subsidies.reports.shared import ZERO, PrintedReport, Selection, grade_class, selection_require

if TYPE_CHECKING:
    from aidsite.access import Actor


def _plain_wording(policy: Policy) -> str:
    """The policy in a sentence a parent reads: its own description, else its standard."""
    if policy.description:
        return policy.description
    if policy.annual_amount:
        return f"{policy.name}：符合条件的学生每人每年{policy.annual_amount.normalize():f}元，按学期发放。"
    return f"{policy.name}：按规定标准资助，按学期发放。"


def _households_by_school(
    selection: Selection, awarded: QuerySet[Entitlement], actor: Actor
) -> dict[int, list[int]]:
    """The households to card at each school: a child studying there this year, aided this year."""
    term = selection.term
    enrollments = Enrollment.objects.filter(school_year_id=term.school_year_id, status=EnrollmentStatus.STUDYING)
    if selection.township is not None:
        enrollments = enrollments.filter(school__township=selection.township)
    if selection.school is not None:
        enrollments = enrollments.filter(school=selection.school)
    households_here = (
        scope_queryset(actor, enrollments)
        .filter(student__entitlements__in=awarded)
        .values_list("school_id", "student__household_id")
        .distinct()
        .order_by("school__name", "student__household_id")
    )
    by_school: dict[int, list[int]] = defaultdict(list)
    for school_id, household_id in households_here:
        if household_id not in by_school[school_id]:
            by_school[school_id].append(household_id)
    return by_school


def _children(
    awarded: QuerySet[Entitlement], household_ids: set[int]
) -> tuple[dict[int, dict[int, dict[str, Any]]], dict[int, str], dict[int, Policy]]:
    """Each household's aided children with their items per term, the heads' names, the policies used."""
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
    policy_ids_seen: set[int] = set()
    stages = dict(Stage.choices)
    heads: dict[int, str] = {}
    for household_id, head, student_id, name, school, stage, grade, class_name, policy_id, policy_name, season, amount in child_rows:
        heads[household_id] = head
        child = children[household_id].setdefault(
            student_id,
            {"name": name, "school": school, "stage": str(stages.get(stage, stage)), "grade": grade_class(grade, class_name), "items": {}},
        )
        item = child["items"].setdefault(policy_id, {"name": policy_name, "autumn": None, "spring": None, "total": ZERO})
        item[season] = amount
        item["total"] += amount
        policy_ids_seen.add(policy_id)
    return children, heads, Policy.objects.in_bulk(policy_ids_seen)


def _card(found: list[dict[str, Any]], head: str, policies: dict[int, Policy]) -> dict[str, Any]:
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
    return {"head": head, "children": kids, "total": sum((k["total"] for k in kids), ZERO), "policies": used}


def cards_contexts(*, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
    """One context per school: a card for each household with a child studying there this year."""
    selection_require(actor, selection)
    term = selection.term
    # Households that get anything this year: a card explains aid, it is not a roster.
    awarded = Entitlement.objects.filter(term__school_year_id=term.school_year_id, status__in=AWARDED_STATUSES, amount__gt=0)
    if selection.policy_code:
        awarded = awarded.filter(policy__code=selection.policy_code)
    awarded = scope_queryset(actor, awarded)
    by_school = _households_by_school(selection, awarded, actor)
    children, heads, policies = _children(awarded, {h for ids in by_school.values() for h in ids})
    schools = School.objects.select_related("township").in_bulk(list(by_school))
    year = term.school_year.name
    return [
        {
            "title": f"{year}学年学生资助政策明白卡",
            "school_name": schools[school_id].name,
            "year": year,
            "cards": [_card(list(children[h].values()), heads[h], policies) for h in ids],
            "office": schools[school_id].township.office_name,
            "office_name": settings.AID_OFFICE_NAME,
            "office_phone": settings.AID_OFFICE_PHONE,
            "unit": schools[school_id].name,
        }
        for school_id, ids in by_school.items()
    ]


class CardsReport(PrintedReport):
    identifier = "report_cards"
    name = "cards"
    label = _("资助政策明白卡（PDF）")
    document = "资助政策明白卡"
    template = "reports/policy_card.html"

    def contexts(self, *, selection: Selection, actor: Actor) -> list[dict[str, Any]]:
        return cards_contexts(selection=selection, actor=actor)

    def row_count(self, context: dict[str, Any]) -> int:
        return len(context["cards"])
