"""The loan pages: the list by status and its scope, signing on the loan page, the plan, the
printable plan and the 应贷尽贷 list."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aidsite.models import Role
from students.models import EnrollmentStatus, HouseholdCategory, Stage
from subsidies.models import LoanStatus
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
from tests.subsidies.loan_factories import approved_loan

pytestmark = pytest.mark.django_db
FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def world(term, township):
    other = make_township("白水镇")
    county = make_user(role=Role.COUNTY_ADMIN)
    officers = {t: make_user(role=Role.TOWNSHIP_STAFF, township=t) for t in (township, other)}
    poor = (HouseholdCategory.REGISTERED,)
    loans = {
        t: approved_loan(
            year=term.school_year,
            household=make_household(village=make_village(township=t, poor=True), categories=poor),
            officer=officers[t],
            county=county,
            name=name,
        )  # fmt: skip
        for t, name in ((township, "青山学生"), (other, "白水学生"))
    }
    return {"county": county, "officers": officers, "loans": loans, "a": township, "b": other}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_counts_by_status_and_township_staff_see_their_own(world):
    page = client_for(world["county"]).get("/aid/loans/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "青山学生" in html and "白水学生" in html
    assert "受理：2" in html
    assert not FULL_ID.search(html)
    mine = client_for(world["officers"][world["a"]]).get("/aid/loans/").content.decode()
    assert "青山学生" in mine and "白水学生" not in mine
    assert "受理：1" in mine


def test_the_list_filters_by_status(world):
    html = client_for(world["county"]).get("/aid/loans/?status=signed").content.decode()
    assert "青山学生" not in html and "没有符合条件的贷款" in html


def test_another_townships_loan_is_not_found(world):
    loan_b = world["loans"][world["b"]]
    officer_a = client_for(world["officers"][world["a"]])
    assert officer_a.get(f"/aid/loans/{loan_b.pk}/").status_code == 404
    assert officer_a.get(f"/aid/loans/{loan_b.pk}/print/").status_code == 404


def test_the_county_signs_on_the_loan_page_and_sees_the_plan(world):
    loan = world["loans"][world["a"]]
    client = client_for(world["county"])
    form = {
        "action": "sign", "bank": "县农村信用合作联社", "contract_number": "HT-001", "signed_on": "2022-09-01",
        "amount_per_year": "8000", "term_years": "21", "rate_percent": "4.35",
    }  # fmt: skip
    refused = client.post(f"/aid/loans/{loan.pk}/", form)
    assert refused.status_code == 200
    assert "贷款期限 21 年超过最长期限 20 年" in refused.content.decode()
    done = client.post(f"/aid/loans/{loan.pk}/", {**form, "term_years": "20"}, follow=True)
    html = done.content.decode()
    assert "已签约，合同编号 HT-001" in html
    assert "2041-2042" in html and "财政贴息" in html and "348.00" in html
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SIGNED
    printed = client.get(f"/aid/loans/{loan.pk}/print/").content.decode()
    assert "还款计划" in printed and "HT-001" in printed and not FULL_ID.search(printed)


def test_township_staff_read_the_loan_but_may_not_sign(world):
    loan = world["loans"][world["a"]]
    officer = client_for(world["officers"][world["a"]])
    page = officer.get(f"/aid/loans/{loan.pk}/").content.decode()
    assert "青山学生" in page and 'value="sign"' not in page
    assert officer.post(f"/aid/loans/{loan.pk}/", {"action": "sign"}).status_code == 403


def test_the_must_lend_page_lists_the_years_finishers_without_a_loan(world, term):
    previous = make_school_year(f"{term.school_year.start_year - 1}-{term.school_year.start_year}")
    high = make_school(township=world["b"], stages=Stage.HIGH, name="白水中学")
    household = make_household(
        village=make_village(township=world["b"], poor=True),
        categories=(HouseholdCategory.EXTREME,),
    )
    make_enrollment(
        student=make_student(household=household, name="待跟进生"), school=high, school_year=previous,
        stage=Stage.HIGH, study_year=3, status=EnrollmentStatus.GRADUATED,
    )  # fmt: skip
    county = client_for(world["county"]).get(
        f"/aid/loans/must-lend/?school_year={term.school_year.pk}"
    )
    html = county.content.decode()
    assert (
        "待跟进生" in html and "上学年白水中学毕业" in html and "共 <strong>1</strong> 人" in html
    )
    assert "青山学生" not in html  # has a loan
    officer_a = client_for(world["officers"][world["a"]]).get(
        f"/aid/loans/must-lend/?school_year={term.school_year.pk}"
    )
    assert "待跟进生" not in officer_a.content.decode()


def test_the_list_runs_a_constant_number_of_queries(world, term):
    client = client_for(world["county"])
    client.get("/aid/loans/")  # warm the session and permission caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/aid/loans/").status_code == 200
        return len(context)

    before = queries()
    for i in range(5):
        approved_loan(
            year=term.school_year, household=make_household(village=make_village(township=world["a"])),
            officer=world["officers"][world["a"]], county=world["county"], name=f"加{i}",
        )  # fmt: skip
    assert queries() == before
