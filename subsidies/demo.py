"""Demo applications for the demo township (after `load_demo` and `open_year 2022-2023`).

Entered through the services as the demo staff would: 青山镇's officer enters and
checks, the county's administrator decides (four-eyes). Five applications show every
state: a 保教费减免 and a 低保家庭新生生活资助 approved (approved entitlements that
notices, ledgers and exports take), a 生源地信用助学贷款 approved at the cap (应贷尽贷),
an application accepted outside the rules waiting for 初审, and a 金秋助学 waiting for
the county's 审核. The two college students are added to their households' members,
as the registry holds college students.

The seed leaves the one-off college amounts to the county ("金额由县资助中心按年度确定"):
the demo sets them as the county would, 3000 yuan (HE-LIVING) and 2000 yuan (HE-AUTUMN),
unless they are already set. Safe to repeat: nothing is done once the township has
an application for the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef

from aidsite.lib.idcard import complete_id_number
from students.models import (
    Enrollment,
    EnrollmentStatus,
    Household,
    HouseholdCategory,
    HouseholdHardship,
    HouseholdMember,
    Relation,
    SchoolYear,
    Stage,
    Township,
)
from subsidies.models import AidApplication, Policy
from subsidies.rules.applications import Asked
from subsidies.services.applications import (
    applicant_student,
    application_check,
    application_decide,
    application_submit,
)

DEMO_TOWNSHIP = "青山镇"
DEMO_YEAR = "2022-2023"
# The county's one-off amounts for the year, as the county would set them (the seed names none).
DEMO_AMOUNTS = {"HE-LIVING": Decimal("3000"), "HE-AUTUMN": Decimal("2000")}
# students.demo_roster's region; births before September 2004 are older than any demo pupil.
DEMO_REGION = "370829"


@dataclass
class DemoApplications:
    created: bool
    lines: list[str] = field(default_factory=list)


def _has(category: str) -> Exists:
    return Exists(
        HouseholdHardship.objects.filter(
            household=OuterRef("student__household"), category=category
        )
    )


def _kindergarten_child(
    year: SchoolYear, township: Township, category: str, *, without: str = ""
) -> Enrollment | None:
    """The first child (by record) at a fee-charging kindergarten of a poor village with `category`."""
    children = Enrollment.objects.filter(
        school_year=year, school__township=township, stage=Stage.KINDERGARTEN, status=EnrollmentStatus.STUDYING,
        school__tuition__gt=0, student__household__village__is_poor_village=True,
    ).filter(_has(category))  # fmt: skip
    if without:
        children = children.exclude(_has(without))
    return children.select_related("student", "school").order_by("pk").first()


def _household(township: Township, category: str, *, poor: bool | None = None) -> Household | None:
    households = Household.objects.filter(village__township=township, hardships__category=category)
    if poor is not None:
        households = households.filter(village__is_poor_village=poor)
    return households.select_related("village").order_by("pk").first()


def _college_member(
    household: Household, given_name: str, birth: dt.date, sequence: int
) -> HouseholdMember:
    """A grown child of `household` now at college (female: an even sequence)."""
    number = complete_id_number(f"{DEMO_REGION}{birth:%Y%m%d}{sequence:03d}")
    member, _created = HouseholdMember.objects.get_or_create(
        id_number=number,
        defaults={
            "household": household,
            "name": f"{household.head_name[0]}{given_name}",
            "relation": Relation.CHILD,
        },
    )
    return member


def _set_amounts(policies: dict[str, Policy], county: Any) -> list[str]:
    lines = []
    for code, amount in DEMO_AMOUNTS.items():
        policy = policies[code]
        if policy.annual_amount is None:
            policy.annual_amount = amount
            policy._history_user = county  # type: ignore[attr-defined]
            policy._change_reason = "县资助中心设定本年度资助金额（演示）"  # type: ignore[attr-defined]
            policy.full_clean()
            policy.save()
        lines.append(
            f"{policy.name}：{policy.annual_amount:.0f} 元（县资助中心按年度确定，演示数据）"
        )
    return lines


@transaction.atomic
def applications_demo_load(
    *, township_name: str = DEMO_TOWNSHIP, year_name: str = DEMO_YEAR
) -> DemoApplications:
    """Enter the demo applications with the demo accounts (`students.demo.demo_accounts_ensure`)."""
    township = Township.objects.get(name=township_name)
    year = SchoolYear.objects.get(name=year_name)
    if AidApplication.objects.filter(township=township, policy__school_year=year).exists():
        return DemoApplications(created=False)
    users = get_user_model().objects.in_bulk(
        ["demo_qingshan", "demo_qingshan2", "demo_county"], field_name="username"
    )
    officer, checker, county = users["demo_qingshan"], users["demo_qingshan2"], users["demo_county"]
    policies = {
        p.code: p for p in Policy.objects.filter(school_year=year).prefetch_related("categories")
    }
    result = DemoApplications(created=True, lines=_set_amounts(policies, county))
    autumn = year.terms.order_by("start_date").first()

    def submit(
        student: Any, code: str, applied_on: dt.date, *, reason: str = "", **asked: Any
    ) -> AidApplication:
        return application_submit(
            actor=officer, student=student, policy=policies[code], term=autumn, asked=Asked(**asked),
            applied_on=applied_on, exception_reason=reason,
        )  # fmt: skip

    def note(application: AidApplication) -> None:
        application.refresh_from_db()
        amount = application.amount_approved or application.amount_requested
        result.lines.append(
            f"{application.policy.name}：{application.student.name}，{amount:.0f} 元，{application.get_status_display()}"
        )

    child = _kindergarten_child(year, township, HouseholdCategory.EXTREME)
    if child is not None:
        # "对省定贫困村特困家庭儿童酌情减免保教费": the term's fee, half the yearly one.
        fee = (child.school.tuition / 2).quantize(Decimal("1"))
        application = submit(child.student, "PRE-FEE", dt.date(2022, 9, 6), amount=fee)
        application_check(application=application, actor=checker)
        application_decide(application=application, actor=county, approve=True)
        note(application)

    dibao = _household(township, HouseholdCategory.DIBAO, poor=True)
    if dibao is not None:
        student = applicant_student(_college_member(dibao, "雨桐", dt.date(2004, 3, 12), 902))
        college = {
            "college": "湖南师范大学",
            "degree_level": "bachelor",
            "entry_year": 2022,
            "program_years": 4,
        }
        application = submit(
            student, "HE-LIVING", dt.date(2022, 8, 22), amount=DEMO_AMOUNTS["HE-LIVING"], **college
        )
        application_check(application=application, actor=checker)
        application_decide(application=application, actor=county, approve=True)
        note(application)
        # 应贷尽贷: a 低保 household of a poor village borrows at the cap, whatever the fees.
        application = submit(
            student, "HE-LOAN", dt.date(2022, 8, 22), amount=Decimal("6700"),
            tuition_per_year=Decimal("5500"), accommodation_per_year=Decimal("1200"), **college,
        )  # fmt: skip
        application_check(application=application, actor=checker)
        application_decide(application=application, actor=county, approve=True)
        note(application)

    extreme = _household(township, HouseholdCategory.EXTREME)
    if extreme is not None:
        student = applicant_student(_college_member(extreme, "子豪", dt.date(2003, 7, 8), 903))
        application = submit(
            student, "HE-AUTUMN", dt.date(2022, 9, 2), amount=DEMO_AMOUNTS["HE-AUTUMN"], partner="县总工会",
            college="长沙理工大学", degree_level="bachelor", entry_year=2021, program_years=4,
        )  # fmt: skip
        application_check(application=application, actor=checker)
        note(application)

    late = _kindergarten_child(
        year, township, HouseholdCategory.DIBAO, without=HouseholdCategory.EXTREME
    )
    if late is not None:
        # Outside the rules (低保, not 特困): accepted with a recorded reason, waiting for 初审.
        application = submit(
            late.student, "PRE-FEE", dt.date(2022, 9, 20), amount=(late.school.tuition / 4).quantize(Decimal("1")),
            reason="家中房屋失火，父亲重伤住院，村委会出具证明",
        )  # fmt: skip
        note(application)
    return result
