"""Small factories that build registry data in code (no JSON fixtures).

Each maker takes keyword arguments for what the test cares about and fills in
the rest with valid defaults. ID numbers are generated with a correct check
digit from a counter, so every call gives a new student.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from aidsite.lib.idcard import complete_id_number
from aidsite.models import Role, StaffProfile
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    HouseholdCategory,
    HouseholdHardship,
    School,
    SchoolYear,
    Stage,
    Student,
    Township,
    Village,
)
from students.school_years import school_year_open

_counter = itertools.count(1)

PASSWORD = "correct-horse-battery-9"  # satisfies the 12-character validators


def make_id_number(*, birth: dt.date = dt.date(2015, 3, 1), sex: str = "M") -> str:
    """A valid, never-repeated ID number for the given birth date and sex."""
    n = next(_counter)
    region = f"{370800 + (n // 500) % 100:06d}"
    sequence = (n % 500) * 2 + (1 if sex == "M" else 0)  # odd for men, even for women
    return complete_id_number(f"{region}{birth:%Y%m%d}{sequence:03d}")


def make_school_year(name: str = "2022-2023") -> SchoolYear:
    year, _ = school_year_open(name=name)
    return year


def make_township(name: str | None = None) -> Township:
    return Township.objects.create(name=name or f"测试镇{next(_counter)}")


def make_village(*, township: Township | None = None, name: str | None = None, poor: bool = False) -> Village:
    return Village.objects.create(
        township=township or make_township(), name=name or f"测试村{next(_counter)}", is_poor_village=poor
    )


def make_school(
    *,
    township: Township | None = None,
    name: str | None = None,
    stages: str = Stage.PRIMARY,
    **fields: Any,
) -> School:
    defaults: dict[str, Any] = {
        "is_rural": True,
        "is_inclusive": stages == Stage.KINDERGARTEN,
        "is_county_approved": stages == Stage.KINDERGARTEN,
        "tuition": Decimal("0"),
    }
    defaults.update(fields)
    return School.objects.create(
        name=name or f"测试学校{next(_counter)}",
        township=township or make_township(),
        stages=stages,
        **defaults,
    )


def make_household(
    *,
    village: Village | None = None,
    head_name: str | None = None,
    categories: tuple[str, ...] = (),
    phone: str = "13800138000",
) -> Household:
    household = Household.objects.create(
        village=village or make_village(), head_name=head_name or f"户主{next(_counter)}", phone=phone
    )
    for category in categories:
        HouseholdHardship.objects.create(household=household, category=category, year_registered=2020)
    return household


def make_student(
    *,
    household: Household | None = None,
    name: str | None = None,
    birth: dt.date = dt.date(2015, 3, 1),
    sex: str = "M",
    **fields: Any,
) -> Student:
    number = make_id_number(birth=birth, sex=sex)
    return Student.objects.create(
        name=name or f"学生{next(_counter)}",
        id_number=number,
        sex=sex,
        birth_date=birth,
        household=household or make_household(),
        **fields,
    )


def make_enrollment(
    *,
    student: Student | None = None,
    school: School | None = None,
    school_year: SchoolYear | None = None,
    stage: str | None = None,
    **fields: Any,
) -> Enrollment:
    school = school or make_school()
    return Enrollment.objects.create(
        student=student or make_student(),
        school=school,
        school_year=school_year or make_school_year(),
        stage=stage or school.stage_list[0],
        status=fields.pop("status", EnrollmentStatus.STUDYING),
        **fields,
    )


def make_user(
    *,
    role: str,
    township: Township | None = None,
    school: School | None = None,
    username: str | None = None,
) -> Any:
    """A staff user in the role's permission group with the given scope."""
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_counter)}", password=PASSWORD, is_staff=True
    )
    group = Group.objects.get(name=str(Role(role).label))
    user.groups.add(group)
    StaffProfile.objects.create(user=user, role=role, township=township, school=school)
    return user


__all__ = [
    "PASSWORD",
    "HouseholdCategory",
    "make_enrollment",
    "make_household",
    "make_id_number",
    "make_school",
    "make_school_year",
    "make_student",
    "make_township",
    "make_user",
    "make_village",
]
