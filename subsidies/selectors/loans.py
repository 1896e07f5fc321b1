"""Reads of 生源地信用助学贷款: the county's loan list by status on a date, a loan's plan, and
the 应贷尽贷 check (poor-village college entrants with no loan application).

Every read takes the actor it reads for and stays in their scope; the lists are
querysets with their status annotated in SQL, so a page costs the same few
queries whatever the county's size.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from aidsite.access import scope_queryset
from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdHardship,
    SchoolYear,
    Stage,
    Student,
    Township,
)
from students.school_years import school_year_of
from subsidies.models import (
    OPEN_APPLICATION_STATUSES,
    AidApplication,
    ApplicationStatus,
    LoanStatus,
    Policy,
    PolicyKind,
    PolicyLevel,
    StudentLoan,
)
from subsidies.rules.loans import (
    GRACE,
    IN_SCHOOL,
    REPAYING,
    LoanTerms,
    PlanYear,
    repayment_plan,
)
from subsidies.selectors.applications import application_term
from subsidies.selectors.population import counting_hardships, lifted_counting

# The statuses a loan can have on a date, in the order the list counts them (已放款 is a stored
# step only: on a date it is the plan's phase).
LIST_STATUSES = [s for s in LoanStatus if s not in (LoanStatus.APPLIED, LoanStatus.DISBURSED)]


def terms_of(loan: StudentLoan, *, term_years: int, grace_years: int, rate: Decimal) -> LoanTerms:
    """The plan's input: the loan's amount and years of study, with the contract's figures."""
    application = loan.application
    return LoanTerms(
        amount_per_year=loan.amount_per_year,
        first_year=application.policy.school_year.start_year,
        entry_year=application.entry_year or 0,
        program_years=application.program_years or 0,
        term_years=term_years,
        grace_years=grace_years,
        rate=rate,
    )


def loan_terms(loan: StudentLoan) -> LoanTerms | None:
    """The repayment plan's input for a signed loan; None before the contract."""
    if loan.signed_on is None or loan.term_years is None or loan.rate is None:
        return None
    return terms_of(
        loan, term_years=loan.term_years, grace_years=loan.grace_years or 0, rate=loan.rate
    )


def loan_plan(loan: StudentLoan) -> list[PlanYear]:
    terms = loan_terms(loan)
    return repayment_plan(terms) if terms is not None else []


def _current_status(on: dt.date) -> Case:
    """The status on `on` in SQL, as `subsidies.rules.loans.status_on` decides it."""
    year = school_year_of(on)
    disbursed = Q(status=LoanStatus.DISBURSED)
    return Case(
        When(disbursed & Q(leaves_school__gt=year), then=Value(IN_SCHOOL)),
        When(disbursed & Q(grace_ends__gt=year), then=Value(GRACE)),
        When(disbursed, then=Value(REPAYING)),
        default=F("status"),
        output_field=CharField(),
    )


def loan_list(
    *,
    actor: Any,
    on: dt.date,
    school_year: SchoolYear | None = None,
    township: Township | None = None,
) -> QuerySet[StudentLoan]:
    """The loans the actor sees, each with `current` (its status on `on`), newest first."""
    leaves = F("application__entry_year") + F("application__program_years")
    queryset = scope_queryset(actor, StudentLoan.objects.all())
    if school_year is not None:
        queryset = queryset.filter(application__policy__school_year=school_year)
    if township is not None:
        queryset = queryset.filter(application__township=township)
    return (
        queryset.annotate(
            leaves_school=_int(leaves),
            grace_ends=_int(leaves + Coalesce(F("grace_years"), 0)),
        )
        .annotate(current=_current_status(on))
        .select_related(
            "application__student__household__village",
            "application__township",
            "application__policy__school_year",
        )
    )


def _int(expression: Any) -> Any:
    return ExpressionWrapper(expression, output_field=IntegerField())


def status_counts(loans: QuerySet[StudentLoan]) -> list[dict[str, Any]]:
    """How many loans have each status (on the list's date), every status listed."""
    found = {
        row["current"]: row for row in loans.order_by().values("current").annotate(n=Count("id"))
    }
    return [
        {"code": status.value, "label": status.label, "n": found.get(status.value, {}).get("n", 0)}
        for status in LIST_STATUSES
    ]


def open_loan_applications(
    *, actor: Any, school_year: SchoolYear | None, township: Township | None
) -> int:
    """贷款申请 not yet decided (the 申请 step, before a loan exists)."""
    queryset = scope_queryset(
        actor,
        AidApplication.objects.filter(
            policy__kind=PolicyKind.LOAN,
            status__in=OPEN_APPLICATION_STATUSES,
        ),
    )
    if school_year is not None:
        queryset = queryset.filter(policy__school_year=school_year)
    if township is not None:
        queryset = queryset.filter(township=township)
    return queryset.count()


# --- 应贷尽贷 -------------------------------------------------------------------------------


def loan_policy(school_year: SchoolYear) -> Policy | None:
    return (
        Policy.objects.filter(
            school_year=school_year, kind=PolicyKind.LOAN, level=PolicyLevel.HIGHER
        )
        .order_by("order", "pk")
        .first()
    )


def _hardship(policy: Policy) -> Q:
    """家庭困难 as the applicant rules count it: a registered hardship counting in the year
    (脱贫不脱政策 as the policy says), or an orphan."""
    term = application_term(policy)
    lifted = lifted_counting(policy, term) if term is not None else None
    held = HouseholdHardship.objects.filter(counting_hardships(lifted), household_id=OuterRef("household_id"))
    return Q(Exists(held)) | Q(is_orphan=True)


def must_lend_students(
    *, actor: Any, school_year: SchoolYear, township: Township | None = None
) -> QuerySet[Student] | None:
    """应贷尽贷: college entrants of the year from 家庭困难 households of province-designated
    poor villages with no loan application in the year (a refused one still listed).

    "对省定贫困村家庭困难的被全日制大专以上院校…录取的大学生实现应贷尽贷". Who counts as
    admitted this year, from what the county holds:
    - an application of the year for any college aid (低保新生资助, 金秋助学…) stating the
      year's start as its 入学年份 (`college`: the college it names);
    - a student of the registry who finished 普通高中 last school year (graduated, or in
      its third year) and is enrolled at none of the county's schools this year: the
      registry cannot tell college from 两后生, so they are listed to be asked
      (`high_school`: the school they left).
    None when the year has no loan policy.
    """
    policy = loan_policy(school_year)
    if policy is None:
        return None
    start = school_year.start_year
    college_apps = AidApplication.objects.filter(
        student=OuterRef("pk"),
        policy__school_year=school_year,
        policy__level=PolicyLevel.HIGHER,
        entry_year=start,
    ).exclude(status=ApplicationStatus.REJECTED)
    finished = Enrollment.objects.filter(
        Q(status=EnrollmentStatus.GRADUATED) | Q(study_year__gte=3, status=EnrollmentStatus.STUDYING),
        student=OuterRef("pk"), school_year__start_year=start - 1, stage=Stage.HIGH,
    )  # fmt: skip
    enrolled_now = Enrollment.objects.filter(
        student=OuterRef("pk"), school_year=school_year
    ).exclude(stage=Stage.HIGHER)
    loan_apps = AidApplication.objects.filter(
        student=OuterRef("pk"), policy__school_year=school_year, policy__kind=PolicyKind.LOAN
    )
    students = scope_queryset(actor, Student.objects.all()).filter(
        _hardship(policy), household__village__is_poor_village=True
    )
    if township is not None:
        students = students.filter(household__village__township=township)
    return (
        students.filter(Q(Exists(college_apps)) | (Q(Exists(finished)) & ~Q(Exists(enrolled_now))))
        .exclude(Exists(loan_apps.exclude(status=ApplicationStatus.REJECTED)))
        .annotate(
            college=Subquery(college_apps.exclude(college="").values("college")[:1]),
            high_school=Subquery(finished.order_by("-pk").values("school__name")[:1]),
            loan_refused=Exists(loan_apps.filter(status=ApplicationStatus.REJECTED)),
        )
        .select_related("household__village__township")
        .order_by("household__village__township__name", "household__village__name", "name", "pk")
    )
