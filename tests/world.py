"""The test county: every hand-built world of the suite is made here.

The makers in tests.factories make one row each; this module puts them together into
places (a township with its villages and schools), enrolled children, staff per role, and
the worlds the tests share:

- `build_scoped_world()`: 甲镇 and 乙镇, each with a village, a primary school, a household
  and an enrolled student, and one user per role (`tests.scoped_world.build_world`);
- `build_campaign_world()`: 东城镇 with kindergartens A and B, 西山镇 with kindergarten C,
  registered and ordinary children and a campaign (the campaigns tests' `world` fixture);
- `aid_term()` and `Kids`: the 2022-2023 autumn term with the seed policies, and a
  township whose children are made one per call (the aid tests' `term`, `township`, `kids`);
- the role × endpoint matrix (tests/aidsite/matrix_world.py) lays ledgers and campaign
  records over two places and their staff made here.

Assertions count and name these rows, and ID numbers come from one counter: each world
makes its rows in a fixed order, every table in the same order as the tests expect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from aidsite.models import Role
from campaigns.coverage import term_for_date
from campaigns.models import Campaign, CampaignPhase, PhaseKind
from students.models import (
    Enrollment,
    Household,
    HouseholdCategory,
    School,
    SchoolYear,
    Season,
    Stage,
    Student,
    Term,
    Township,
    Village,
)
from subsidies.services.policies import policies_seed_load
from tests.factories import (
    make_enrollment,
    make_household,
    make_school,
    make_school_year,
    make_student,
    make_township,
    make_user,
    make_village,
)

# Kindergarten children are born five years before they are enrolled; the default birth
# date of the factories suits primary school.
KINDERGARTEN_BIRTH = dt.date(2021, 5, 1)


# --- school years and terms ------------------------------------------------------------


def current_school_year() -> SchoolYear:
    """The school year today falls in, so that the portal's "this term" is today's term."""
    today = timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    return make_school_year(f"{start}-{start + 1}")


def year_with_policies(name: str | None = None) -> SchoolYear:
    """A school year (the current one unless named) with the seed's aid policies."""
    year = make_school_year(name) if name else current_school_year()
    policies_seed_load(school_year=year)
    return year


def aid_term() -> Term:
    """The 2022-2023 autumn term, its year holding the seed's aid policies."""
    year = year_with_policies("2022-2023")
    return Term.objects.select_related("school_year").get(school_year=year, season=Season.AUTUMN)


# --- places, children, staff -----------------------------------------------------------


@dataclass
class Place:
    """A township with its villages and schools, in the order they were made."""

    township: Township
    villages: list[Village]
    schools: list[School]

    @property
    def village(self) -> Village:
        return self.villages[0]

    @property
    def school(self) -> School:
        return self.schools[0]


def make_place(township: str, *, villages: dict[str, bool], schools: dict[str, str]) -> Place:
    """A township named `township`; `villages` maps a name to "is a poor village",
    `schools` a name to the school's stages."""
    town = make_township(township)
    return Place(
        township=town,
        villages=[make_village(township=town, name=name, poor=poor) for name, poor in villages.items()],
        schools=[make_school(township=town, name=name, stages=stages) for name, stages in schools.items()],
    )


def enroll(
    *,
    school: School,
    year: SchoolYear,
    household: Household,
    stage: str | None = None,
    student: dict[str, Any] | None = None,
    **enrollment: Any,
) -> Enrollment:
    """A child of `household` enrolled at `school` in `year`.

    `student` holds the child's own fields (name, birth, flags); the other keywords are
    the enrollment's (grade, class, boarding…).
    """
    child = make_student(household=household, **(student or {}))
    return make_enrollment(student=child, school=school, school_year=year, stage=stage, **enrollment)


def enroll_child(
    *, school: School, year: SchoolYear, village: Any = None, categories: tuple[str, ...] = (),
    household: Any = None, class_name: str = "大一班", **student_fields: Any
) -> Enrollment:
    """A kindergarten child, in a new household of `village` unless `household` is given."""
    household = household or make_household(village=village, categories=categories)
    return enroll(
        school=school, year=year, household=household, stage=Stage.KINDERGARTEN,
        student={"birth": KINDERGARTEN_BIRTH, **student_fields}, class_name=class_name,
    )  # fmt: skip


class Kids:
    """Makes one enrolled child per call: household categories, village, personal flags, enrollment fields."""

    def __init__(self, term: Term, township: Any) -> None:
        self.term = term
        self.township = township
        self.plain_village = make_village(township=township, name="平安村")
        self.poor_village = make_village(township=township, name="石岭村", poor=True)

    def __call__(
        self,
        school: Any,
        *,
        categories: tuple[str, ...] = (),
        poor: bool = False,
        stage: str | None = None,
        orphan: bool = False,
        martyr: bool = False,
        disabled: bool = False,
        name: str | None = None,
        **enrollment: Any,
    ) -> Enrollment:
        household = make_household(village=self.poor_village if poor else self.plain_village, categories=categories)
        return enroll(
            school=school, year=self.term.school_year, household=household, stage=stage,
            student={"name": name, "is_orphan": orphan, "is_martyr_child": martyr, "is_disabled": disabled},
            **enrollment,
        )  # fmt: skip

    def school(self, stages: str, **fields: Any) -> Any:
        return make_school(township=self.township, stages=stages, **fields)


# --- the scoped world: the smallest one in which a scope leak shows ----------------------


@dataclass
class ScopedWorld:
    """Two townships and one user per role; township A is the users' home (the township
    officer works there, the director runs school A), everything `_b` is outside it."""

    year: SchoolYear
    township_a: Township
    township_b: Township
    village_a: Village
    village_b: Village
    school_a: School
    school_b: School
    household_a: Household
    household_b: Household
    student_a: Student
    student_b: Student
    enrollment_a: Enrollment
    enrollment_b: Enrollment
    county: Any
    township_staff: Any
    director: Any
    auditor: Any

    def user(self, role: str) -> Any:
        return {
            "county": self.county,
            "township": self.township_staff,
            "director": self.director,
            "auditor": self.auditor,
        }[role]


def build_scoped_world() -> ScopedWorld:
    year = make_school_year("2022-2023")
    a = make_place("甲镇", villages={"甲村": True}, schools={"甲镇中心小学": Stage.PRIMARY})
    b = make_place("乙镇", villages={"乙村": False}, schools={"乙镇中心小学": Stage.PRIMARY})
    household_a = make_household(
        village=a.village, head_name="甲户主", categories=(HouseholdCategory.REGISTERED,), phone="13912345678"
    )
    household_b = make_household(
        village=b.village, head_name="乙户主", categories=(HouseholdCategory.DIBAO,), phone="13787654321"
    )
    enrollment_a = enroll(
        school=a.school, year=year, household=household_a,
        student={"name": "甲学生", "guardian_phone": "13611112222"}, grade="三年级",
    )  # fmt: skip
    enrollment_b = enroll(
        school=b.school, year=year, household=household_b,
        student={"name": "乙学生", "is_orphan": True}, grade="四年级",
    )  # fmt: skip
    return ScopedWorld(
        year=year,
        township_a=a.township,
        township_b=b.township,
        village_a=a.village,
        village_b=b.village,
        school_a=a.school,
        school_b=b.school,
        household_a=household_a,
        household_b=household_b,
        student_a=enrollment_a.student,
        student_b=enrollment_b.student,
        enrollment_a=enrollment_a,
        enrollment_b=enrollment_b,
        county=make_user(role=Role.COUNTY_ADMIN, username="county"),
        township_staff=make_user(role=Role.TOWNSHIP_STAFF, township=a.township, username="township_a"),
        director=make_user(role=Role.DIRECTOR, school=a.school, username="director_a"),
        auditor=make_user(role=Role.AUDITOR, username="auditor"),
    )


# --- the campaigns world -----------------------------------------------------------------


@dataclass
class CampaignWorld:
    """东城镇 (kindergartens A and B) and 西山镇 (kindergarten C) in the current school year;
    each kindergarten has registered children (a 建档立卡 household, an orphan), A also an
    ordinary one. The east campaign runs in A and B."""

    year: SchoolYear
    term: Term
    school_a: School
    school_b: School
    school_c: School
    a_poor: Enrollment
    a_orphan: Enrollment
    a_ordinary: Enrollment
    b_poor: Enrollment
    c_poor: Enrollment
    campaign: Campaign
    users: dict[str, Any] = field(default_factory=dict)


def _east_campaign(year: SchoolYear, township: Township, schools: list[School]) -> Campaign:
    """The east township's campaign: mobilising done, implementing now, summarising ahead."""
    campaign = Campaign.objects.create(
        name=f"{year.start_year}年学前教育宣传月", school_year=year, township=township, plan_text="宣传学前教育法规政策"
    )
    campaign.schools.set(schools)
    today = timezone.localdate()
    days = dt.timedelta
    phases = [
        (PhaseKind.MOBILISE, today - days(days=10), today - days(days=5), "成立领导小组"),
        (PhaseKind.IMPLEMENT, today - days(days=4), today + days(days=10), "多种形式宣传"),
        (PhaseKind.SUMMARISE, today + days(days=11), today + days(days=11), ""),
    ]
    for kind, start, end, tasks in phases:
        CampaignPhase.objects.create(campaign=campaign, kind=kind, start_date=start, end_date=end, tasks=tasks)
    return campaign


def build_campaign_world() -> CampaignWorld:
    year = current_school_year()
    term = term_for_date(timezone.localdate())
    assert term is not None and term.school_year == year
    k = Stage.KINDERGARTEN
    east = make_place("东城镇", villages={"东村": False}, schools={"东城镇中心幼儿园": k, "东城镇河口幼儿园": k})
    west = make_place("西山镇", villages={"西村": False}, schools={"西山镇幼儿园": k})
    school_a, school_b = east.schools
    school_c = west.school
    registered = (HouseholdCategory.REGISTERED,)
    v_east, v_west = east.village, west.village
    a_poor = enroll_child(school=school_a, year=year, village=v_east, categories=registered, name="仇小兰")
    a_orphan = enroll_child(school=school_a, year=year, village=v_east, name="孤儿甲", is_orphan=True)
    a_ordinary = enroll_child(school=school_a, year=year, village=v_east, name="普通乙")
    b_poor = enroll_child(school=school_b, year=year, village=v_east, categories=registered, name="河口丙")
    c_poor = enroll_child(school=school_c, year=year, village=v_west, categories=registered, name="西山丁")
    campaign = _east_campaign(year, east.township, [school_a, school_b])
    users = {
        "director_a": make_user(role=Role.DIRECTOR, school=school_a, username="director_a"),
        "director_b": make_user(role=Role.DIRECTOR, school=school_b, username="director_b"),
        "township": make_user(role=Role.TOWNSHIP_STAFF, township=east.township, username="township_east"),
        "township_west": make_user(role=Role.TOWNSHIP_STAFF, township=west.township, username="township_west"),
        "auditor": make_user(role=Role.AUDITOR, username="auditor"),
        "county": make_user(role=Role.COUNTY_ADMIN, username="county"),
    }
    return CampaignWorld(
        year=year, term=term, school_a=school_a, school_b=school_b, school_c=school_c,
        a_poor=a_poor, a_orphan=a_orphan, a_ordinary=a_ordinary, b_poor=b_poor, c_poor=c_poor,
        campaign=campaign, users=users,
    )  # fmt: skip
