"""Households with members of every age and status, for the 控辍保学 tests.

School year 2022-2023 counts ages on 31 August 2022: compulsory ages 6–15 are born
1 September 2006 – 31 August 2016, preschool ages 3–5 born 1 September 2016 – 31 August 2019.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from students.models import (
    EnrollmentStatus,
    Household,
    HouseholdHardship,
    HouseholdMember,
    PovertyStatus,
    Relation,
    SchoolYear,
    Stage,
)
from tests.factories import (
    HouseholdCategory,
    make_enrollment,
    make_household,
    make_id_number,
    make_school,
    make_school_year,
    make_student,
)
from tests.world import make_place


def make_member(
    *, household: Household, name: str, birth: dt.date, relation: str = Relation.CHILD
) -> HouseholdMember:
    return HouseholdMember.objects.create(
        household=household, name=name, id_number=make_id_number(birth=birth), relation=relation
    )


def enroll_member(
    member: HouseholdMember,
    *,
    school: Any,
    year: SchoolYear,
    stage: str = Stage.PRIMARY,
    **fields: Any,
) -> Any:
    """The member's enrollment, the student filed under another household record (as imports do)."""
    student = make_student(
        household=make_household(village=member.household.village),
        name=member.name,
        birth=member.birth_date,
    )
    student.id_number = member.id_number
    student.save()
    return make_enrollment(student=student, school=school, school_year=year, stage=stage, **fields)


@dataclass
class DropoutWorld:
    year: SchoolYear
    township: Any
    other_township: Any
    village: Any
    school: Any
    other_school: Any
    household: Household
    members: dict[str, HouseholdMember] = field(default_factory=dict)

    def __getitem__(self, name: str) -> HouseholdMember:
        return self.members[name]


def build_dropout_world() -> DropoutWorld:
    """东岭镇 with a 低保 household of many children, an ordinary and a lifted household; 西川镇
    with a school where one of 东岭镇's children is enrolled."""
    year = make_school_year("2022-2023")
    east = make_place(
        "东岭镇", villages={"上村": False, "下村": True}, schools={"东岭小学": Stage.PRIMARY}
    )
    west = make_place(
        "西川镇", villages={"西村": False}, schools={"西川中学": f"{Stage.PRIMARY},{Stage.JUNIOR}"}
    )
    poor = make_household(
        village=east.village, head_name="王大山", categories=(HouseholdCategory.DIBAO,)
    )
    world = DropoutWorld(
        year=year, township=east.township, other_township=west.township, village=east.village,
        school=east.school, other_school=west.school, household=poor,
    )  # fmt: skip
    births = {
        "王小学": dt.date(2012, 3, 1),  # 10: 小学, no enrollment
        "王初中": dt.date(2009, 5, 1),  # 13: 初中, no enrollment
        "王六岁": dt.date(2016, 8, 31),  # 6 on the day: compulsory
        "王五岁": dt.date(2016, 9, 1),  # 5 on the day: preschool
        "王十五": dt.date(2006, 9, 1),  # 15 on the day: compulsory
        "王十六": dt.date(2006, 8, 31),  # 16: too old
        "王两岁": dt.date(2020, 1, 1),  # 2: too young even for kindergarten
        "王在读": dt.date(2013, 1, 1),  # enrolled in 西川镇
        "王辍学": dt.date(2011, 1, 1),  # enrollment marked 辍学
        "王去年": dt.date(2011, 6, 1),  # enrolled last year only
        "王幼儿": dt.date(2018, 2, 1),  # 4, in a kindergarten
    }
    for name, birth in births.items():
        world.members[name] = make_member(household=poor, name=name, birth=birth)
    world.members["王大山"] = make_member(
        household=poor, name="王大山", birth=dt.date(1980, 1, 1), relation=Relation.HEAD
    )
    enroll_member(world["王在读"], school=west.school, year=year)
    enroll_member(world["王辍学"], school=east.school, year=year, status=EnrollmentStatus.DROPPED)
    enroll_member(world["王去年"], school=east.school, year=make_school_year("2021-2022"))
    kindergarten = make_school(township=east.township, name="东岭幼儿园", stages=Stage.KINDERGARTEN)
    enroll_member(world["王幼儿"], school=kindergarten, year=year, stage=Stage.KINDERGARTEN)

    ordinary = make_household(village=east.village, head_name="李普通")
    world.members["李普通"] = make_member(
        household=ordinary, name="李普通", birth=dt.date(2012, 4, 1)
    )
    lifted = make_household(village=east.villages[1], head_name="赵脱贫")
    HouseholdHardship.objects.create(
        household=lifted, category=HouseholdCategory.REGISTERED, year_registered=2016,
        status=PovertyStatus.LIFTED, year_lifted=2020,
    )  # fmt: skip
    world.members["赵脱贫"] = make_member(
        household=lifted, name="赵脱贫", birth=dt.date(2010, 10, 1)
    )
    west_poor = make_household(
        village=west.village, head_name="陈西川", categories=(HouseholdCategory.REGISTERED,)
    )
    world.members["陈西川"] = make_member(
        household=west_poor, name="陈西川", birth=dt.date(2012, 2, 2)
    )
    return world
