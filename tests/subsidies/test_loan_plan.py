"""The repayment plan of a 生源地信用助学贷款 contract, for a worked example written out by hand.

The seed: 本专科 up to 8000 yuan a year, "学生在校期间实行财政全额贴息", term up to 20
years, "还本宽限期…3年". The example: a 本科 student entering in 2022 (学制 4 years),
8000 a year from the 2022-2023 school year, a 20-year term, 3 grace years, 4.35% a year.

By hand (see subsidies/rules/loans.py for the conventions):
- 2022-2026, in school (periods 1-4): balance 8000, 16000, 24000, 32000; interest ×4.35%
  = 348.00, 696.00, 1044.00, 1392.00, all paid by the state; no principal;
- 2026-2029, grace (periods 5-7): balance 32000, interest 1392.00 a year paid by the student;
- 2029-2042, repaying (periods 8-20, 13 years): 32000 / 13 = 2461.538… → 2461.54 a year,
  the last 32000 − 12 × 2461.54 = 2461.52; interest on the balance at each period's start.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from subsidies.rules.loans import (
    LoanTerms,
    plan_totals,
    repayment_plan,
    status_on,
    terms_problems,
)

D = Decimal

EXAMPLE = LoanTerms(
    amount_per_year=D("8000.00"), first_year=2022, entry_year=2022, program_years=4,
    term_years=20, grace_years=3, rate=D("0.0435"),
)  # fmt: skip

# (school year, phase, balance, interest, payer, principal), typed out by hand.
EXPECTED = [
    ("2022-2023", "in_school", "8000.00", "348.00", "state", "0.00"),
    ("2023-2024", "in_school", "16000.00", "696.00", "state", "0.00"),
    ("2024-2025", "in_school", "24000.00", "1044.00", "state", "0.00"),
    ("2025-2026", "in_school", "32000.00", "1392.00", "state", "0.00"),
    ("2026-2027", "grace", "32000.00", "1392.00", "student", "0.00"),
    ("2027-2028", "grace", "32000.00", "1392.00", "student", "0.00"),
    ("2028-2029", "grace", "32000.00", "1392.00", "student", "0.00"),
    ("2029-2030", "repaying", "32000.00", "1392.00", "student", "2461.54"),
    ("2030-2031", "repaying", "29538.46", "1284.92", "student", "2461.54"),
    ("2031-2032", "repaying", "27076.92", "1177.85", "student", "2461.54"),
    ("2032-2033", "repaying", "24615.38", "1070.77", "student", "2461.54"),
    ("2033-2034", "repaying", "22153.84", "963.69", "student", "2461.54"),
    ("2034-2035", "repaying", "19692.30", "856.62", "student", "2461.54"),
    ("2035-2036", "repaying", "17230.76", "749.54", "student", "2461.54"),
    ("2036-2037", "repaying", "14769.22", "642.46", "student", "2461.54"),
    ("2037-2038", "repaying", "12307.68", "535.38", "student", "2461.54"),
    ("2038-2039", "repaying", "9846.14", "428.31", "student", "2461.54"),
    ("2039-2040", "repaying", "7384.60", "321.23", "student", "2461.54"),
    ("2040-2041", "repaying", "4923.06", "214.15", "student", "2461.54"),
    ("2041-2042", "repaying", "2461.52", "107.08", "student", "2461.52"),
]


def test_it_matches_the_worked_example_year_by_year():
    plan = repayment_plan(EXAMPLE)
    got = [(p.school_year, p.phase, p.balance, p.interest, p.payer, p.principal) for p in plan]
    assert got == [(y, ph, D(b), D(i), pay, D(pr)) for y, ph, b, i, pay, pr in EXPECTED]


def test_it_disburses_each_year_of_study_and_ends_at_zero_within_the_term():
    plan = repayment_plan(EXAMPLE)
    assert [p.disbursed for p in plan[:5]] == [D("8000.00")] * 4 + [D("0.00")]
    assert len(plan) == 20
    assert plan[-1].balance_after == D("0.00")
    totals = plan_totals(plan)
    # 12 × 2461.54 + 2461.52 = 32000; the state pays 348 + 696 + 1044 + 1392 = 3480.
    assert totals.principal == D("32000.00")
    assert totals.state_interest == D("3480.00")
    assert totals.last_year == "2041-2042"
    # The student: 3 × 1392 in grace, then the 13 repaying years' interest summed by hand:
    # 1392 + 1284.92 + 1177.85 + 1070.77 + 963.69 + 856.62 + 749.54 + 642.46 + 535.38
    # + 428.31 + 321.23 + 214.15 + 107.08 = 9744.00.
    assert totals.student_interest == D("4176.00") + D("9744.00")


def test_a_shorter_term_repays_in_fewer_larger_instalments():
    # 10 years: 4 in school, 3 grace, 3 repaying: 32000 / 3 = 10666.666… → 10666.67, 10666.67, 10666.66.
    plan = repayment_plan(LoanTerms(**{**EXAMPLE.__dict__, "term_years": 10}))
    assert [p.principal for p in plan[7:]] == [D("10666.67"), D("10666.67"), D("10666.66")]
    assert [p.interest for p in plan[7:]] == [D("1392.00"), D("928.00"), D("464.00")]


def test_a_second_year_student_borrows_for_the_years_left():
    # Entered 2021 (专科, 3 years), borrowing from 2022: two years of study, 2022-2023 and 2023-2024.
    terms = LoanTerms(
        amount_per_year=D("6000.00"), first_year=2022, entry_year=2021, program_years=3,
        term_years=8, grace_years=3, rate=D("0.0400"),
    )  # fmt: skip
    plan = repayment_plan(terms)
    assert terms.first_year_of_study == 2
    assert [(p.phase, p.balance, p.interest) for p in plan[:3]] == [
        ("in_school", D("6000.00"), D("240.00")),
        ("in_school", D("12000.00"), D("480.00")),
        ("grace", D("12000.00"), D("480.00")),
    ]
    # 8 − 2 − 3 = 3 repaying years of 4000.
    assert [p.principal for p in plan[5:]] == [D("4000.00")] * 3


def test_the_term_is_bounded_by_the_policy_and_by_the_years_it_needs():
    assert terms_problems(EXAMPLE, max_term_years=20) == []
    assert terms_problems(
        LoanTerms(**{**EXAMPLE.__dict__, "term_years": 21}), max_term_years=20
    ) == ["贷款期限 21 年超过最长期限 20 年"]
    # 4 years in school + 3 grace years leave no year to repay in a 7-year term.
    short = LoanTerms(**{**EXAMPLE.__dict__, "term_years": 7})
    assert terms_problems(short, max_term_years=20) == [
        "贷款期限至少 8 年（在校 4 年、宽限期 3 年后至少还本 1 年）"
    ]
    with pytest.raises(ValueError, match="至少 8 年"):
        repayment_plan(short)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2022, 9, 15), "in_school"),
        (dt.date(2026, 8, 31), "in_school"),  # the last day of the fourth school year
        (dt.date(2026, 9, 1), "grace"),
        (dt.date(2029, 8, 31), "grace"),
        (dt.date(2029, 9, 1), "repaying"),
        (dt.date(2045, 1, 1), "repaying"),  # past the term, until someone records 已结清
    ],
)
def test_a_disbursed_loan_moves_through_the_phases_by_date(on, expected):
    assert status_on(stored="disbursed", leaves_school=2026, grace_years=3, on=on) == expected


def test_recorded_statuses_win_over_the_dates():
    on = dt.date(2024, 1, 1)
    assert status_on(stored="settled", leaves_school=2026, grace_years=3, on=on) == "settled"
    assert status_on(stored="overdue", leaves_school=2026, grace_years=3, on=on) == "overdue"
    assert (
        status_on(stored="signed", leaves_school=2026, grace_years=3, on=dt.date(2030, 1, 1))
        == "signed"
    )
    assert status_on(stored="accepted", leaves_school=2026, grace_years=3, on=on) == "accepted"
