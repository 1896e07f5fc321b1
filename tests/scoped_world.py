"""Two townships, each with a village, a school, a household and an enrolled student, and
one user per role: the smallest world in which a scope leak shows.

Township A is the users' home: the township officer works there and the director runs
school A. Everything named `_b` is outside their scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aidsite.models import Role
from students.models import (
    Enrollment,
    Household,
    HouseholdCategory,
    School,
    SchoolYear,
    Student,
    Township,
    Village,
)
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

ID_PATTERN_IN_HTML = r"\d{17}[\dX]"


@dataclass
class World:
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


def build_world() -> World:
    year = make_school_year("2022-2023")
    township_a, township_b = make_township("甲镇"), make_township("乙镇")
    village_a = make_village(township=township_a, name="甲村", poor=True)
    village_b = make_village(township=township_b, name="乙村")
    school_a = make_school(township=township_a, name="甲镇中心小学")
    school_b = make_school(township=township_b, name="乙镇中心小学")
    household_a = make_household(
        village=village_a,
        head_name="甲户主",
        categories=(HouseholdCategory.REGISTERED,),
        phone="13912345678",
    )
    household_b = make_household(
        village=village_b,
        head_name="乙户主",
        categories=(HouseholdCategory.DIBAO,),
        phone="13787654321",
    )
    student_a = make_student(household=household_a, name="甲学生", guardian_phone="13611112222")
    student_b = make_student(household=household_b, name="乙学生", is_orphan=True)
    enrollment_a = make_enrollment(
        student=student_a, school=school_a, school_year=year, grade="三年级"
    )
    enrollment_b = make_enrollment(
        student=student_b, school=school_b, school_year=year, grade="四年级"
    )
    return World(
        year=year,
        township_a=township_a,
        township_b=township_b,
        village_a=village_a,
        village_b=village_b,
        school_a=school_a,
        school_b=school_b,
        household_a=household_a,
        household_b=household_b,
        student_a=student_a,
        student_b=student_b,
        enrollment_a=enrollment_a,
        enrollment_b=enrollment_b,
        county=make_user(role=Role.COUNTY_ADMIN, username="county"),
        township_staff=make_user(
            role=Role.TOWNSHIP_STAFF, township=township_a, username="township_a"
        ),
        director=make_user(role=Role.DIRECTOR, school=school_a, username="director_a"),
        auditor=make_user(role=Role.AUDITOR, username="auditor"),
    )
