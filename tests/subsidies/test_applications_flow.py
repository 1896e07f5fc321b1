"""Aid by application, end to end in the services: submit → 初审 → county 审核 → entitlement or loan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.models import ApplicationStatus, EntitlementStatus, LoanStatus, Policy
from subsidies.rules.applications import Asked
from subsidies.services.applications import (
    application_check,
    application_decide,
    application_submit,
)
from tests.factories import make_school, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(township):
    return {
        "officer": make_user(role=Role.TOWNSHIP_STAFF, township=township),
        "county": make_user(role=Role.COUNTY_ADMIN),
        "county2": make_user(role=Role.COUNTY_ADMIN),
    }


def test_fee_waiver_approved_becomes_an_approved_entitlement_of_the_term(term, township, kids, staff):
    school = make_school(township=township, stages=Stage.KINDERGARTEN, tuition=Decimal("1800"))
    child = kids(school, categories=(HouseholdCategory.EXTREME,), poor=True, stage=Stage.KINDERGARTEN)
    policy = Policy.objects.get(school_year=term.school_year, code="PRE-FEE")
    application = application_submit(
        actor=staff["officer"], student=child.student, policy=policy, term=term,
        asked=Asked(amount=Decimal("900")), applied_on=dt.date(2022, 9, 5),
    )  # fmt: skip
    assert application.status == ApplicationStatus.SUBMITTED
    application_check(application=application, actor=staff["officer"])
    decided = application_decide(application=application, actor=staff["county"], approve=True)
    assert decided.status == ApplicationStatus.APPROVED
    ent = decided.entitlement
    # "酌情减免保教费": up to the kindergarten's fee for the term, 1800 a year → 900 a term.
    assert (ent.amount, ent.max_amount, ent.status, ent.term) == (Decimal("900"), Decimal("900.00"), EntitlementStatus.APPROVED, term)
    assert [e.action for e in decided.events.all()] == ["submit", "check", "approve"]


def test_fee_waiver_above_the_term_fee_is_refused(term, township, kids, staff):
    school = make_school(township=township, stages=Stage.KINDERGARTEN, tuition=Decimal("1800"))
    child = kids(school, categories=(HouseholdCategory.EXTREME,), poor=True, stage=Stage.KINDERGARTEN)
    policy = Policy.objects.get(school_year=term.school_year, code="PRE-FEE")
    with pytest.raises(ValidationError) as exc:
        application_submit(
            actor=staff["officer"], student=child.student, policy=policy, term=term,
            asked=Asked(amount=Decimal("901")), applied_on=dt.date(2022, 9, 5),
        )  # fmt: skip
    assert "超过上限" in str(exc.value.message_dict["amount_requested"])


def test_the_county_reviewer_cannot_have_checked_it(term, township, kids, staff):
    school = make_school(township=township, stages=Stage.KINDERGARTEN, tuition=Decimal("1800"))
    child = kids(school, categories=(HouseholdCategory.EXTREME,), poor=True, stage=Stage.KINDERGARTEN)
    policy = Policy.objects.get(school_year=term.school_year, code="PRE-FEE")
    county = staff["county"]
    application = application_submit(
        actor=county, student=child.student, policy=policy, term=term,
        asked=Asked(amount=Decimal("500")), applied_on=dt.date(2022, 9, 5),
    )  # fmt: skip
    application_check(application=application, actor=staff["officer"])
    with pytest.raises(ValidationError, match="不能审核自己经手"):
        application_decide(application=application, actor=county, approve=True)
    done = application_decide(application=application, actor=staff["county2"], approve=True)
    assert done.entitlement.amount == Decimal("500")


def test_a_college_loan_opens_a_loan_at_the_cap_for_poor_village_hardship(term, township, kids, staff):
    school = make_school(township=township, stages=Stage.HIGH)
    pupil = kids(school, categories=(HouseholdCategory.REGISTERED,), poor=True, stage=Stage.HIGH)
    policy = Policy.objects.get(school_year=term.school_year, code="HE-LOAN")
    application = application_submit(
        actor=staff["officer"], student=pupil.student, policy=policy,
        asked=Asked(amount=Decimal("6000"), college="湖南大学", degree_level="bachelor", entry_year=2022,
                    program_years=4, tuition_per_year=Decimal("5000"), accommodation_per_year=Decimal("1000")),
        applied_on=dt.date(2022, 8, 20),
    )  # fmt: skip
    application_check(application=application, actor=staff["officer"])
    done = application_decide(application=application, actor=staff["county"], approve=True)
    # "对省定贫困村家庭困难的…大学生实现应贷尽贷,并享受最高贷款额度": 8000, not the 6000 of fees.
    assert done.loan.amount_per_year == Decimal("8000.00")
    assert done.loan.status == LoanStatus.ACCEPTED
    assert done.entitlement is None
