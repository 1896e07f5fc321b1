"""两后生: 特困 students who finished 初中 or 普通高中 in a school year and did not go on.

"对特困'两后生'（初、高中毕业未能继续升学的特困家庭学生），开辟绿色通道，免费注册入学并免除学费."

Who is listed for school year Y (the year they finished):
- finished: an enrollment of stage 初中 or 普通高中 in Y with status 毕业, or 在读 in the
  final grade (study year 3: 九年级/初三, 高三) — rosters are imported during the year
  and rarely mark graduation, so a final-grade pupil still 在读 in Y counts as finishing
  it; a 辍学, 休学 or 转出 enrollment is not finishing (控辍保学 follows those);
- did not go on: no enrollment at all (any stage, any school, the 生源地 college roll
  included) in Y+1. When Y+1 is not opened yet nobody can have one: the list is then
  everyone finishing Y, the vocational school's list for the summer;
- 特困: the household has a 特困供养 category still 未脱贫;
- and, whatever the above, a student with an offer recorded for Y stays listed, so that
  an offer and its outcome never vanish once the student enrolls (the page then shows
  the next year's enrollment as the registry holds it).

Selectors read set-based: a page of the list is four queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from aidsite.access import require, scope_queryset, user_scope
from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdCategory,
    HouseholdHardship,
    OfferOutcome,
    PovertyStatus,
    SchoolYear,
    Stage,
    Student,
    Township,
    TwoAfterOffer,
)
from students.school_years import school_year_of
from students.two_after_models import FINISHING_STAGES

if TYPE_CHECKING:
    from aidsite.access import Actor

VIEW = "students.view_twoafteroffer"
# Grade names of the final year when the roster gave no year of study.
FINAL_GRADES = ("初三", "九年级", "高三")
FINAL_STUDY_YEAR = 3
NOT_OFFERED = "none"  # the outcome filter's value for "no offer recorded yet" (未告知)


def finishing_enrollments(school_year: SchoolYear) -> QuerySet[Enrollment]:
    """Enrollments that end 初中 or 普通高中 in `school_year`: 毕业, or 在读 in the final grade."""
    final_grade = Q(study_year=FINAL_STUDY_YEAR) | Q(
        study_year__isnull=True, grade__in=FINAL_GRADES
    )
    return Enrollment.objects.filter(school_year=school_year, stage__in=FINISHING_STAGES).filter(
        Q(status=EnrollmentStatus.GRADUATED) | (Q(status=EnrollmentStatus.STUDYING) & final_grade)
    )


def enrolled_next_year(school_year: SchoolYear) -> Exists:
    """The student (the outer row) has any enrollment in the year after `school_year`."""
    return Exists(
        Enrollment.objects.filter(
            student=OuterRef("pk"), school_year__start_year=school_year.start_year + 1
        )
    )


def extreme_poverty() -> Exists:
    """The student's household is 特困供养, still 未脱贫."""
    return Exists(
        HouseholdHardship.objects.filter(
            household=OuterRef("household"),
            category=HouseholdCategory.EXTREME,
            status=PovertyStatus.IN_POVERTY,
        )
    )


def two_after_students(*, school_year: SchoolYear) -> QuerySet[Student]:
    """Every 两后生 of `school_year` county-wide (no scope): see the module's docstring."""
    finished = finishing_enrollments(school_year).filter(student=OuterRef("pk"))
    offered = TwoAfterOffer.objects.filter(student=OuterRef("pk"), school_year=school_year)
    return Student.objects.filter(Exists(finished)).filter(
        (extreme_poverty() & ~enrolled_next_year(school_year)) | Exists(offered)
    )


def scoped_two_after(
    *, actor: Actor, school_year: SchoolYear, township: Township | None = None
) -> QuerySet[Student]:
    """`two_after_students` the actor may see (and of `township`), after the access check.

    A township reaches a student through the household's village or the school they left.
    """
    if township is None:
        require(actor, VIEW)
    else:
        require(actor, VIEW, township=township)
    students = two_after_students(school_year=school_year)
    if user_scope(actor).everything and township is None:
        return students
    places = scope_queryset(actor, Township.objects.all())
    if township is not None:
        places = places.filter(pk=township.pk)
    left_there = finishing_enrollments(school_year).filter(
        student=OuterRef("pk"), school__township__in=places
    )
    return students.filter(Q(household__village__township__in=places) | Exists(left_there))


def with_outcome(students: QuerySet[Student], school_year: SchoolYear) -> QuerySet[Student]:
    """`students` annotated with their offer's outcome of the year (`offer_outcome`, None if none)."""
    offer = TwoAfterOffer.objects.filter(student=OuterRef("pk"), school_year=school_year)
    return students.annotate(offer_outcome=Subquery(offer.values("outcome")[:1]))


def filter_outcome(students: QuerySet[Student], outcome: str) -> QuerySet[Student]:
    """Narrowed to one outcome (`NOT_OFFERED`: no offer yet); `students` must be `with_outcome`."""
    if outcome == NOT_OFFERED:
        return students.filter(offer_outcome__isnull=True)
    if outcome in OfferOutcome.values:
        return students.filter(offer_outcome=outcome)
    return students


def outcome_counts(students: QuerySet[Student]) -> dict[str, int]:
    """How many of `with_outcome` students are at each outcome (`NOT_OFFERED` for none): one query."""
    rows = students.order_by().values("offer_outcome").annotate(n=Count("pk"))
    return {row["offer_outcome"] or NOT_OFFERED: row["n"] for row in rows}


@dataclass(frozen=True)
class NextEnrollment:
    """The student's enrollment in the following year, as the registry holds it."""

    school: str
    stage: str  # the stage's code
    stage_label: str

    @property
    def vocational(self) -> bool:
        return self.stage == Stage.VOCATIONAL


@dataclass(frozen=True)
class TwoAfterRow:
    """One listed student: who, what they finished where, the offer, what the registry shows next."""

    student: Student
    finished: Enrollment
    offer: TwoAfterOffer | None
    next_enrollment: NextEnrollment | None

    @property
    def finished_label(self) -> str:
        if self.finished.status == EnrollmentStatus.GRADUATED:
            return "毕业"
        return "毕业年级在读"

    @property
    def enrollment_unconfirmed(self) -> bool:
        """已报名入学 recorded, but the registry holds no 中职 enrollment next year (yet)."""
        return (
            self.offer is not None
            and self.offer.outcome == OfferOutcome.ENROLLED
            and not (self.next_enrollment and self.next_enrollment.vocational)
        )


def two_after_rows(students: list[Student], school_year: SchoolYear) -> list[TwoAfterRow]:
    """The rows of `students` (a page of the list): three queries whatever their number."""
    ids = [s.pk for s in students]
    finished: dict[int, Enrollment] = {}
    for enrollment in (
        finishing_enrollments(school_year)
        .filter(student_id__in=ids)
        .select_related("school__township")
        .order_by("status", "-pk")  # "graduated" (毕业) sorts before "studying" (在读)
    ):
        finished.setdefault(enrollment.student_id, enrollment)
    offers = {
        o.student_id: o
        for o in TwoAfterOffer.objects.filter(
            student_id__in=ids, school_year=school_year
        ).select_related("vocational_school__township", "recorded_by")
    }
    following: dict[int, NextEnrollment] = {}
    for student_id, school, stage in (
        Enrollment.objects.filter(
            student_id__in=ids, school_year__start_year=school_year.start_year + 1
        )
        .order_by("pk")
        .values_list("student_id", "school__name", "stage")
    ):
        known = following.get(student_id)
        if known is None or (stage == Stage.VOCATIONAL and not known.vocational):
            following[student_id] = NextEnrollment(school, stage, str(Stage(stage).label))
    return [
        TwoAfterRow(
            student=s,
            finished=finished[s.pk],
            offer=offers.get(s.pk),
            next_enrollment=following.get(s.pk),
        )  # fmt: skip
        for s in students
        if s.pk in finished
    ]


def following_year(school_year: SchoolYear) -> SchoolYear | None:
    return SchoolYear.objects.filter(start_year=school_year.start_year + 1).first()


def two_after_default_year() -> SchoolYear | None:
    """The year whose 两后生 a page opens on: the newest year followed by an opened year
    (not later than today's school year), else the newest year up to today's (its pupils
    finishing now, the next year not opened yet), else the newest; None before any year."""
    today = school_year_of(timezone.localdate())
    starts = set(SchoolYear.objects.values_list("start_year", flat=True))
    ended = [y for y in starts if y + 1 in starts and y + 1 <= today]
    started = [y for y in starts if y <= today]
    pick = max(ended or started or starts, default=None)
    return SchoolYear.objects.filter(start_year=pick).first() if pick is not None else None


@dataclass(frozen=True)
class TwoAfterCount:
    """The 工作台's figure: 两后生 of the default year not yet offered a place, or not answered."""

    school_year: str
    waiting: int


def two_after_count(actor: Actor) -> TwoAfterCount | None:
    """Listed students with no next-year enrollment and no offer, or an offer still 待答复 (one query)."""
    year = two_after_default_year()
    if year is None:
        return None
    students = scoped_two_after(actor=actor, school_year=year)
    answered = TwoAfterOffer.objects.filter(student=OuterRef("pk"), school_year=year).exclude(
        outcome=OfferOutcome.PENDING
    )
    waiting = students.exclude(enrolled_next_year(year)).exclude(Exists(answered)).count()
    return TwoAfterCount(school_year=year.name, waiting=waiting)
