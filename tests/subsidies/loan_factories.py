"""Approved student loans for the loan tests, the endpoint matrix and the browser test, made
through the services (submit, 初审, the county's decision)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from students.models import SchoolYear
from subsidies.models import Policy, StudentLoan
from subsidies.rules.applications import Asked
from subsidies.services.applications import (
    application_check,
    application_decide,
    application_submit,
)
from tests.factories import make_student


def loan_policy_of(year: SchoolYear) -> Policy:
    return Policy.objects.get(school_year=year, code="HE-LOAN")


def approved_loan(
    *,
    year: SchoolYear,
    household: Any,
    officer: Any,
    county: Any,
    name: str | None = None,
    entry_year: int | None = None,
    program_years: int = 4,
    degree_level: str = "bachelor",
    tuition: Decimal = Decimal("5000"),
    accommodation: Decimal = Decimal("1000"),
) -> StudentLoan:
    """A college student of `household` whose loan application the county approved (受理).

    A household of a poor village with a hardship gets the cap (应贷尽贷); others get
    tuition plus accommodation (6000 by default).
    """
    student = make_student(
        household=household, name=name, birth=dt.date(year.start_year - 18, 3, 1)
    )
    application = application_submit(
        actor=officer,
        student=student,
        policy=loan_policy_of(year),
        asked=Asked(
            amount=tuition + accommodation, college="湖南大学", degree_level=degree_level,
            entry_year=entry_year or year.start_year, program_years=program_years,
            tuition_per_year=tuition, accommodation_per_year=accommodation,
        ),
        applied_on=dt.date(year.start_year, 8, 20),
    )  # fmt: skip
    application_check(application=application, actor=officer)
    return application_decide(application=application, actor=county, approve=True).loan
