"""控辍保学: school-age children of registered households with no enrollment, and their cases.

Interface shared by the omission report (`subsidies`) and the pages: the selectors
below are read set-based (a constant number of queries, whatever the county's size).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from aidsite.access import require, scope_queryset
from students.dropout_models import LASTING_OUTCOMES, YEARLY_OUTCOMES
from students.models import (
    DropoutCase,
    DropoutOutcome,
    Enrollment,
    EnrollmentStatus,
    HouseholdHardship,
    HouseholdMember,
    SchoolYear,
    Stage,
    Township,
    age_on,
)
from students.school_years import current_school_year_name

if TYPE_CHECKING:
    from aidsite.access import Actor

VIEW = "students.view_dropoutcase"
NOT_FOLLOWED = "未跟进"
FOLLOWING = "跟进中"
MISSING_AGAIN = "返校后再次失学"


@dataclass(frozen=True)
class SuspectedDropout:
    """A child of compulsory-school age with no 在读 enrollment this school year (疑似失学辍学)."""

    member_id: int
    name: str
    id_number: str
    township: str
    village: str
    head_name: str
    age: int
    expected_stage: str  # the stage's Chinese label (应在学段)
    follow_up: str  # the case's state in Chinese (跟进状态): 未跟进 / 跟进中 / the outcome


@dataclass(frozen=True)
class NotInKindergarten:
    """A child of preschool age (3–5) of a registered household not in a kindergarten (未入园)."""

    member_id: int
    name: str
    id_number: str
    township: str
    village: str
    head_name: str
    age: int


def born_between(school_year: SchoolYear, age_from: int, age_to: int) -> tuple[dt.date, dt.date]:
    """The birth dates (first, last) of children aged `age_from`..`age_to` on the year's reference day."""
    day = school_year.age_reference_date()
    return _years_before(day, age_to + 1) + dt.timedelta(days=1), _years_before(day, age_from)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year: the day before counts the same ages
        return day.replace(year=day.year - years, day=28)


def expected_stage(school_year: SchoolYear, age: int) -> str:
    """应在学段: six years of primary school from the compulsory starting age, then junior."""
    primary = age - school_year.compulsory_age_from < 6
    return str(Stage.PRIMARY.label if primary else Stage.JUNIOR.label)


def unaccounted_members(*, school_year: SchoolYear, ages: tuple[int, int]) -> QuerySet[HouseholdMember]:
    """Members of registered households of those ages with no 在读 enrollment this year.

    A registered household is one with any hardship category, lifted (已脱贫) ones
    included: 控辍保学 follows every child the registry knows as poor. The enrollment
    may be at any school of the county and at any stage; it is matched by ID number,
    since the student row may sit under another household record. A child recorded
    as 已完成义务教育 or 死亡/迁出 in any year is accounted for.
    """
    first, last = born_between(school_year, *ages)
    return HouseholdMember.objects.filter(birth_date__gte=first, birth_date__lte=last).filter(
        Exists(HouseholdHardship.objects.filter(household=OuterRef("household"))),
        ~Exists(
            Enrollment.objects.filter(
                student__id_number=OuterRef("id_number"),
                school_year=school_year,
                status=EnrollmentStatus.STUDYING,
            )
        ),
        ~Exists(DropoutCase.objects.filter(member=OuterRef("pk"), outcome__in=LASTING_OUTCOMES)),
    )


def compulsory_ages(school_year: SchoolYear) -> tuple[int, int]:
    return (school_year.compulsory_age_from, school_year.compulsory_age_to)


def preschool_ages(school_year: SchoolYear) -> tuple[int, int]:
    return (school_year.preschool_age_from, school_year.preschool_age_to)


def excused_this_year(school_year: SchoolYear) -> Exists:
    """A case of this year closed with an outcome that accounts for the child this year."""
    return Exists(
        DropoutCase.objects.filter(
            member=OuterRef("pk"), school_year=school_year, outcome__in=YEARLY_OUTCOMES
        )
    )


def _unaccounted(
    *, actor: Actor, school_year: SchoolYear, township: Township | None, ages: tuple[int, int]
) -> QuerySet[HouseholdMember]:
    """`unaccounted_members` in the actor's scope and `township`, after the access check."""
    if township is None:
        require(actor, VIEW)
    else:
        require(actor, VIEW, township=township)
    members = unaccounted_members(school_year=school_year, ages=ages)
    if township is not None:
        members = members.filter(household__village__township=township)
    return scope_queryset(actor, members)


_COLUMNS = (
    "pk",
    "name",
    "id_number",
    "birth_date",
    "household__village__township__name",
    "household__village__name",
    "household__head_name",
)


def suspected_dropouts(
    *, actor: Actor, school_year: SchoolYear, township: Township | None = None
) -> list[SuspectedDropout]:
    """The suspected drop-outs in the actor's scope (and `township`), by township, village, name.

    One query: a case of this year closed as 外地就读, 送教上门 or 因病休学, or any case
    closed as 已完成义务教育 or 死亡/迁出, accounts for the child.
    """
    ages = compulsory_ages(school_year)
    members = _unaccounted(actor=actor, school_year=school_year, township=township, ages=ages)
    return _dropout_rows(members, school_year)


def suspected_dropout(
    *, actor: Actor, member: HouseholdMember, school_year: SchoolYear
) -> SuspectedDropout | None:
    """`member` as a suspected drop-out of the year, or None if the child is accounted for."""
    ages = compulsory_ages(school_year)
    members = _unaccounted(actor=actor, school_year=school_year, township=None, ages=ages)
    rows = _dropout_rows(members.filter(pk=member.pk), school_year)
    return rows[0] if rows else None


def _dropout_rows(
    members: QuerySet[HouseholdMember], school_year: SchoolYear
) -> list[SuspectedDropout]:
    this_year = DropoutCase.objects.filter(member=OuterRef("pk"), school_year=school_year)
    rows = (
        members.exclude(excused_this_year(school_year))
        .annotate(
            case_outcome=Subquery(this_year.values("outcome")[:1]),
            earlier_outcome=Subquery(
                DropoutCase.objects.filter(
                    member=OuterRef("pk"), school_year__start_year__lt=school_year.start_year
                )
                .order_by("-school_year__start_year")
                .values("outcome")[:1]
            ),
        )
        .order_by("household__village__township__name", "household__village__name", "name", "pk")
        .values_list(*_COLUMNS, "case_outcome", "earlier_outcome")
    )
    day = school_year.age_reference_date()
    found = []
    for pk, name, id_number, birth, township_name, village, head, outcome, earlier in rows:
        age = age_on(birth, day)
        found.append(
            SuspectedDropout(
                member_id=pk, name=name, id_number=id_number, township=township_name, village=village,
                head_name=head, age=age, expected_stage=expected_stage(school_year, age),
                follow_up=follow_up_label(outcome, earlier),
            )
        )  # fmt: skip
    return found


def follow_up_label(outcome: str | None, earlier: str | None = None) -> str:
    """跟进状态 of a listed child: this year's case (open, or a return that did not last),
    else a case of an earlier year (the child missing again), else none yet."""
    if outcome == DropoutOutcome.RETURNED:
        return MISSING_AGAIN
    if outcome is not None:
        return FOLLOWING
    if earlier is not None:
        last = DropoutOutcome(earlier).label if earlier else FOLLOWING
        return f"再次失学（上次：{last}）"
    return NOT_FOLLOWED


def not_in_kindergarten(
    *, actor: Actor, school_year: SchoolYear, township: Township | None = None
) -> list[NotInKindergarten]:
    """Preschool-age children of registered households with no kindergarten enrollment.

    Any 在读 enrollment counts (a five-year-old who started primary school early is in
    school); a child recorded as 死亡/迁出 is not listed.
    """
    ages = preschool_ages(school_year)
    rows = (
        _unaccounted(actor=actor, school_year=school_year, township=township, ages=ages)
        .order_by("household__village__township__name", "household__village__name", "name", "pk")
        .values_list(*_COLUMNS)
    )
    day = school_year.age_reference_date()
    return [
        NotInKindergarten(
            member_id=pk, name=name, id_number=id_number, township=township_name, village=village,
            head_name=head, age=age_on(birth, day),
        )  # fmt: skip
        for pk, name, id_number, birth, township_name, village, head in rows
    ]


@dataclass(frozen=True)
class OmissionCounts:
    """The 工作台's figures: suspected drop-outs still to account for, and 未入园 children."""

    school_year: str
    suspected_dropouts: int
    not_in_kindergarten: int


def omission_counts(actor: Actor) -> OmissionCounts | None:
    """This school year's counts in the actor's scope (two queries), or None before any year is open."""
    school_year = current_school_year()
    if school_year is None:
        return None
    dropouts = _unaccounted(
        actor=actor, school_year=school_year, township=None, ages=compulsory_ages(school_year)
    )
    preschool = _unaccounted(
        actor=actor, school_year=school_year, township=None, ages=preschool_ages(school_year)
    )
    return OmissionCounts(
        school_year=school_year.name,
        suspected_dropouts=dropouts.exclude(excused_this_year(school_year)).count(),
        not_in_kindergarten=preschool.count(),
    )


def current_school_year() -> SchoolYear | None:
    """The school year today falls in, else the latest one opened."""
    return (
        SchoolYear.objects.filter(name=current_school_year_name()).first()
        or SchoolYear.objects.order_by("-start_year").first()
    )
