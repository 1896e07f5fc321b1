"""Who may apply, and for how much: the rules of the policies handled by application.

Pure: the policy's rules (`ApplicationRules`), what the registry says of the
applicant (`ApplicantFacts`) and what the application asks (`Asked`) come in as
plain data; problems and amounts come out. The submit service, the review page
and `import_xlsx applications` all ask these functions, so a rule is stated once.

The seed's clauses:

- 保教费减免 (PRE-FEE): "对其中特困家庭儿童酌情减免保教费" — 特困 children from
  province-designated poor villages, up to the kindergarten's fee for the term;
- 爱心济困专项基金 (HS-FEE): "酌情减免省定贫困村特困家庭学生学费" — up to the school's tuition;
- 低保家庭新生生活资助 (HE-LIVING): "对当年考取全日制普通高等学校的…低保户家庭学生,给予生活资助";
- 金秋助学 (HE-AUTUMN): "协调县工、青、妇等部门对特困家庭大学生开展'金秋助学'活动";
- 生源地信用助学贷款 (HE-LOAN): "全日制普通本专科学生每人每年贷款额度最高8000元,全日制研究生…
  最高12000元,主要用于解决学生在校期间的学费和住宿费问题…对省定贫困村家庭困难的…大学生
  实现应贷尽贷,并享受最高贷款额度".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from subsidies.models import Category, DegreeLevel, PolicyKind, PolicyLevel
from subsidies.rules.facts import category_labels, stage_label

if TYPE_CHECKING:
    from subsidies.models import Policy

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ApplicationRules:
    """The applicant rules and amounts of one policy, as plain data (each editable on the policy)."""

    code: str
    name: str
    kind: str
    level: str
    stages: tuple[str, ...]
    qualifying: frozenset[str]
    poor_village_only: bool = False
    new_entrant_only: bool = False
    partners: tuple[str, ...] = ()
    annual_amount: Decimal | None = None
    loan_cap_postgraduate: Decimal | None = None
    school_year_start: int = 0

    @classmethod
    def from_policy(cls, policy: Policy) -> ApplicationRules:
        return cls(
            code=policy.code,
            name=policy.name,
            kind=policy.kind,
            level=policy.level,
            stages=tuple(policy.stage_list),
            qualifying=frozenset(c.category for c in policy.categories.all() if c.qualifies),
            poor_village_only=policy.applicant_poor_village_only,
            new_entrant_only=policy.applicant_new_entrant_only,
            partners=tuple(policy.partner_list),
            annual_amount=policy.annual_amount,
            loan_cap_postgraduate=policy.loan_cap_postgraduate,
            school_year_start=policy.school_year.start_year,
        )

    @property
    def for_college(self) -> bool:
        return self.level == PolicyLevel.HIGHER

    @property
    def is_loan(self) -> bool:
        return self.kind == PolicyKind.LOAN


@dataclass(frozen=True)
class ApplicantFacts:
    """What the registry says of the applicant in the policy's year."""

    categories: frozenset[str]
    poor_village: bool
    # The applicant's enrollment (在读) in the county this year, for fee waivers.
    stage: str | None = None
    # The school's fee standard a year (保教费 / 学费), from the enrollment's school.
    school_fee_per_year: Decimal | None = None


@dataclass(frozen=True)
class Asked:
    """What the application asks for and says about the college."""

    amount: Decimal | None = None
    college: str = ""
    degree_level: str = ""
    entry_year: int | None = None
    program_years: int | None = None
    tuition_per_year: Decimal | None = None
    accommodation_per_year: Decimal | None = None
    partner: str = ""


@dataclass(frozen=True)
class Problem:
    """One unmet condition, under the application's field it concerns ("" for the whole)."""

    field: str
    message: str


def eligibility_problems(rules: ApplicationRules, facts: ApplicantFacts) -> list[Problem]:
    """The policy's applicant rules the student does not meet.

    A staff member may still accept the application, with a recorded reason
    (破格受理); these problems are then shown on the review.
    """
    problems: list[Problem] = []
    if rules.qualifying and not (facts.categories & rules.qualifying) and Category.ALL not in rules.qualifying:
        problems.append(
            Problem("student", f"申请人不是{category_labels(sorted(rules.qualifying))}家庭学生")
        )
    if rules.poor_village_only and not facts.poor_village:
        problems.append(Problem("student", "申请人家庭不在省定贫困村"))
    if not rules.for_college and rules.stages and facts.stage not in rules.stages:
        wanted = "、".join(stage_label(s) for s in rules.stages)
        problems.append(Problem("student", f"申请人本学年不在{wanted}在读"))
    return problems


def entry_problems(rules: ApplicationRules, asked: Asked) -> list[Problem]:
    """What the application must state and cannot get wrong; no exception reason waives these."""
    problems: list[Problem] = []
    if asked.amount is None:
        problems.append(Problem("amount_requested", "请填写申请金额"))
    elif asked.amount <= 0:
        problems.append(Problem("amount_requested", "申请金额应大于 0"))
    if rules.for_college:
        if not asked.college:
            problems.append(Problem("college", "请填写录取院校"))
        if asked.degree_level not in DegreeLevel.values:
            problems.append(Problem("degree_level", "学历层次应为专科、本科或研究生"))
        if asked.entry_year is None:
            problems.append(Problem("entry_year", "请填写入学年份"))
        elif asked.entry_year > rules.school_year_start:
            problems.append(Problem("entry_year", f"入学年份不能晚于 {rules.school_year_start} 年"))
        elif rules.new_entrant_only and asked.entry_year != rules.school_year_start:
            problems.append(
                Problem("entry_year", f"该项目仅限当年（{rules.school_year_start} 年）考取的新生")
            )
        if asked.program_years is None:
            problems.append(Problem("program_years", "请填写学制"))
        elif asked.entry_year is not None and asked.entry_year + asked.program_years <= rules.school_year_start:
            problems.append(Problem("program_years", "按入学年份和学制，申请人本学年已毕业"))
    if rules.is_loan:
        if asked.tuition_per_year is None:
            problems.append(Problem("tuition_per_year", "贷款须填写学费"))
        if asked.accommodation_per_year is None:
            problems.append(Problem("accommodation_per_year", "贷款须填写住宿费（无住宿费填 0）"))
    if rules.partners and asked.partner not in rules.partners:
        problems.append(Problem("partner", f"请注明资助单位：{'、'.join(rules.partners)}"))
    return problems


@dataclass(frozen=True)
class Cap:
    """The most the application can be given, and why."""

    amount: Decimal | None
    why: str


def per_term(annual: Decimal) -> Decimal:
    return (annual / 2).quantize(CENT, rounding=ROUND_HALF_UP)


def loan_cap(rules: ApplicationRules, degree_level: str) -> Decimal | None:
    """The yearly cap of a loan: 研究生 have their own, 专科/本科 the policy's annual amount."""
    if degree_level == DegreeLevel.POSTGRADUATE:
        return rules.loan_cap_postgraduate
    return rules.annual_amount


def must_lend_at_cap(facts: ApplicantFacts) -> bool:
    """应贷尽贷: a student of a 家庭困难 household in a province-designated poor village.

    "对省定贫困村家庭困难的被全日制大专以上院校…录取的大学生实现应贷尽贷,并享受最高贷款额度"
    """
    return facts.poor_village and Category.HARDSHIP in facts.categories


def amount_cap(rules: ApplicationRules, facts: ApplicantFacts, asked: Asked) -> Cap:
    """The upper bound of the aid: the school's fee for the term, the county's amount, the loan cap."""
    if rules.is_loan:
        cap = loan_cap(rules, asked.degree_level)
        level = DegreeLevel(asked.degree_level).label if asked.degree_level in DegreeLevel.values else ""
        if cap is None:
            return Cap(None, f"尚未设定{level}每年最高贷款额度")
        return Cap(cap, f"{level}每年最高 {cap} 元")
    if rules.for_college:
        if rules.annual_amount is None:
            return Cap(None, "县资助中心尚未设定本学年的资助金额")
        return Cap(rules.annual_amount, f"一次性资助 {rules.annual_amount} 元")
    if facts.school_fee_per_year is None or facts.school_fee_per_year <= 0:
        return Cap(None, "学校未登记收费标准")
    term_fee = per_term(facts.school_fee_per_year)
    return Cap(term_fee, f"学校收费标准每年 {facts.school_fee_per_year} 元，每学期 {term_fee} 元")


def loan_amount(rules: ApplicationRules, facts: ApplicantFacts, asked: Asked) -> Cap:
    """The loan a year: what covers tuition and accommodation (or less if asked), capped;
    the cap itself for 应贷尽贷."""
    cap = amount_cap(rules, facts, asked)
    if cap.amount is None:
        return cap
    if must_lend_at_cap(facts):
        return Cap(cap.amount, f"省定贫困村家庭困难学生应贷尽贷，享受最高额度 {cap.amount} 元")
    need = (asked.tuition_per_year or Decimal("0")) + (asked.accommodation_per_year or Decimal("0"))
    amount = min(need, cap.amount)
    if asked.amount is not None and asked.amount < amount:
        return Cap(asked.amount, f"按申请金额 {asked.amount} 元（学费和住宿费 {need} 元，{cap.why}）")
    return Cap(amount, f"学费和住宿费每年 {need} 元，{cap.why}，贷款 {amount} 元")


def granted_amount(rules: ApplicationRules, facts: ApplicantFacts, asked: Asked) -> Cap:
    """What an approval gives by default: the loan rule for loans; otherwise the amount asked, capped."""
    if rules.is_loan:
        return loan_amount(rules, facts, asked)
    cap = amount_cap(rules, facts, asked)
    if cap.amount is None or asked.amount is None:
        return cap
    if rules.for_college:
        return Cap(cap.amount, cap.why)
    amount = min(asked.amount, cap.amount)
    return Cap(amount, f"申请 {asked.amount} 元，{cap.why}，核定 {amount} 元")


def amount_problems(rules: ApplicationRules, facts: ApplicantFacts, asked: Asked) -> list[Problem]:
    """The amount asked against the cap: above it is an error; no cap set is an error too."""
    cap = amount_cap(rules, facts, asked)
    if cap.amount is None:
        return [Problem("amount_requested", cap.why)]
    if asked.amount is not None and asked.amount > cap.amount:
        return [Problem("amount_requested", f"申请金额 {asked.amount} 元超过上限（{cap.why}）")]
    return []
