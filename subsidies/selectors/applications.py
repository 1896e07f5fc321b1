"""Reads for aid by application: who the applicant is, and what the registry says of them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdHardship,
    HouseholdMember,
    Season,
    Student,
    Term,
)
from subsidies.models import Policy
from subsidies.rules.applications import ApplicantFacts
from subsidies.rules.facts import HOUSEHOLD_FACT_KEYS, HOUSEHOLD_FACTS, categories_of
from subsidies.selectors.population import counting_hardships, lifted_counting


def application_term(policy: Policy, term: Term | None = None) -> Term | None:
    """The term an application is paid in: the one asked for, or for one-off aid the year's first."""
    if term is not None and not policy.is_one_off:
        return term
    terms = Term.objects.filter(school_year_id=policy.school_year_id)
    return terms.filter(season=Season.AUTUMN).first() or terms.order_by("start_date").first()


def applicant_enrollment(student: Student, policy: Policy) -> Enrollment | None:
    """The student's enrollment 在读 this year at a school of the policy's stages (fee waivers)."""
    if policy.is_one_off:
        return None
    return (
        Enrollment.objects.filter(
            student=student,
            school_year_id=policy.school_year_id,
            status=EnrollmentStatus.STUDYING,
            stage__in=policy.stage_list,
        )
        .select_related("school__township")
        .order_by("pk")
        .first()
    )


def applicant_facts(student: Student, policy: Policy, term: Term, enrollment: Enrollment | None) -> ApplicantFacts:
    """The student's categories in `term`, counted as the policy counts them (脱贫不脱政策 included)."""
    counting = counting_hardships(lifted_counting(policy, term))
    held = set(
        HouseholdHardship.objects.filter(counting, household_id=student.household_id).values_list("category", flat=True)
    )
    # The same fact row the computed policies read, so that categories are derived in one place.
    row: dict[str, Any] = {HOUSEHOLD_FACT_KEYS[c]: household in held for c, household in HOUSEHOLD_FACTS.items()}
    row.update(
        student__is_orphan=student.is_orphan,
        student__is_martyr_child=student.is_martyr_child,
        student__is_disabled=student.is_disabled,
        stage=enrollment.stage if enrollment is not None else None,
        is_agri_major=enrollment is not None and enrollment.is_agri_major,
    )
    categories = categories_of(row)
    fee: Decimal | None = enrollment.school.tuition if enrollment is not None else None
    return ApplicantFacts(
        categories=categories,
        poor_village=bool(student.household.village.is_poor_village),
        stage=enrollment.stage if enrollment is not None else None,
        school_fee_per_year=fee,
    )


def applicant_find(id_number: str) -> Student | HouseholdMember | None:
    """The registry's holder of an ID number: a student, else a household member (college students)."""
    student = Student.objects.select_related("household__village__township").filter(id_number=id_number).first()
    if student is not None:
        return student
    return (
        HouseholdMember.objects.select_related("household__village__township")
        .filter(id_number=id_number)
        .first()
    )
