"""Who is to be visited, who has been, and what each kindergarten has done this term.

A *registered child* (建档立卡幼儿) here is a student with a 在读 kindergarten-stage
enrollment in the school year whose household has any registered hardship category
(建档立卡贫困户, 低保户, 特困供养, 其他家庭经济困难 — lifted households included, since
脱贫不脱政策 keeps them in the programme) or who is an orphan, a martyr's child or
disabled. Every such child is to be visited at least once a term (seed, third plan).

All selectors run a constant number of queries: counts and "last visit" come from
annotations, never from a query per child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from campaigns.models import HomeVisit, PolicyCard
from campaigns.selectors import with_term_activity_totals
from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdHardship,
    School,
    SchoolYear,
    Stage,
    Term,
)


def term_for_date(day: dt.date) -> Term | None:
    """The term whose dates contain `day`, else the latest term that started before it."""
    term = (
        Term.objects.select_related("school_year")
        .filter(start_date__lte=day, end_date__gte=day)
        .first()
    )
    if term is None:
        term = (
            Term.objects.select_related("school_year")
            .filter(start_date__lte=day)
            .order_by("-start_date")
            .first()
        )
    return term


def portal_term(day: dt.date) -> Term | None:
    """The term the portal shows by default: the one `day` falls in, unless the registry
    has no enrollment for its school year yet (the new year's rosters are not imported),
    in which case the last term up to `day` of the latest school year with enrollments.
    """
    term = term_for_date(day)
    if term is None or Enrollment.objects.filter(school_year=term.school_year).exists():
        return term
    latest = (
        Enrollment.objects.filter(school_year__start_year__lt=term.school_year.start_year)
        .order_by("-school_year__start_year")
        .values("school_year")[:1]
    )
    fallback = (
        Term.objects.select_related("school_year")
        .filter(school_year__in=latest, start_date__lte=day)
        .order_by("-start_date")
        .first()
    )
    return fallback or term


def term_bounds(term: Term) -> tuple[dt.datetime, dt.datetime]:
    """The term as aware datetimes [start, end) in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(term.start_date, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(term.end_date + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def registered_enrollments(*, school_year: SchoolYear) -> QuerySet[Enrollment]:
    """Studying kindergarten enrollments of registered children in `school_year`."""
    hardship = HouseholdHardship.objects.filter(household=OuterRef("student__household"))
    return Enrollment.objects.filter(
        school_year=school_year,
        status=EnrollmentStatus.STUDYING,
        stage=Stage.KINDERGARTEN,
    ).filter(
        Q(Exists(hardship))
        | Q(student__is_orphan=True)
        | Q(student__is_martyr_child=True)
        | Q(student__is_disabled=True)
    )


def _card_progress() -> Case:
    """How many of the four card steps are done (0–4), as an expression on PolicyCard."""
    return Case(
        When(signed_on__isnull=False, then=Value(4)),
        When(checked_on__isnull=False, then=Value(3)),
        When(handed_out_on__isnull=False, then=Value(2)),
        When(printed_on__isnull=False, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def with_visit_and_card_status(
    enrollments: QuerySet[Enrollment], *, term: Term
) -> QuerySet[Enrollment]:
    """Annotate each enrollment with its child's last visit, this term's visit and card steps.

    `last_visit_at`: the latest visit ever; `visited_this_term`: a visit within `term`;
    `card_steps`: 0–4 steps of the family's card for this school year at this school.
    """
    start, end = term_bounds(term)
    visits = HomeVisit.objects.filter(children=OuterRef("student"))
    card = PolicyCard.objects.filter(
        household=OuterRef("student__household"),
        school=OuterRef("school"),
        school_year=OuterRef("school_year"),
    ).annotate(progress=_card_progress())
    return enrollments.annotate(
        last_visit_at=Subquery(visits.order_by("-visited_at").values("visited_at")[:1]),
        visited_this_term=Exists(visits.filter(visited_at__gte=start, visited_at__lt=end)),
        card_steps=Subquery(card.values("progress")[:1], output_field=IntegerField()),
    ).select_related("student__household__village", "school")


def children_for_school(*, school: School, term: Term) -> QuerySet[Enrollment]:
    """A kindergarten's registered children this term, unvisited first, then by name."""
    enrollments = registered_enrollments(school_year=term.school_year).filter(school=school)
    return with_visit_and_card_status(enrollments, term=term).order_by(
        "visited_this_term", "class_name", "student__name"
    )


def unvisited_children(*, schools: QuerySet[School], term: Term) -> QuerySet[Enrollment]:
    """Registered children of `schools` with no visit this term, by school and class."""
    enrollments = registered_enrollments(school_year=term.school_year).filter(school__in=schools)
    return (
        with_visit_and_card_status(enrollments, term=term)
        .filter(visited_this_term=False)
        .order_by("school__name", "class_name", "student__name")
    )


@dataclass(frozen=True)
class SchoolCoverage:
    school: School
    registered: int
    visited: int
    families: int
    cards_signed: int
    activities: int

    @property
    def unvisited(self) -> int:
        return self.registered - self.visited

    @property
    def visited_share(self) -> float | None:
        return self.visited / self.registered if self.registered else None

    @property
    def signed_share(self) -> float | None:
        return self.cards_signed / self.families if self.families else None


def coverage_by_school(*, schools: QuerySet[School], term: Term) -> list[SchoolCoverage]:
    """Per kindergarten: registered children, visited this term, families, cards signed.

    Four queries whatever the number of schools or children.
    """
    start, end = term_bounds(term)
    year = term.school_year
    visited_exists = Exists(
        HomeVisit.objects.filter(
            children=OuterRef("student"), visited_at__gte=start, visited_at__lt=end
        )
    )
    visit_counts = {
        row["school"]: row
        for row in registered_enrollments(school_year=year)
        .filter(school__in=schools)
        .annotate(seen=Case(When(visited_exists, then=Value(1)), default=Value(0)))
        .values("school")
        .annotate(registered=Count("pk"), visited=Sum("seen"))
    }
    families = {
        row["school"]: row["families"]
        for row in Enrollment.objects.filter(
            school__in=schools, school_year=year, status=EnrollmentStatus.STUDYING
        )
        .values("school")
        .annotate(families=Count("student__household", distinct=True))
    }
    signed = {
        row["school"]: row["signed"]
        for row in PolicyCard.objects.filter(
            school__in=schools, school_year=year, signed_on__isnull=False
        )
        .values("school")
        .annotate(signed=Count("pk"))
    }
    rows = []
    for school in with_term_activity_totals(schools, term=term).order_by("name"):
        counts = visit_counts.get(school.pk, {})
        rows.append(
            SchoolCoverage(
                school=school,
                registered=counts.get("registered", 0),
                visited=counts.get("visited") or 0,
                families=families.get(school.pk, 0),
                cards_signed=signed.get(school.pk, 0),
                activities=school.activity_count,
            )
        )
    return rows

