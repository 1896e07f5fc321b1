"""Context builders of the campaigns app's pages and PDFs (templates/reports/…).

Each returns a plain dict for one template; the PDF is `aidsite.lib.pdf.render_pdf`
of that template, and the portal page shows the same context.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from campaigns.activities import campaign_members, campaign_progress
from campaigns.cards import family_cards
from campaigns.coverage import children_for_school, term_bounds
from campaigns.models import (
    Activity,
    Campaign,
    HomeVisit,
    KindergartenSummary,
    VisitPhoto,
)
from campaigns.selectors import ACTIVITY_COUNT_DEFINITION, activity_totals, term_activities
from students.models import School, Student, Term


def term_summary_context(*, school: School, term: Term) -> dict[str, Any]:
    """The kindergarten's term summary: activities, cards signed, visits, open follow-ups."""
    start, end = term_bounds(term)
    in_term = term_activities(schools=[school], term=term)
    activities = list(in_term.select_related("campaign").order_by("date", "pk"))
    totals = activity_totals(in_term)[()]
    visits = list(
        HomeVisit.objects.filter(school=school, visited_at__gte=start, visited_at__lt=end)
        .select_related("household")
        .prefetch_related(Prefetch("children", queryset=Student.objects.order_by("name")))
        .order_by("visited_at")
    )
    open_follow_ups = list(
        HomeVisit.objects.filter(school=school, follow_up_needed=True, follow_up_done=False)
        .select_related("household")
        .order_by("visited_at")
    )
    cards = family_cards(school=school, school_year=term.school_year)
    children = list(children_for_school(school=school, term=term))
    return {
        "title": f"{school.name}{term}资助宣传及走访工作小结",
        "school": school,
        "term": term,
        "activities": activities,
        "activity_count": totals.count,
        "activity_reach": totals.reach,
        "activity_definition": ACTIVITY_COUNT_DEFINITION,
        "visits": visits,
        "open_follow_ups": open_follow_ups,
        "card_families": len(cards),
        "cards_signed": sum(1 for c in cards if c.card is not None and c.card.signed_on),
        "registered_count": len(children),
        "visited_count": sum(1 for e in children if e.visited_this_term),
        "unvisited": [e for e in children if not e.visited_this_term],
        "signers": ["填表人", "园长"],
    }


def campaign_report_title(campaign: Campaign) -> str:
    return f"{campaign.name}工作报告"


def campaign_report_context(
    *, campaign: Campaign, today: dt.date, schools: QuerySet[School] | None = None
) -> dict[str, Any]:
    """The campaign report: plan, phases, leading group, activities, reach and summaries.

    `schools` narrows the kindergartens reported (a director prints only their own).
    """
    schools = schools if schools is not None else campaign.schools.all()
    progress = campaign_progress(campaign=campaign, today=today, schools=schools)
    activities = list(
        Activity.objects.filter(campaign=campaign, school__in=schools)
        .select_related("school")
        .order_by("school__name", "date", "pk")
    )
    summaries = list(
        KindergartenSummary.objects.filter(campaign=campaign, school__in=schools)
        .select_related("school")
        .order_by("school__name")
    )
    return {
        "title": campaign_report_title(campaign),
        "campaign": campaign,
        "progress": progress,
        "members": campaign_members(campaign=campaign),
        "activities": activities,
        "summaries": summaries,
        "landscape": False,
    }


def visit_record_context(*, visit: HomeVisit) -> dict[str, Any]:
    """The visit record (走访记录表) of one visit."""
    return {
        "title": "建档立卡幼儿家庭走访记录表",
        "visit": visit,
        "children": list(visit.children.order_by("name")),
        "photo_count": VisitPhoto.objects.filter(visit=visit).count(),
        "signers": ["带队人", "家长"],
    }


def open_follow_ups(*, schools: Any) -> list[HomeVisit]:
    return list(
        HomeVisit.objects.filter(Q(school__in=schools), follow_up_needed=True, follow_up_done=False)
        .select_related("school", "household")
        .order_by("visited_at")
    )
