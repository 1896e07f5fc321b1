"""A small hand-built township for the campaigns tests.

Township 东城镇 has kindergartens A and B; 西山镇 has kindergarten C. Each kindergarten
has registered children (a 建档立卡 household, an orphan) and one ordinary child.
The school year is the one today falls in, so the portal's "this term" is the term of
today's date.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from aidsite.access import SystemActor
from aidsite.models import Role
from campaigns.coverage import term_for_date
from campaigns.models import Campaign, CampaignPhase, PhaseKind
from students.models import Enrollment, HouseholdCategory, School, SchoolYear, Stage, Term
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

# Who the tests' direct service calls act as: recorded as no user, as a command would be.
SYSTEM = SystemActor("tests")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Six users per test: the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def current_school_year() -> SchoolYear:
    today = timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    return make_school_year(f"{start}-{start + 1}")


def enroll_child(
    *, school: School, year: SchoolYear, village: Any = None, categories: tuple[str, ...] = (),
    household: Any = None, class_name: str = "大一班", **student_fields: Any
) -> Enrollment:
    household = household or make_household(village=village, categories=categories)
    student = make_student(household=household, birth=dt.date(2021, 5, 1), **student_fields)
    return make_enrollment(
        student=student, school=school, school_year=year, stage=Stage.KINDERGARTEN, class_name=class_name
    )


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class World:
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


@pytest.fixture
def world(db) -> World:
    year = current_school_year()
    term = term_for_date(timezone.localdate())
    assert term is not None and term.school_year == year
    east, west = make_township("东城镇"), make_township("西山镇")
    v_east, v_west = make_village(township=east, name="东村"), make_village(township=west, name="西村")
    school_a = make_school(township=east, name="东城镇中心幼儿园", stages=Stage.KINDERGARTEN)
    school_b = make_school(township=east, name="东城镇河口幼儿园", stages=Stage.KINDERGARTEN)
    school_c = make_school(township=west, name="西山镇幼儿园", stages=Stage.KINDERGARTEN)
    registered = (HouseholdCategory.REGISTERED,)
    a_poor = enroll_child(school=school_a, year=year, village=v_east, categories=registered, name="仇小兰")
    a_orphan = enroll_child(school=school_a, year=year, village=v_east, name="孤儿甲", is_orphan=True)
    a_ordinary = enroll_child(school=school_a, year=year, village=v_east, name="普通乙")
    b_poor = enroll_child(school=school_b, year=year, village=v_east, categories=registered, name="河口丙")
    c_poor = enroll_child(school=school_c, year=year, village=v_west, categories=registered, name="西山丁")
    campaign = Campaign.objects.create(
        name=f"{year.start_year}年学前教育宣传月", school_year=year, township=east, plan_text="宣传学前教育法规政策"
    )
    campaign.schools.set([school_a, school_b])
    today = timezone.localdate()
    CampaignPhase.objects.create(
        campaign=campaign, kind=PhaseKind.MOBILISE, start_date=today - dt.timedelta(days=10),
        end_date=today - dt.timedelta(days=5), tasks="成立领导小组",
    )
    CampaignPhase.objects.create(
        campaign=campaign, kind=PhaseKind.IMPLEMENT, start_date=today - dt.timedelta(days=4),
        end_date=today + dt.timedelta(days=10), tasks="多种形式宣传",
    )
    CampaignPhase.objects.create(
        campaign=campaign, kind=PhaseKind.SUMMARISE, start_date=today + dt.timedelta(days=11),
        end_date=today + dt.timedelta(days=11),
    )
    users = {
        "director_a": make_user(role=Role.DIRECTOR, school=school_a, username="director_a"),
        "director_b": make_user(role=Role.DIRECTOR, school=school_b, username="director_b"),
        "township": make_user(role=Role.TOWNSHIP_STAFF, township=east, username="township_east"),
        "township_west": make_user(role=Role.TOWNSHIP_STAFF, township=west, username="township_west"),
        "auditor": make_user(role=Role.AUDITOR, username="auditor"),
        "county": make_user(role=Role.COUNTY_ADMIN, username="county"),
    }
    return World(
        year=year, term=term, school_a=school_a, school_b=school_b, school_c=school_c,
        a_poor=a_poor, a_orphan=a_orphan, a_ordinary=a_ordinary, b_poor=b_poor, c_poor=c_poor,
        campaign=campaign, users=users,
    )


def visit_at(term: Term, hour: int = 12) -> dt.datetime:
    """A moment inside `term` (its first day at noon, local time)."""
    return dt.datetime.combine(term.start_date, dt.time(hour), tzinfo=timezone.get_current_timezone())
