"""Who may apply, and for how much: each policy's applicant rules, as the seed states them.

The pure functions of `subsidies.rules.applications` are asked with the seed's policies
(`ApplicationRules.from_policy`), then the same rules through `application_submit`. Every
expected figure is written out from the seed's text, not computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from aidsite.models import Role
from students.models import HouseholdCategory, Season, Stage, Term
from subsidies.models import Category, Policy, PolicyCategory
from subsidies.rules.applications import (
    ApplicantFacts,
    ApplicationRules,
    Asked,
    amount_cap,
    amount_problems,
    eligibility_problems,
    entry_problems,
    granted_amount,
    loan_amount,
    loan_cap,
    must_lend_at_cap,
)
from subsidies.services.applications import (
    application_assess,
    application_check,
    application_decide,
    application_submit,
)
from tests.factories import make_household, make_school, make_student, make_user

pytestmark = pytest.mark.django_db

ALL = Category.ALL.value
EXTREME = frozenset({ALL, Category.EXTREME.value, Category.HARDSHIP.value})
DIBAO = frozenset({ALL, Category.DIBAO.value, Category.HARDSHIP.value})
REGISTERED = frozenset({ALL, Category.REGISTERED.value, Category.HARDSHIP.value})
NONE = frozenset({ALL})
APPLIED_ON = dt.date(2022, 9, 5)
COLLEGE_BIRTH = dt.date(2004, 5, 1)


def _policy(term: Any, code: str) -> Policy:
    return Policy.objects.get(school_year=term.school_year, code=code)


def _rules(term: Any, code: str) -> ApplicationRules:
    return ApplicationRules.from_policy(_policy(term, code))


def _messages(problems: list[Any]) -> list[str]:
    return [p.message for p in problems]


def _college(entry_year: int = 2022, level: str = "bachelor", **more: Any) -> dict[str, Any]:
    return {
        "college": "湖南大学",
        "degree_level": level,
        "entry_year": entry_year,
        "program_years": 4,
        **more,
    }


@pytest.fixture
def officer(township):
    return make_user(role=Role.TOWNSHIP_STAFF, township=township)


def _college_student(kids: Any, *categories: str, poor: bool = False) -> Any:
    """A young person of a household of the township, no longer at the county's schools."""
    village = kids.poor_village if poor else kids.plain_village
    return make_student(
        household=make_household(village=village, categories=categories), birth=COLLEGE_BIRTH
    )


def _kindergarten_child(township: Any, kids: Any, category: str, *, poor: bool) -> Any:
    """A child of a household with `category` at a kindergarten charging 1800 yuan a year."""
    kindergarten = make_school(
        township=township, stages=Stage.KINDERGARTEN, tuition=Decimal("1800")
    )
    return kids(kindergarten, categories=(category,), poor=poor, stage=Stage.KINDERGARTEN)


def _submit(officer: Any, student: Any, policy: Policy, term: Any, **asked: Any) -> Any:
    reason = asked.pop("exception_reason", "")
    return application_submit(
        actor=officer, student=student, policy=policy, term=term, asked=Asked(**asked), applied_on=APPLIED_ON,
        exception_reason=reason,
    )  # fmt: skip


def _refusal(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# ---------------------------------------------------------------------------
# 保教费减免 (PRE-FEE)


def test_pre_fee_is_for_extreme_poverty_children_of_poor_villages_at_kindergartens(term):
    """The seed: "对其中特困家庭儿童酌情减免保教费" (the policy: "对省定贫困村特困家庭儿童酌情减免保教费，最高不超过保教费标准")."""
    rules = _rules(term, "PRE-FEE")
    fits = ApplicantFacts(EXTREME, True, Stage.KINDERGARTEN, Decimal("1800"))
    assert eligibility_problems(rules, fits) == []
    assert _messages(
        eligibility_problems(rules, ApplicantFacts(DIBAO, True, Stage.KINDERGARTEN))
    ) == ["申请人不是特困供养家庭学生"]
    assert _messages(
        eligibility_problems(rules, ApplicantFacts(EXTREME, False, Stage.KINDERGARTEN))
    ) == ["申请人家庭不在省定贫困村"]
    assert _messages(eligibility_problems(rules, ApplicantFacts(EXTREME, True, Stage.PRIMARY))) == [
        "申请人本学年不在学前在读"
    ]


def test_pre_fee_is_at_most_the_kindergartens_fee_for_the_term(term):
    """The seed: "最高不超过保教费标准": a fee of 1800 yuan a year is 900 yuan a term."""
    rules = _rules(term, "PRE-FEE")
    facts = ApplicantFacts(EXTREME, True, Stage.KINDERGARTEN, Decimal("1800"))
    assert amount_cap(rules, facts, Asked(amount=Decimal("900"))).amount == Decimal("900.00")
    assert amount_problems(rules, facts, Asked(amount=Decimal("900"))) == []
    assert _messages(amount_problems(rules, facts, Asked(amount=Decimal("900.01")))) == [
        "申请金额 900.01 元超过上限（学校收费标准每年 1800 元，每学期 900.00 元）"
    ]
    # 酌情减免: less than the fee is granted as asked.
    assert granted_amount(rules, facts, Asked(amount=Decimal("600"))).amount == Decimal("600")
    # A kindergarten with no fee on record gives no cap, and so no waiver.
    assert _messages(
        amount_problems(
            rules, ApplicantFacts(EXTREME, True, Stage.KINDERGARTEN), Asked(amount=Decimal("1"))
        )
    ) == ["学校未登记收费标准"]


def test_pre_fee_through_submit(term, township, kids, officer):
    """The seed: "对省定贫困村特困家庭儿童酌情减免保教费": the child at a 1800-yuan kindergarten may ask up to 900."""
    child = _kindergarten_child(township, kids, HouseholdCategory.EXTREME, poor=True)
    policy = _policy(term, "PRE-FEE")
    errors = _refusal(lambda: _submit(officer, child.student, policy, term, amount=Decimal("950")))
    assert errors["amount_requested"] == [
        "申请金额 950 元超过上限（学校收费标准每年 1800.00 元，每学期 900.00 元）。"
    ]
    application = _submit(officer, child.student, policy, term, amount=Decimal("900"))
    assert (application.enrollment, application.township, application.rule_problems) == (
        child,
        township,
        [],
    )

    plain = kids(
        child.school, categories=(HouseholdCategory.EXTREME,), poor=False, stage=Stage.KINDERGARTEN
    )
    errors = _refusal(lambda: _submit(officer, plain.student, policy, term, amount=Decimal("900")))
    assert errors["exception_reason"] == [
        "申请人家庭不在省定贫困村。如确需受理，请填写破格受理理由。"
    ]


# ---------------------------------------------------------------------------
# 爱心济困专项基金 (HS-FEE)


def test_hs_fee_is_for_extreme_poverty_students_of_poor_villages_at_general_high_schools(term):
    """The seed: "酌情减免省定贫困村特困家庭学生学费" (at 普通高中)."""
    rules = _rules(term, "HS-FEE")
    assert (
        eligibility_problems(rules, ApplicantFacts(EXTREME, True, Stage.HIGH, Decimal("1500")))
        == []
    )
    assert _messages(
        eligibility_problems(rules, ApplicantFacts(EXTREME, True, Stage.VOCATIONAL))
    ) == ["申请人本学年不在普通高中在读"]
    assert _messages(
        eligibility_problems(rules, ApplicantFacts(REGISTERED, False, Stage.HIGH))
    ) == [
        "申请人不是特困供养家庭学生",
        "申请人家庭不在省定贫困村",
    ]


def test_hs_fee_is_at_most_the_tuition_for_the_term(term, township, kids, officer):
    """The seed: "减免…学费": tuition of 1500 yuan a year is 750 yuan a term, the most a term's waiver can be."""
    rules = _rules(term, "HS-FEE")
    facts = ApplicantFacts(EXTREME, True, Stage.HIGH, Decimal("1500"))
    assert amount_cap(rules, facts, Asked(amount=Decimal("750"))).amount == Decimal("750.00")
    assert granted_amount(rules, facts, Asked(amount=Decimal("750"))).amount == Decimal("750.00")

    school = make_school(township=township, stages=Stage.HIGH, tuition=Decimal("1500"))
    pupil = kids(school, categories=(HouseholdCategory.EXTREME,), poor=True, stage=Stage.HIGH)
    policy = _policy(term, "HS-FEE")
    errors = _refusal(lambda: _submit(officer, pupil.student, policy, term, amount=Decimal("1500")))
    assert errors["amount_requested"] == [
        "申请金额 1500 元超过上限（学校收费标准每年 1500.00 元，每学期 750.00 元）。"
    ]
    assert _submit(
        officer, pupil.student, policy, term, amount=Decimal("750")
    ).amount_requested == Decimal("750")


# ---------------------------------------------------------------------------
# 低保家庭新生生活资助 (HE-LIVING)


def test_he_living_is_for_dibao_students_admitted_this_year(term):
    """The seed: "对当年考取全日制普通高等学校的…低保户家庭学生,给予生活资助": 低保, and entry in 2022 for 2022-2023."""
    rules = _rules(term, "HE-LIVING")
    assert eligibility_problems(rules, ApplicantFacts(DIBAO, False)) == []
    assert _messages(eligibility_problems(rules, ApplicantFacts(EXTREME, False))) == [
        "申请人不是低保户家庭学生"
    ]
    assert entry_problems(rules, Asked(amount=Decimal("3000"), **_college(2022))) == []
    assert _messages(entry_problems(rules, Asked(amount=Decimal("3000"), **_college(2021)))) == [
        "该项目仅限当年（2022 年）考取的新生"
    ]


def test_he_living_is_the_one_off_amount_the_county_sets_and_refused_until_it_is_set(
    term, kids, officer
):
    """The seed: "一次性生活资助，金额由县资助中心按年度确定": no amount set, no application; set at 3000, 3000 is given."""
    policy = _policy(term, "HE-LIVING")
    assert policy.annual_amount is None  # the seed leaves it to the county
    student = _college_student(kids, HouseholdCategory.DIBAO)
    assert _messages(
        amount_problems(
            _rules(term, "HE-LIVING"), ApplicantFacts(DIBAO, False), Asked(amount=Decimal("3000"))
        )
    ) == ["县资助中心尚未设定本学年的资助金额"]
    errors = _refusal(
        lambda: _submit(officer, student, policy, term, amount=Decimal("3000"), **_college())
    )
    assert errors["amount_requested"] == ["县资助中心尚未设定本学年的资助金额。"]

    policy.annual_amount = Decimal("3000")
    policy.save()
    rules = _rules(term, "HE-LIVING")
    assert granted_amount(
        rules, ApplicantFacts(DIBAO, False), Asked(amount=Decimal("3000"))
    ).amount == Decimal("3000")
    errors = _refusal(
        lambda: _submit(officer, student, policy, term, amount=Decimal("3500"), **_college())
    )
    assert errors["amount_requested"] == ["申请金额 3500 元超过上限（一次性资助 3000 元）。"]
    errors = _refusal(
        lambda: _submit(officer, student, policy, term, amount=Decimal("3000"), **_college(2021))
    )
    assert errors["entry_year"] == ["该项目仅限当年（2022 年）考取的新生。"]
    spring = Term.objects.get(school_year=term.school_year, season=Season.SPRING)
    application = _submit(officer, student, policy, spring, amount=Decimal("3000"), **_college())
    # One-off aid is paid in the year's autumn term, whatever term it is entered in.
    assert (application.term, application.entry_year, application.college) == (
        term,
        2022,
        "湖南大学",
    )


# ---------------------------------------------------------------------------
# 金秋助学 (HE-AUTUMN)


def test_he_autumn_is_for_extreme_poverty_college_students_with_a_named_partner(term):
    """The seed: "协调县工、青、妇等部门对特困家庭大学生开展'金秋助学'活动": 特困, and the partner is one of
    县总工会、团县委、县妇联 (the seed's partners)."""
    rules = _rules(term, "HE-AUTUMN")
    assert rules.partners == ("县总工会", "团县委", "县妇联")
    assert eligibility_problems(rules, ApplicantFacts(EXTREME, False)) == []
    assert _messages(eligibility_problems(rules, ApplicantFacts(DIBAO, False))) == [
        "申请人不是特困供养家庭学生"
    ]
    # Not a new entrant only: a second-year student applies too.
    assert (
        entry_problems(rules, Asked(amount=Decimal("2000"), partner="团县委", **_college(2021)))
        == []
    )
    for partner in ("", "县教育局"):
        assert _messages(
            entry_problems(rules, Asked(amount=Decimal("2000"), partner=partner, **_college()))
        ) == ["请注明资助单位：县总工会、团县委、县妇联"]


def test_he_autumn_records_the_partner(term, kids, officer):
    """The seed: "协调县工、青、妇等部门…开展'金秋助学'活动": the partner is recorded, one of the policy's."""
    policy = _policy(term, "HE-AUTUMN")
    policy.annual_amount = Decimal("2000")
    policy.save()
    student = _college_student(kids, HouseholdCategory.EXTREME)
    errors = _refusal(
        lambda: _submit(
            officer, student, policy, term, amount=Decimal("2000"), partner="县教育局", **_college()
        )
    )
    assert errors["partner"] == ["请注明资助单位：县总工会、团县委、县妇联。"]
    application = _submit(
        officer, student, policy, term, amount=Decimal("2000"), partner="县妇联", **_college(2021)
    )
    assert application.partner == "县妇联"


# ---------------------------------------------------------------------------
# 生源地信用助学贷款 (HE-LOAN)


LOAN_SEED = (
    "全日制普通本专科学生每人每年贷款额度最高8000元,全日制研究生…最高12000元,"
    "主要用于解决学生在校期间的学费和住宿费问题"
)


def test_the_loan_caps_by_level(term):
    """The seed: "全日制普通本专科学生每人每年贷款额度最高8000元,全日制研究生…最高12000元"."""
    rules = _rules(term, "HE-LOAN")
    assert loan_cap(rules, "associate") == Decimal("8000")
    assert loan_cap(rules, "bachelor") == Decimal("8000")
    assert loan_cap(rules, "postgraduate") == Decimal("12000")


@pytest.mark.parametrize(
    ("level", "tuition", "accommodation", "expected"),
    [
        ("bachelor", "5000", "1200", "6200"),  # fees under the cap: the fees
        ("associate", "7000", "1500", "8000"),  # 8500 of fees: the 专科 cap
        ("postgraduate", "10000", "1500", "11500"),
        ("postgraduate", "12000", "1000", "12000"),  # 13000 of fees: the 研究生 cap
    ],
)
def test_the_loan_covers_tuition_and_accommodation_capped(
    term, level, tuition, accommodation, expected
):
    """The seed: "主要用于解决学生在校期间的学费和住宿费问题", within the caps of 8000 and 12000 a year."""
    rules = _rules(term, "HE-LOAN")
    asked = Asked(
        amount=Decimal("20000"),
        tuition_per_year=Decimal(tuition),
        accommodation_per_year=Decimal(accommodation),
        **_college(level=level),
    )
    assert loan_amount(rules, ApplicantFacts(NONE, False), asked).amount == Decimal(expected)


def test_poor_village_hardship_students_borrow_at_the_cap(term):
    """The seed: "对省定贫困村家庭困难的…大学生实现应贷尽贷,并享受最高贷款额度": 8000 (本科) or 12000 (研究生)
    whatever the fees; a hardship student elsewhere, or an ordinary one in a poor village, gets the fees."""
    rules = _rules(term, "HE-LOAN")
    low_fees = {"tuition_per_year": Decimal("3000"), "accommodation_per_year": Decimal("800")}
    assert must_lend_at_cap(ApplicantFacts(REGISTERED, True))
    assert not must_lend_at_cap(ApplicantFacts(REGISTERED, False))
    assert not must_lend_at_cap(ApplicantFacts(NONE, True))
    at_cap = loan_amount(
        rules,
        ApplicantFacts(REGISTERED, True),
        Asked(amount=Decimal("3800"), **low_fees, **_college()),
    )
    assert (at_cap.amount, at_cap.why) == (
        Decimal("8000"),
        "省定贫困村家庭困难学生应贷尽贷，享受最高额度 8000.00 元",
    )
    postgraduate = Asked(amount=Decimal("3800"), **low_fees, **_college(level="postgraduate"))
    assert loan_amount(rules, ApplicantFacts(DIBAO, True), postgraduate).amount == Decimal("12000")
    assert loan_amount(
        rules,
        ApplicantFacts(REGISTERED, False),
        Asked(amount=Decimal("3800"), **low_fees, **_college()),
    ).amount == Decimal("3800")
    # Less than the fees, when that is what the student asks for.
    assert loan_amount(
        rules, ApplicantFacts(NONE, False), Asked(amount=Decimal("2000"), **low_fees, **_college())
    ).amount == Decimal("2000")


def test_a_loan_application_states_its_fees_and_stays_within_the_cap(term, kids, officer):
    """The loan is applied for with the fees it covers ("学费和住宿费"); more than the cap is refused."""
    policy = _policy(term, "HE-LOAN")
    student = _college_student(kids)
    errors = _refusal(
        lambda: _submit(officer, student, policy, term, amount=Decimal("6000"), **_college())
    )
    assert errors["tuition_per_year"] == ["贷款须填写学费。"]
    assert errors["accommodation_per_year"] == ["贷款须填写住宿费（无住宿费填 0）。"]
    fees = {"tuition_per_year": Decimal("7000"), "accommodation_per_year": Decimal("1500")}
    errors = _refusal(
        lambda: _submit(
            officer, student, policy, term, amount=Decimal("8500"), **fees, **_college()
        )
    )
    assert errors["amount_requested"] == ["申请金额 8500 元超过上限（本科每年最高 8000.00 元）。"]
    application = _submit(
        officer, student, policy, term, amount=Decimal("8000"), **fees, **_college()
    )
    assert application.rule_problems == []  # every student may apply (全体在读学生)


# ---------------------------------------------------------------------------
# 破格受理: the exception reason


def test_an_applicant_outside_the_rules_needs_a_reason_which_the_entitlement_shows(
    term, township, kids, officer
):
    """A staff member may accept an applicant outside the rules only with a recorded reason, shown on the review."""
    child = _kindergarten_child(township, kids, HouseholdCategory.EXTREME, poor=False)
    policy = _policy(term, "PRE-FEE")
    errors = _refusal(
        lambda: _submit(
            officer, child.student, policy, term, amount=Decimal("900"), exception_reason="   "
        )
    )
    assert errors["exception_reason"] == [
        "申请人家庭不在省定贫困村。如确需受理，请填写破格受理理由。"
    ]

    reason = "家庭遭遇火灾，村委证明"
    application = _submit(
        officer, child.student, policy, term, amount=Decimal("900"), exception_reason=reason
    )
    assert (application.exception_reason, application.rule_problems) == (
        reason,
        ["申请人家庭不在省定贫困村"],
    )
    assert "破格受理" in application.events.get().note
    application_check(application=application, actor=officer)
    decided = application_decide(
        application=application, actor=make_user(role=Role.COUNTY_ADMIN), approve=True
    )
    entitlement = decided.entitlement
    assert entitlement.reasons["lines"][1] == f"破格受理（申请人家庭不在省定贫困村）：{reason}"
    assert f"破格受理（申请人家庭不在省定贫困村）：{reason}" in entitlement.reason_text
    assert entitlement.qualifies is False


def test_a_reason_is_not_kept_when_the_applicant_meets_the_rules(term, township, kids, officer):
    child = _kindergarten_child(township, kids, HouseholdCategory.EXTREME, poor=True)
    pre_fee = _policy(term, "PRE-FEE")
    application = _submit(
        officer, child.student, pre_fee, term, amount=Decimal("900"), exception_reason="无"
    )
    assert (application.exception_reason, application.rule_problems) == ("", [])


def test_no_reason_waives_an_amount_above_the_cap(term, township, kids, officer):
    child = _kindergarten_child(township, kids, HouseholdCategory.EXTREME, poor=False)
    pre_fee = _policy(term, "PRE-FEE")
    errors = _refusal(
        lambda: _submit(
            officer, child.student, pre_fee, term, amount=Decimal("1000"), exception_reason="特殊"
        )
    )
    assert list(errors) == ["amount_requested"]


# ---------------------------------------------------------------------------
# The rules are data: the county edits the policy, the outcome changes


def test_the_rules_follow_the_policys_fields(term, township, kids, officer):
    """Each rule is a field of the policy: the county edits it, and the next application is judged by it."""
    plain = _kindergarten_child(township, kids, HouseholdCategory.DIBAO, poor=False)
    policy = _policy(term, "PRE-FEE")
    asked = Asked(amount=Decimal("900"))
    assessed = application_assess(student=plain.student, policy=policy, asked=asked, term=term)
    assert _messages(assessed.eligibility) == [
        "申请人不是特困供养家庭学生",
        "申请人家庭不在省定贫困村",
    ]
    policy.applicant_poor_village_only = False
    policy.save()
    PolicyCategory.objects.create(policy=policy, category=Category.DIBAO, qualifies=True)
    assert _submit(officer, plain.student, policy, term, amount=Decimal("900")).rule_problems == []


def test_raised_loan_caps_and_other_partners_are_data(term):
    """The issue: the caps are "data: later years raised them"; 10000 / 16000 on the policy are the caps; partners likewise."""
    loan = _policy(term, "HE-LOAN")
    loan.annual_amount, loan.loan_cap_postgraduate = Decimal("10000"), Decimal("16000")
    loan.save()
    rules = _rules(term, "HE-LOAN")
    fees = {"tuition_per_year": Decimal("9000"), "accommodation_per_year": Decimal("1500")}
    assert loan_amount(
        rules, ApplicantFacts(NONE, False), Asked(amount=Decimal("10500"), **fees, **_college())
    ).amount == Decimal("10000")
    assert loan_amount(
        rules,
        ApplicantFacts(REGISTERED, True),
        Asked(amount=Decimal("1"), **fees, **_college(level="postgraduate")),
    ).amount == Decimal("16000")

    autumn = _policy(term, "HE-AUTUMN")
    autumn.partners = "县慈善总会"
    autumn.save()
    rules = _rules(term, "HE-AUTUMN")
    assert (
        entry_problems(rules, Asked(amount=Decimal("1"), partner="县慈善总会", **_college())) == []
    )
    assert _messages(
        entry_problems(rules, Asked(amount=Decimal("1"), partner="县总工会", **_college()))
    ) == ["请注明资助单位：县慈善总会"]

    living = _policy(term, "HE-LIVING")
    living.applicant_new_entrant_only = False
    living.save()
    assert (
        entry_problems(_rules(term, "HE-LIVING"), Asked(amount=Decimal("1"), **_college(2021)))
        == []
    )
