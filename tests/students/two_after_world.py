"""Students who finish 初中 or 普通高中 in 2022-2023, and what they do in 2023-2024, for the
两后生 tests: who is listed, who is not and why, in two townships and a county vocational school.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdCategory,
    HouseholdHardship,
    PovertyStatus,
    SchoolYear,
    Stage,
    Student,
)
from tests.factories import (
    make_enrollment,
    make_household,
    make_school,
    make_school_year,
    make_student,
)
from tests.world import make_place

JUNIOR_BIRTH = dt.date(2007, 5, 1)  # 15 on 1 September 2022: 九年级
HIGH_BIRTH = dt.date(2004, 5, 1)  # 18: 高三
EXTREME = (HouseholdCategory.EXTREME,)


@dataclass
class TwoAfterWorld:
    year: SchoolYear  # 2022-2023: the year they finish
    next_year: SchoolYear | None  # 2023-2024, unless the world is built before it opens
    township: Any  # 东岭镇
    other_township: Any  # 西川镇
    village: Any  # 上村 (东岭镇)
    other_village: Any  # 西村 (西川镇)
    junior: Any  # 东岭中学
    high: Any  # 东岭高中
    other_junior: Any  # 西川中学
    vocational: Any  # 县职业中专 (城关镇, public, 3000 元 a year)
    college: Any  # 城关镇生源地大学生 (the college roll)
    students: dict[str, Student] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Student:
        return self.students[name]

    def finish(self, name: str, *, village: Any = None, categories: tuple[str, ...] = EXTREME,
               school: Any = None, stage: str = Stage.JUNIOR, **fields: Any) -> Student:  # fmt: skip
        """A student of a new household (特困 unless told) with an enrollment of the year (毕业 unless told)."""
        household = make_household(village=village or self.village, categories=categories)
        birth = fields.pop("birth", HIGH_BIRTH if stage == Stage.HIGH else JUNIOR_BIRTH)
        student = make_student(household=household, name=name, birth=birth)
        fields.setdefault("status", EnrollmentStatus.GRADUATED)
        make_enrollment(student=student, school=school or self.junior, school_year=self.year,
                        stage=stage, **fields)  # fmt: skip
        self.students[name] = student
        return student

    def enroll_next(self, name: str, school: Any, stage: str, **fields: Any) -> Enrollment:
        assert self.next_year is not None
        return make_enrollment(
            student=self[name], school=school, school_year=self.next_year, stage=stage, **fields
        )


# Listed for the county (2023-2024 opened): finished in 2022-2023, 特困, no enrollment in 2023-2024.
LISTED = {"张初毕", "张高三", "张初三", "西川户东岭校", "西川本地"}


def build_two_after_world(*, next_year_opened: bool = True) -> TwoAfterWorld:
    east = make_place("东岭镇", villages={"上村": False},
                      schools={"东岭中学": Stage.JUNIOR, "东岭高中": Stage.HIGH})  # fmt: skip
    west = make_place("西川镇", villages={"西村": False}, schools={"西川中学": Stage.JUNIOR})
    town = make_place("城关镇", villages={"城关社区": False}, schools={})
    world = TwoAfterWorld(
        year=make_school_year("2022-2023"),
        next_year=make_school_year("2023-2024") if next_year_opened else None,
        township=east.township, other_township=west.township, village=east.village,
        other_village=west.village, junior=east.schools[0], high=east.schools[1],
        other_junior=west.school,
        vocational=make_school(
            township=town.township, name="县职业中专", stages=Stage.VOCATIONAL,
            tuition=Decimal("3000"), is_rural=False,
        ),
        college=make_school(township=town.township, name="城关镇生源地大学生", stages=Stage.HIGHER),
    )  # fmt: skip
    _finishers(
        world, primary=make_school(township=east.township, name="东岭小学", stages=Stage.PRIMARY)
    )
    if world.next_year is not None:
        world.enroll_next("张升高中", world.high, Stage.HIGH, grade="高一", study_year=1)
        world.enroll_next("张大学", world.college, Stage.HIGHER)
        world.enroll_next(
            "张中职", world.vocational, Stage.VOCATIONAL, grade="一年级", study_year=1
        )
    return world


def _finishers(world: TwoAfterWorld, *, primary: Any) -> None:
    world.finish("张初毕", grade="九年级", study_year=3)
    world.finish("张高三", school=world.high, stage=Stage.HIGH, grade="高三", study_year=3,
                 status=EnrollmentStatus.STUDYING)  # fmt: skip
    # A final grade named only by its grade (no year of study read from the roster).
    world.finish("张初三", grade="初三", status=EnrollmentStatus.STUDYING)
    world.finish("张初二", grade="八年级", study_year=2, status=EnrollmentStatus.STUDYING)
    world.finish("张低保", categories=(HouseholdCategory.DIBAO,), grade="九年级", study_year=3)
    lifted = world.finish("张脱贫", categories=(), grade="九年级", study_year=3)
    HouseholdHardship.objects.create(
        household=lifted.household, category=HouseholdCategory.EXTREME, year_registered=2016,
        status=PovertyStatus.LIFTED, year_lifted=2021,
    )  # fmt: skip
    world.finish("张辍学", grade="九年级", study_year=3, status=EnrollmentStatus.DROPPED)
    world.finish("张小学", school=primary, stage=Stage.PRIMARY, birth=dt.date(2010, 5, 1),
                 grade="六年级", study_year=6)  # fmt: skip
    world.finish("张升高中", grade="九年级", study_year=3)
    world.finish("张大学", school=world.high, stage=Stage.HIGH, grade="高三", study_year=3)
    world.finish("张中职", grade="九年级", study_year=3)
    # 西川镇's household, the school left in 东岭镇: both townships see the student.
    world.finish("西川户东岭校", village=world.other_village, grade="九年级", study_year=3)
    world.finish("西川本地", village=world.other_village, school=world.other_junior,
                 grade="九年级", study_year=3)  # fmt: skip
