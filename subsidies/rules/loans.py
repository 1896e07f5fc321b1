"""生源地信用助学贷款: the repayment plan of a signed contract, and a loan's status on a date.

Pure: a `LoanTerms` (the contract's figures and the student's years of study)
comes in, a list of `PlanYear` comes out; nothing is saved (the plan is derived
from the contract every time it is shown).

The seed's clauses: "学生在校期间实行财政全额贴息…最长贷款期限…20年，还本宽限期…3年".

Where the seed is silent, this module decides (and the plan page says so):

- Periods are school years (1 September to 31 August), numbered from the school
  year of the first disbursement, the application's school year; a year of
  study's loan is paid out at the start of its period.
- The student is in school until the end of the school year `entry_year +
  program_years` starts in (31 August): while in school the whole interest is
  paid by the state (财政全额贴息); from the next period on, by the student.
- Interest of a period = the balance at its start × the annual rate, rounded to
  the fen half-up. Principal is repaid at the end of a period.
- The grace period (还本宽限期) is the `grace_years` periods after leaving
  school: interest only. Then the principal is repaid in equal instalments,
  one per period, through the last period of the term; each instalment is
  rounded to the fen half-up and the last one takes what is left, so the plan
  ends at zero no later than the term.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from students.school_years import school_year_of

CENT = Decimal("0.01")
STATE = "state"
STUDENT = "student"
PAYER_LABELS = {STATE: "财政贴息", STUDENT: "学生"}

IN_SCHOOL = "in_school"
GRACE = "grace"
REPAYING = "repaying"
PHASE_LABELS = {IN_SCHOOL: "在校", GRACE: "宽限期", REPAYING: "还款中"}


def fen(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LoanTerms:
    """What the plan needs: the contract's figures and the years of study it lends for."""

    amount_per_year: Decimal
    # The school year (start year) of the first disbursement: the application's year.
    first_year: int
    entry_year: int
    program_years: int
    term_years: int
    grace_years: int
    rate: Decimal

    @property
    def leaves_school(self) -> int:
        """The start year of the first school year after the student's last one."""
        return self.entry_year + self.program_years

    @property
    def study_periods(self) -> int:
        """How many years of study the loan pays: from the first disbursement to leaving school."""
        return max(self.leaves_school - self.first_year, 0)

    @property
    def first_year_of_study(self) -> int:
        """第几学年 the first disbursement pays (1 for a new entrant)."""
        return self.first_year - self.entry_year + 1

    @property
    def repayment_periods(self) -> int:
        return self.term_years - self.study_periods - self.grace_years

    @property
    def principal(self) -> Decimal:
        return self.amount_per_year * self.study_periods


def terms_problems(terms: LoanTerms, *, max_term_years: int | None) -> list[str]:
    """Why a contract cannot have a plan: a term longer than the policy's, or too short to repay."""
    problems = []
    if terms.study_periods < 1:
        problems.append("按入学年份和学制，学生已毕业，不能贷款")
    if max_term_years is not None and terms.term_years > max_term_years:
        problems.append(f"贷款期限 {terms.term_years} 年超过最长期限 {max_term_years} 年")
    elif terms.study_periods >= 1 and terms.repayment_periods < 1:
        needed = terms.study_periods + terms.grace_years + 1
        problems.append(
            f"贷款期限至少 {needed} 年（在校 {terms.study_periods} 年、宽限期 {terms.grace_years} 年后至少还本 1 年）"
        )
    if terms.rate < 0:
        problems.append("年利率不能为负数")
    return problems


@dataclass(frozen=True)
class PlanYear:
    """One period (a school year) of the repayment plan."""

    number: int
    start_year: int
    phase: str
    disbursed: Decimal
    # The balance during the period: at its start, after that year's disbursement.
    balance: Decimal
    interest: Decimal
    payer: str
    principal: Decimal
    # What is still owed at the end of the period.
    balance_after: Decimal

    @property
    def school_year(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[self.phase]

    @property
    def payer_label(self) -> str:
        return PAYER_LABELS[self.payer]

    @property
    def student_pays(self) -> Decimal:
        """What the student pays in the period: their interest and the principal due."""
        return self.principal + (self.interest if self.payer == STUDENT else Decimal("0"))


def repayment_plan(terms: LoanTerms) -> list[PlanYear]:
    """The plan, one row per period from the first disbursement to the end of the term.

    Raises ValueError when `terms_problems` (without a maximum) finds the contract impossible.
    """
    problems = terms_problems(terms, max_term_years=None)
    if problems:
        raise ValueError("；".join(problems))
    study, grace = terms.study_periods, terms.grace_years
    instalment = fen(terms.principal / terms.repayment_periods)
    balance = Decimal("0.00")
    plan = []
    for number in range(1, terms.term_years + 1):
        if number <= study:
            phase, disbursed = IN_SCHOOL, terms.amount_per_year
        else:
            phase, disbursed = (GRACE if number <= study + grace else REPAYING), Decimal("0.00")
        balance = fen(balance + disbursed)
        principal = Decimal("0.00")
        if phase == REPAYING:
            principal = balance if number == terms.term_years else min(instalment, balance)
        plan.append(
            PlanYear(
                number=number,
                start_year=terms.first_year + number - 1,
                phase=phase,
                disbursed=fen(disbursed),
                balance=balance,
                interest=fen(balance * terms.rate),
                payer=STATE if phase == IN_SCHOOL else STUDENT,
                principal=principal,
                balance_after=balance - principal,
            )
        )
        balance -= principal
    return plan


@dataclass(frozen=True)
class PlanTotals:
    principal: Decimal
    state_interest: Decimal
    student_interest: Decimal
    last_year: str


def plan_totals(plan: list[PlanYear]) -> PlanTotals:
    return PlanTotals(
        principal=sum((p.principal for p in plan), Decimal("0.00")),
        state_interest=sum((p.interest for p in plan if p.payer == STATE), Decimal("0.00")),
        student_interest=sum((p.interest for p in plan if p.payer == STUDENT), Decimal("0.00")),
        last_year=plan[-1].school_year if plan else "",
    )


# --- status over time --------------------------------------------------------------------

# The stored steps (`subsidies.models.LoanStatus` values): the plan's phases replace
# 已放款 on a date; 已结清 and 逾期 are recorded by staff and win over the dates.
DISBURSED = "disbursed"


def phase_on(*, leaves_school: int, grace_years: int, on: dt.date) -> str:
    """在校 / 宽限期 / 还款中 on a date, by the school year it falls in."""
    year = school_year_of(on)
    if year < leaves_school:
        return IN_SCHOOL
    if year < leaves_school + grace_years:
        return GRACE
    return REPAYING


def status_on(
    *, stored: str, leaves_school: int | None, grace_years: int | None, on: dt.date
) -> str:
    """The loan's status on `on`: 已结清 / 逾期 as recorded; 受理 and 签约 until the first
    disbursement; after it, the plan's phase on that date (在校, 宽限期, 还款中)."""
    if stored != DISBURSED or leaves_school is None:
        return stored
    return phase_on(leaves_school=leaves_school, grace_years=grace_years or 0, on=on)
