"""Student loans after approval: signing the contract, disbursements, settled and overdue,
the county's list by status and the 应贷尽贷 check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aidsite.models import Role
from students.models import EnrollmentStatus, HouseholdCategory, Stage
from subsidies.models import LoanStatus
from subsidies.selectors.loans import loan_list, loan_plan, must_lend_students, status_counts
from subsidies.services.loans import loan_disburse, loan_mark_overdue, loan_settle, loan_sign
from tests.factories import (
    make_enrollment,
    make_household,
    make_school,
    make_student,
    make_user,
    make_village,
)
from tests.subsidies.loan_factories import approved_loan

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff(township):
    return {
        "officer": make_user(role=Role.TOWNSHIP_STAFF, township=township),
        "county": make_user(role=Role.COUNTY_ADMIN),
    }


@pytest.fixture
def loan(term, township, staff):
    """A 本科 entrant of 2022 from a poor village's registered household: 8000 a year (应贷尽贷)."""
    household = make_household(
        village=make_village(township=township, poor=True),
        categories=(HouseholdCategory.REGISTERED,),
    )
    return approved_loan(
        year=term.school_year, household=household, officer=staff["officer"], county=staff["county"]
    )


def sign(loan, actor, **changes):
    fields = {
        "bank": "县农村信用合作联社", "contract_number": "HT2022001", "signed_on": dt.date(2022, 9, 1),
        "amount_per_year": D("8000"), "term_years": 20, "rate": D("0.0435"),
    }  # fmt: skip
    fields.update(changes)
    return loan_sign(loan=loan, actor=actor, **fields)


def disburse(loan, actor, year, amount, on):
    return loan_disburse(
        loan=loan, actor=actor, year_of_study=year, amount=D(amount), disbursed_on=on
    )


def test_it_signs_the_contract_with_the_policys_grace_period_and_gives_the_plan(loan, staff):
    signed = sign(loan, staff["county"])
    assert (signed.status, signed.term_years, signed.grace_years, signed.rate) == (
        LoanStatus.SIGNED, 20, 3, D("0.0435"),
    )  # fmt: skip
    plan = loan_plan(signed)
    assert len(plan) == 20
    assert (plan[0].balance, plan[0].interest, plan[0].payer) == (
        D("8000.00"),
        D("348.00"),
        "state",
    )
    assert signed.history.first().history_user == staff["county"]


def test_the_amount_a_year_cannot_exceed_what_the_approval_gave(loan, staff):
    with pytest.raises(ValidationError) as exc:
        sign(loan, staff["county"], amount_per_year=D("8000.01"))
    assert exc.value.message_dict["amount_per_year"] == [
        "每年贷款金额 8000.01 元超过批准的每年 8000.00 元。"
    ]
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACCEPTED


def test_a_term_beyond_the_policys_maximum_is_refused(loan, staff):
    with pytest.raises(ValidationError) as exc:
        sign(loan, staff["county"], term_years=21)
    assert exc.value.message_dict["term_years"] == ["贷款期限 21 年超过最长期限 20 年。"]


def test_a_term_leaving_no_year_to_repay_is_refused(loan, staff):
    with pytest.raises(ValidationError, match="贷款期限至少 8 年"):
        sign(loan, staff["county"], term_years=7)


def test_a_contract_number_already_used_is_refused(term, township, staff, loan):
    sign(loan, staff["county"])
    other = approved_loan(
        year=term.school_year, household=make_household(village=make_village(township=township)),
        officer=staff["officer"], county=staff["county"],
    )  # fmt: skip
    assert other.amount_per_year == D(
        "6000.00"
    )  # tuition + accommodation, not poor-village hardship
    with pytest.raises(ValidationError) as exc:
        sign(other, staff["county"], amount_per_year=D("6000"))
    assert exc.value.message_dict["contract_number"] == [
        "合同编号 HT2022001 已被另一笔贷款使用，请核对。"
    ]


def test_the_rate_defaults_to_the_policys_and_is_required(loan, staff):
    with pytest.raises(ValidationError) as exc:
        sign(loan, staff["county"], rate=None)
    assert exc.value.message_dict["rate"] == ["请填写年利率（资助项目未设定贷款年利率）。"]
    policy = loan.application.policy
    policy.loan_rate = D("0.0400")
    policy.save()
    assert sign(loan, staff["county"], rate=None).rate == D("0.0400")


def test_township_staff_may_not_sign(loan, staff):
    with pytest.raises(PermissionDenied):
        sign(loan, staff["officer"])


def test_disbursements_are_per_year_of_study_within_the_contract(loan, staff):
    county = staff["county"]
    sign(loan, county)
    item = disburse(loan, county, 1, "8000", dt.date(2022, 9, 20))
    loan.refresh_from_db()
    assert (item.amount, loan.status) == (D("8000"), LoanStatus.DISBURSED)
    with pytest.raises(ValidationError) as exc:
        disburse(loan, county, 1, "8000", dt.date(2022, 9, 21))
    assert exc.value.message_dict["year_of_study"] == ["第 1 学年已登记放款。"]
    with pytest.raises(ValidationError) as exc:
        disburse(loan, county, 5, "9000", dt.date(2022, 8, 1))
    assert exc.value.message_dict == {
        "year_of_study": ["学年应为本合同所贷的第 1 至第 4 学年。"],
        "amount": ["放款金额 9000 元超过合同每年 8000.00 元。"],
        "disbursed_on": ["放款日期不能早于签约日期 2022-09-01。"],
    }
    with pytest.raises(ValidationError, match="不能再修改合同"):
        sign(loan, county, contract_number="HT2022009")


def test_a_loan_not_signed_takes_no_disbursement(loan, staff):
    with pytest.raises(ValidationError, match="须先签约"):
        disburse(loan, staff["county"], 1, "1", dt.date(2022, 9, 2))


def test_overdue_and_settled_are_recorded_after_disbursement(loan, staff):
    county = staff["county"]
    with pytest.raises(ValidationError, match="只有已放款的贷款才能登记结清"):
        loan_settle(loan=loan, actor=county)
    sign(loan, county)
    disburse(loan, county, 1, "8000", dt.date(2022, 9, 20))
    assert loan_mark_overdue(loan=loan, actor=county, note="银行通知").status == LoanStatus.OVERDUE
    assert loan_mark_overdue(loan=loan, actor=county, overdue=False).status == LoanStatus.DISBURSED
    assert loan_settle(loan=loan, actor=county).status == LoanStatus.SETTLED
    assert loan.history.first().history_change_reason == "已结清"


def test_the_list_shows_each_loans_status_on_the_date(term, township, staff, loan):
    county = staff["county"]
    sign(loan, county)
    disburse(loan, county, 1, "8000", dt.date(2022, 9, 20))
    approved_loan(
        year=term.school_year, household=make_household(village=make_village(township=township)),
        officer=staff["officer"], county=county,
    )  # fmt: skip

    def counts(on):
        return {
            row["code"]: row["n"]
            for row in status_counts(loan_list(actor=county, on=on))
            if row["n"]
        }

    assert counts(dt.date(2023, 3, 1)) == {"accepted": 1, "in_school": 1}
    assert counts(dt.date(2027, 3, 1)) == {"accepted": 1, "grace": 1}
    assert counts(dt.date(2030, 3, 1)) == {"accepted": 1, "repaying": 1}
    other = make_user(role=Role.TOWNSHIP_STAFF, township=make_village().township)
    assert loan_list(actor=other, on=dt.date(2023, 3, 1)).count() == 0


def test_must_lend_lists_poor_village_hardship_entrants_without_a_loan_application(
    term, township, staff
):
    from subsidies.models import Policy
    from subsidies.rules.applications import Asked
    from subsidies.services.applications import application_submit

    year = term.school_year
    poor = make_village(township=township, name="石岭村", poor=True)
    plain = make_village(township=township, name="平安村")
    hardship = (HouseholdCategory.REGISTERED,)
    high = make_school(township=township, stages=Stage.HIGH, name="县一中")
    last_year = make_enrollment(
        student=make_student(household=make_household(village=poor, categories=hardship), name="高中毕业生"),
        school=high, school_year=_previous(year), stage=Stage.HIGH, study_year=3,
        status=EnrollmentStatus.GRADUATED,
    ).student  # fmt: skip
    # Finished high school but enrolled again this year (复读): not an entrant.
    repeater = make_enrollment(
        student=make_student(household=make_household(village=poor, categories=hardship), name="复读生"),
        school=high, school_year=_previous(year), stage=Stage.HIGH, study_year=3,
    ).student  # fmt: skip
    make_enrollment(student=repeater, school=high, school_year=year, stage=Stage.HIGH, study_year=3)
    # Finished, but the household is not in a poor village / has no hardship: not listed.
    for village, categories, name in ((plain, hardship, "非贫困村"), (poor, (), "非困难户")):
        make_enrollment(
            student=make_student(household=make_household(village=village, categories=categories), name=name),
            school=high, school_year=_previous(year), stage=Stage.HIGH, study_year=3,
        )  # fmt: skip
    # An entrant who applied for 低保新生资助 and not for a loan: listed, with the college.
    applicant = make_student(
        household=make_household(village=poor, categories=(HouseholdCategory.DIBAO,)), name="新生甲",
        birth=dt.date(2004, 5, 1),
    )  # fmt: skip
    living = Policy.objects.get(school_year=year, code="HE-LIVING")
    living.annual_amount = D("1000")  # the county sets the one-off amount
    living.save()
    application_submit(
        actor=staff["officer"], student=applicant, policy=living,
        asked=Asked(amount=D("1000"), college="中南大学", degree_level="bachelor", entry_year=2022,
                    program_years=4),
        applied_on=dt.date(2022, 8, 25),
    )  # fmt: skip
    # An entrant with a loan: not listed.
    approved_loan(year=year, household=make_household(village=poor, categories=hardship), officer=staff["officer"],
                  county=staff["county"], name="已贷款")  # fmt: skip

    rows = must_lend_students(actor=staff["county"], school_year=year)
    assert [(s.name, s.college, s.high_school) for s in rows] == [
        ("新生甲", "中南大学", None),
        ("高中毕业生", None, "县一中"),
    ]
    assert last_year.pk in {
        s.pk for s in must_lend_students(actor=staff["officer"], school_year=year)
    }
    elsewhere = make_user(role=Role.TOWNSHIP_STAFF, township=make_village().township)
    assert list(must_lend_students(actor=elsewhere, school_year=year)) == []


def _previous(year):
    from tests.factories import make_school_year

    return make_school_year(f"{year.start_year - 1}-{year.start_year}")
