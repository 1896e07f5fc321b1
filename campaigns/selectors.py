"""Reads of publicity activities reused by the portal's pages and the reports.

One definition of "how many activities, reaching how many people", so the campaign page,
the term summary, the overview and the PDFs count alike: an activity is one recorded
`Activity`; its reach is the number the kindergarten entered; totals add them up. Which
activities a page counts (a campaign's, or those dated in a term) is the page's filter,
and the page says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from campaigns.models import Activity
from students.models import School, Term

# Stated under every figure of activities, in the words of the pages.
ACTIVITY_COUNT_DEFINITION = "活动次数：已登记的宣传活动条数；覆盖人数：各次活动登记的覆盖人数之和。"


@dataclass(frozen=True)
class ActivityTotals:
    count: int = 0
    reach: int = 0


def activity_totals(
    activities: QuerySet[Activity], *, by: tuple[str, ...] = ()
) -> dict[Any, ActivityTotals]:
    """Activities and their summed reach, grouped by the fields `by` (one query).

    Keys are the tuple of the `by` values (the empty tuple without `by`); a group with
    no activity is absent, so read with `.get(key, ActivityTotals())`.
    """
    if not by:
        row = activities.aggregate(n=Count("pk"), people=Sum("reach"))
        return {(): ActivityTotals(count=row["n"] or 0, reach=row["people"] or 0)}
    rows = activities.order_by().values(*by).annotate(n=Count("pk"), people=Sum("reach"))
    return {
        tuple(row[name] for name in by): ActivityTotals(count=row["n"], reach=row["people"] or 0)
        for row in rows
    }


def term_activities(*, schools: QuerySet[School] | list[School], term: Term) -> QuerySet[Activity]:
    """The activities of `schools` dated within `term` (whatever their campaign)."""
    return Activity.objects.filter(
        school__in=schools, date__gte=term.start_date, date__lte=term.end_date
    )


def with_term_activity_totals(schools: QuerySet[School], *, term: Term) -> QuerySet[School]:
    """`schools` annotated with `activity_count` and `activity_reach`: the same activities
    and totals as `activity_totals(term_activities(...))`, inside the schools' own query."""
    in_term = Q(
        campaign_activities__date__gte=term.start_date,
        campaign_activities__date__lte=term.end_date,
    )
    return schools.annotate(
        activity_count=Count("campaign_activities", filter=in_term),
        activity_reach=Sum("campaign_activities__reach", filter=in_term, default=0),
    )
