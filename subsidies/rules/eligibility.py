"""The eligibility rules: registry facts in, decisions with their reasons out.

One query per policy fetches the policy's population (enrollments 在读 in the
term's school year, filtered by stage and school conditions) with every fact
the rules need, annotated by `Exists` subqueries. Everything after that is
pure Python over those rows: the rule of the policy's kind prices each
qualifying student, then the generic steps apply staff overrides, keep one
enrollment per student, fill quotas neediest first, cover province-designated
poor villages in full and check floors. Nothing here saves.

The rules follow issue 3 ("The rules, pinned so that results can be checked")
and DOMAIN.md's policy table; every figure comes from the `Policy` rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from students.models import (
    Enrollment,
    EnrollmentStatus,
    HouseholdCategory,
    HouseholdHardship,
    PovertyStatus,
    Stage,
    Term,
    Township,
)
from subsidies.models import (
    Category,
    CountBase,
    EntitlementStatus,
    OverrideAction,
    Policy,
    PolicyKind,
)

CENT = Decimal("0.01")
TERMS_PER_YEAR = 2
NO_PRIORITY = 99
CATEGORY_LABELS: dict[str, str] = {str(value): str(label) for value, label in Category.choices}
STAGE_LABELS: dict[str, str] = {str(value): str(label) for value, label in Stage.choices}

# Household hardship categories as annotations on the enrollment rows.
_HOUSEHOLD_FACTS = {
    Category.EXTREME: HouseholdCategory.EXTREME,
    Category.REGISTERED: HouseholdCategory.REGISTERED,
    Category.DIBAO: HouseholdCategory.DIBAO,
    Category.OTHER: HouseholdCategory.OTHER,
}


_HOUSEHOLD_KEYS = tuple(f"hh_{category}" for category in _HOUSEHOLD_FACTS)
_household_flags = itemgetter(*_HOUSEHOLD_KEYS)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def per_term(annual: Decimal) -> Decimal:
    """Annual amounts are paid half per term (issue 3)."""
    return money(annual / TERMS_PER_YEAR)


def quota_for(ratio: Decimal, count: int) -> int:
    """`ratio × count` rounded half up (四舍五入), not Python's banker's rounding."""
    return int((ratio * count).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------
# The policy as plain data


@dataclass(frozen=True)
class CategoryRule:
    category: str
    qualifies: bool
    tier: int | None
    priority: int | None
    quota_exempt: bool


@dataclass(frozen=True)
class DailyRate:
    category: str
    rate: Decimal
    days_per_year: Decimal
    term_amount: Decimal = field(init=False)
    term_days: Decimal = field(init=False)

    def __post_init__(self) -> None:
        # Per-day programs pay rate × the term's days: half the year's (365 → 182.5).
        object.__setattr__(self, "term_days", self.days_per_year / TERMS_PER_YEAR)
        object.__setattr__(self, "term_amount", money(self.rate * self.days_per_year / TERMS_PER_YEAR))


@dataclass(frozen=True)
class PolicySpec:
    """A snapshot of one policy and its inlines, so that the rules are pure."""

    id: int
    code: str
    name: str
    kind: str
    stages: tuple[str, ...]
    annual_amount: Decimal | None = None
    average_standard: Decimal | None = None
    tiers: Mapping[int, Decimal] = field(default_factory=dict)
    stage_amounts: Mapping[str, Decimal] = field(default_factory=dict)
    daily_rates: tuple[DailyRate, ...] = ()
    categories: Mapping[str, CategoryRule] = field(default_factory=dict)
    quota_ratio: Decimal | None = None
    quota_base: str = CountBase.POPULATION
    floor_ratio: Decimal | None = None
    floor_base: str = CountBase.POPULATION
    floor_category: str = ""
    poor_village_full_coverage: bool = True
    lifted_households_count: bool = True

    @classmethod
    def from_policy(cls, policy: Policy) -> PolicySpec:
        """Build from a policy whose tiers, stage amounts, rates and categories are prefetched."""
        return cls(
            id=policy.pk,
            code=policy.code,
            name=policy.name,
            kind=policy.kind,
            stages=tuple(policy.stage_list),
            annual_amount=policy.annual_amount,
            average_standard=policy.average_standard,
            tiers={t.tier: t.annual_amount for t in policy.tiers.all()},
            stage_amounts={s.stage: s.annual_amount for s in policy.stage_amounts.all()},
            daily_rates=tuple(
                DailyRate(r.category, r.rate, r.days_per_year) for r in policy.daily_rates.all()
            ),
            categories={
                c.category: CategoryRule(c.category, c.qualifies, c.tier, c.priority, c.quota_exempt)
                for c in policy.categories.all()
            },
            quota_ratio=policy.quota_ratio,
            quota_base=policy.quota_base,
            floor_ratio=policy.floor_ratio,
            floor_base=policy.floor_base,
            floor_category=policy.floor_category,
            poor_village_full_coverage=policy.poor_village_full_coverage,
            lifted_households_count=policy.lifted_households_count,
        )

    @property
    def exempt_categories(self) -> frozenset[str]:
        return frozenset(c for c, rule in self.categories.items() if rule.quota_exempt)

    def tier_for(self, categories: Iterable[str]) -> int | None:
        """The highest tier any of the student's categories maps to; the lowest tier otherwise."""
        if not self.tiers:
            return None
        mapped = [self.categories[c].tier for c in categories if c in self.categories]
        mapped = [t for t in mapped if t is not None and t in self.tiers]
        return max(mapped) if mapped else min(self.tiers)

    def priority_for(self, categories: Iterable[str]) -> int:
        """A student ranks by their neediest category (the lowest priority number)."""
        ranks = [self.categories[c].priority for c in categories if c in self.categories]
        ranks = [r for r in ranks if r is not None]
        return min(ranks) if ranks else NO_PRIORITY


def policies_for_term(term: Term, policy_code: str | None = None) -> list[Policy]:
    """The computed policies of the term's school year, their inlines prefetched (5 queries)."""
    queryset = Policy.objects.filter(school_year_id=term.school_year_id, by_application=False)
    if policy_code:
        queryset = queryset.filter(code=policy_code)
    return list(
        queryset.prefetch_related("tiers", "stage_amounts", "daily_rates", "categories").order_by(
            "order", "code"
        )
    )


# ---------------------------------------------------------------------------
# The registry facts (the only queries of this module)


def _hardship_exists(category: str, *, lifted_count: bool) -> Exists:
    hardships = HouseholdHardship.objects.filter(
        household_id=OuterRef("student__household_id"), category=category
    )
    if not lifted_count:
        hardships = hardships.filter(status=PovertyStatus.IN_POVERTY)
    return Exists(hardships)


def population_queryset(
    source: Policy, *, term: Term, township: Township | None = None
) -> QuerySet[Enrollment]:
    """The policy's population: enrollments 在读 in the term's year meeting its conditions."""
    queryset = Enrollment.objects.filter(
        school_year_id=term.school_year_id,
        status=EnrollmentStatus.STUDYING,
        stage__in=source.stage_list,
    )
    if township is not None:
        queryset = queryset.filter(school__township=township)
    if source.school_rural_only:
        queryset = queryset.filter(school__is_rural=True)
    if source.school_inclusive_only:
        queryset = queryset.filter(school__is_inclusive=True, school__is_county_approved=True)
    if source.school_ownership:
        queryset = queryset.filter(school__ownership=source.school_ownership)
    if source.boarders_only:
        queryset = queryset.filter(is_boarding=True)
    if source.study_year_list:
        queryset = queryset.filter(study_year__in=source.study_year_list)
    return queryset


FACT_FIELDS = (
    "id",
    "student_id",
    "school_id",
    "stage",
    "grade",
    "is_boarding",
    "is_agri_major",
    "study_year",
    "school__name",
    "school__tuition",
    "student__name",
    "student__id_number",
    "student__is_orphan",
    "student__is_martyr_child",
    "student__is_disabled",
    "student__household__village__is_poor_village",
)


def population_facts(policy: Policy, *, term: Term, township: Township | None = None) -> list[dict[str, Any]]:
    """One query: every enrollment of the population with the facts the rules read."""
    lifted = policy.lifted_households_count
    annotations = {
        f"hh_{category}": _hardship_exists(household_category, lifted_count=lifted)
        for category, household_category in _HOUSEHOLD_FACTS.items()
    }
    return list(
        population_queryset(policy, term=term, township=township)
        .annotate(**annotations)
        .values(*FACT_FIELDS, *annotations)
        .order_by("id")
    )


def categories_of(row: Mapping[str, Any]) -> frozenset[str]:
    """A fact row's categories, `hardship` derived as issue 3 defines it."""
    return _categories(
        tuple(bool(v) for v in _household_flags(row)),
        bool(row["student__is_orphan"]),
        bool(row["student__is_martyr_child"]),
        bool(row["student__is_disabled"]),
        row["stage"] == Stage.SPECIAL,
        bool(row["is_agri_major"]),
    )


@lru_cache(maxsize=1024)
def _categories(
    household: tuple[bool, ...], orphan: bool, martyr: bool, disabled: bool, special: bool, agri: bool
) -> frozenset[str]:
    found = {Category.ALL.value}
    found.update(c.value for c, present in zip(_HOUSEHOLD_FACTS, household, strict=True) if present)
    for flag, category in (
        (orphan, Category.ORPHAN),
        (martyr, Category.MARTYR_CHILD),
        (disabled, Category.DISABLED),
        (special, Category.SPECIAL_ED),
        (agri, Category.AGRI_MAJOR),
    ):
        if flag:
            found.add(category.value)
    if any(household) or orphan:
        found.add(Category.HARDSHIP.value)
    return frozenset(found)


@lru_cache(maxsize=1024)
def _facts_line(categories: frozenset[str], poor_village: bool) -> str:
    facts = [
        label
        for code, label in CATEGORY_LABELS.items()
        if code in categories and code not in (Category.ALL, Category.HARDSHIP)
    ]
    if poor_village:
        facts.append("家庭在省定贫困村")
    return f"学生情况：{'、'.join(facts) or '无登记困难类别'}"


# ---------------------------------------------------------------------------
# One small rule per policy kind: the amount for one term, or None


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    text: str
    tier: int | None = None


Rule = Callable[[PolicySpec, Mapping[str, Any], frozenset[str], "int | None"], "Amount | None"]


def tiered_grant(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Tiered annual grants (PRE-GRANT, HS-GRANT): the tier's annual amount, half a term."""
    if tier is None or tier not in spec.tiers:
        return None
    annual = spec.tiers[tier]
    amount = per_term(annual)
    return Amount(amount, f"{tier}档：每年 {annual} 元，本学期 {amount} 元", tier)


def flat_grant(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Flat annual grants (CMP-BOARD by stage, VOC-GRANT): the stage's amount or the policy's, half a term."""
    annual = spec.stage_amounts.get(row["stage"], spec.annual_amount)
    if annual is None:
        return None
    amount = per_term(annual)
    stage = STAGE_LABELS.get(row["stage"], row["stage"])
    return Amount(amount, f"{stage}每生每年 {annual} 元，本学期 {amount} 元")


def per_day(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Per-day programs (CMP-NUTRI, CMP-MEAL): rate × days of the term; one rate, the highest."""
    applicable = [rate for rate in spec.daily_rates if rate.category in categories]
    if not applicable:
        return None
    best = max(applicable, key=lambda rate: (rate.term_amount, rate.category))
    label = CATEGORY_LABELS.get(best.category, best.category)
    text = f"{label}：每天 {best.rate} 元 × 本学期 {best.term_days.normalize():f} 天 = {best.term_amount} 元"
    if len(applicable) > 1:
        text += "（多项标准取最高）"
    return Amount(best.term_amount, text)


def tuition_waiver(spec: PolicySpec, row: Mapping[str, Any], categories: frozenset[str], tier: int | None) -> Amount | None:
    """Tuition waivers (VOC-FREE): the school's annual tuition standard, half a term."""
    annual = row.get("school__tuition")
    if annual is None:
        return None
    amount = per_term(Decimal(annual))
    return Amount(amount, f"学校学费标准每年 {annual} 元，本学期免除 {amount} 元")


# A new policy kind is a new small function registered here.
RULES: dict[str, Rule] = {
    PolicyKind.TIERED_GRANT: tiered_grant,
    PolicyKind.FLAT_GRANT: flat_grant,
    PolicyKind.PER_DAY: per_day,
    PolicyKind.TUITION_WAIVER: tuition_waiver,
}


# ---------------------------------------------------------------------------
# Decisions


@dataclass(frozen=True)
class OverrideFact:
    """What `decide` needs of an `EntitlementOverride`."""

    action: str
    tier: int | None
    reason: str
    by: str
    on: str


@dataclass
class Decision:
    """The outcome for one student: awarded (proposed), left out, or excluded — and why."""

    student_id: int
    enrollment_id: int
    school_id: int
    status: str
    qualifies: bool
    tier: int | None
    amount: Decimal
    priority: int | None
    categories: tuple[str, ...]
    has_conflict: bool
    reasons: dict[str, Any]
    # The rule's amount for this student, awarded or not: the bound the stored row keeps.
    standard: Decimal = Decimal("0.00")
    student_name: str = ""
    id_number: str = ""
    school_name: str = ""

    @property
    def awarded(self) -> bool:
        return self.status == EntitlementStatus.PROPOSED


@dataclass
class SchoolStats:
    school_id: int
    school_name: str
    population: int = 0
    non_exempt: int = 0
    boarders: int = 0
    qualifying: int = 0
    quota: int | None = None
    awarded: int = 0
    floor_base: int = 0
    floor_counted: int = 0
    floor_required: Decimal | None = None

    @property
    def below_floor(self) -> bool:
        return self.floor_required is not None and Decimal(self.floor_counted) < self.floor_required


@dataclass(frozen=True)
class Conflict:
    """A student enrolled (在读) at several schools in the population: aided once, here."""

    student_id: int
    student_name: str
    chosen_enrollment_id: int
    school_names: tuple[str, ...]


@dataclass
class Outcome:
    decisions: list[Decision]
    schools: dict[int, SchoolStats]
    conflicts: list[Conflict]
    ignored_additions: list[int] = field(default_factory=list)

    @property
    def floor_warnings(self) -> list[SchoolStats]:
        return [s for s in self.schools.values() if s.below_floor]


@dataclass
class _Candidate:
    row: Mapping[str, Any]
    categories: frozenset[str]
    qualifying: tuple[str, ...]
    amount: Amount | None
    priority: int
    poor_village: bool
    exempt: bool
    override: OverrideFact | None

    @property
    def student_id(self) -> int:
        return self.row["student_id"]


@lru_cache(maxsize=1024)
def _labels(codes: tuple[str, ...]) -> str:
    return "、".join(CATEGORY_LABELS.get(c, c) for c in codes)


def _base_count(stats: SchoolStats, base: str) -> int:
    if base == CountBase.NON_EXEMPT:
        return stats.non_exempt
    if base == CountBase.BOARDERS:
        return stats.boarders
    return stats.population


def _base_label(base: str) -> str:
    return {
        CountBase.NON_EXEMPT: "不占名额类别以外的学生",
        CountBase.BOARDERS: "寄宿生",
    }.get(base, "在校生")


def decide(
    spec: PolicySpec,
    rows: Iterable[Mapping[str, Any]],
    *,
    overrides: Mapping[int, OverrideFact] | None = None,
    locked: Mapping[int, int] | None = None,
) -> Outcome:
    """Decide every student of the population for one policy and term.

    `rows` are `population_facts` rows; `overrides` maps a student to a staff
    override; `locked` maps a student with an approved or paid entitlement to
    its school: those keep their place in the quota and get no new decision.
    """
    overrides = overrides or {}
    locked = locked or {}
    rule = RULES[spec.kind]
    exempt_categories = spec.exempt_categories
    qualifying_categories = {c for c, r in spec.categories.items() if r.qualifies}
    schools: dict[int, SchoolStats] = {}
    by_student: dict[int, list[_Candidate]] = defaultdict(list)

    # Amounts depend on a few facts only: price each combination once.
    priced: dict[tuple[Any, ...], Amount | None] = {}

    for row in rows:
        school = schools.get(row["school_id"])
        if school is None:
            school = schools[row["school_id"]] = SchoolStats(row["school_id"], row["school__name"])
        categories = categories_of(row)
        exempt = bool(categories & exempt_categories)
        school.population += 1
        school.non_exempt += 0 if exempt else 1
        school.boarders += 1 if row["is_boarding"] else 0
        override = overrides.get(row["student_id"])
        qualifying = tuple(sorted(categories & qualifying_categories))
        if not qualifying and (override is None or override.action != OverrideAction.ADD):
            continue
        tier = spec.tier_for(categories)
        if override is not None and override.tier is not None and override.action != OverrideAction.EXCLUDE:
            tier = override.tier
        key = (categories, row["stage"], row["school__tuition"], tier)
        if key not in priced:
            priced[key] = rule(spec, row, categories, tier)
        by_student[row["student_id"]].append(
            _Candidate(
                row=row,
                categories=categories,
                qualifying=qualifying,
                amount=priced[key],
                priority=spec.priority_for(categories),
                poor_village=bool(row["student__household__village__is_poor_village"]),
                exempt=exempt,
                override=override,
            )
        )

    # One enrollment per student: the one that qualifies and pays most, then the oldest row.
    conflicts: list[Conflict] = []
    chosen: list[_Candidate] = []
    for student_id, candidates in by_student.items():
        candidates.sort(
            key=lambda c: (
                not c.qualifying,
                c.amount is None,
                -(c.amount.amount if c.amount else 0),
                c.row["id"],
            )
        )
        winner = candidates[0]
        chosen.append(winner)
        if len(candidates) > 1:
            conflicts.append(
                Conflict(
                    student_id=student_id,
                    student_name=winner.row["student__name"],
                    chosen_enrollment_id=winner.row["id"],
                    school_names=tuple(c.row["school__name"] for c in candidates),
                )
            )
    conflict_schools = {c.student_id: c.school_names for c in conflicts}

    locked_per_school: dict[int, int] = defaultdict(int)
    for school_id in locked.values():
        locked_per_school[school_id] += 1

    decisions: list[Decision] = []
    ignored_additions: list[int] = []
    # Students with the same facts and outcome share one reasons object (most rows of a
    # county-wide program do), so it is built, serialised and hashed once.
    shared: dict[tuple[Any, ...], dict[str, Any]] = {}
    per_school: dict[int, list[_Candidate]] = defaultdict(list)
    for candidate in chosen:
        if candidate.student_id in locked:
            continue
        per_school[candidate.row["school_id"]].append(candidate)

    for school_id, candidates in per_school.items():
        stats = schools[school_id]
        stats.qualifying = sum(1 for c in candidates if c.qualifying) + locked_per_school[school_id]
        quota = None
        if spec.quota_ratio is not None:
            base = _base_count(stats, spec.quota_base)
            quota = quota_for(spec.quota_ratio, base)
            stats.quota = quota
        used = locked_per_school[school_id]

        placed: list[tuple[_Candidate, str, dict[str, Any]]] = []
        waiting: list[_Candidate] = []
        for c in candidates:
            if c.amount is None:
                if c.override is not None and c.override.action == OverrideAction.ADD:
                    ignored_additions.append(c.student_id)
                continue
            if c.override is not None and c.override.action == OverrideAction.EXCLUDE:
                placed.append((c, EntitlementStatus.EXCLUDED, {"text": "人工排除，不占名额"}))
            elif c.override is not None and c.override.action == OverrideAction.ADD:
                # A staff addition (with its reason) stands outside the quota, whether the
                # student qualifies and was left out by the quota or does not qualify at all;
                # nobody already in the quota is pushed out, and the summary shows the excess.
                placed.append((c, EntitlementStatus.PROPOSED, {"text": "人工增补，不占名额"}))
            elif quota is None:
                placed.append((c, EntitlementStatus.PROPOSED, {}))
            elif c.exempt:
                placed.append(
                    (c, EntitlementStatus.PROPOSED, {"text": f"{_labels(tuple(sorted(c.categories & exempt_categories)))}学生全部资助，不占名额"})
                )
            elif c.poor_village and spec.poor_village_full_coverage:
                used += 1
                placed.append(
                    (c, EntitlementStatus.PROPOSED, {"text": "家庭在省定贫困村，全覆盖，不受名额限制", "poor_village": True, "quota": quota})
                )
            else:
                waiting.append(c)

        if quota is not None:
            base = _base_count(stats, spec.quota_base)
            ratio_text = f"{(spec.quota_ratio * 100).normalize():f}%"
            quota_text = f"本校名额 {quota} 人（{_base_label(spec.quota_base)} {base} 人 × {ratio_text}，四舍五入）"
            waiting.sort(key=lambda c: (c.priority, c.row["student__id_number"], c.row["id"]))
            left = max(0, quota - used)
            for position, c in enumerate(waiting, start=1):
                info = {"quota": quota, "position": position, "base": base}
                if position <= left:
                    info["text"] = f"{quota_text}，按困难程度排第 {position} 位，在名额内"
                    placed.append((c, EntitlementStatus.PROPOSED, info))
                else:
                    info["text"] = (
                        f"{quota_text}，按困难程度排第 {position} 位，名额已满（省定贫困村学生先行全覆盖后剩余 {left} 个名额），未安排"
                    )
                    placed.append((c, EntitlementStatus.NOT_AWARDED, info))

        for c, status, quota_info in placed:
            decisions.append(_decision(spec, c, status, quota_info, conflict_schools.get(c.student_id), shared))

    for decision in decisions:
        stats = schools[decision.school_id]
        if decision.awarded:
            stats.awarded += 1
            if not spec.floor_category or spec.floor_category in decision.categories:
                stats.floor_counted += 1
    if spec.floor_ratio is not None:
        for stats in schools.values():
            stats.awarded += locked_per_school.get(stats.school_id, 0)
            stats.floor_counted += locked_per_school.get(stats.school_id, 0)
            stats.floor_base = _base_count(stats, spec.floor_base)
            stats.floor_required = spec.floor_ratio * stats.floor_base
    else:
        for stats in schools.values():
            stats.awarded += locked_per_school.get(stats.school_id, 0)

    decisions.sort(key=lambda d: (d.school_id, d.student_id))
    return Outcome(decisions=decisions, schools=schools, conflicts=conflicts, ignored_additions=ignored_additions)


def _decision(
    spec: PolicySpec,
    c: _Candidate,
    status: str,
    quota_info: dict[str, Any],
    conflict_schools: tuple[str, ...] | None,
    shared: dict[tuple[Any, ...], dict[str, Any]],
) -> Decision:
    """The decision with its reasons: the facts, the rule, the tier and why, the quota position."""
    row = c.row
    assert c.amount is not None
    key = (
        c.categories,
        c.poor_village,
        c.qualifying,
        c.amount,
        tuple(sorted(quota_info.items())),
        c.override,
        conflict_schools,
        row["school__name"] if conflict_schools else None,
    )
    reasons = shared.get(key)
    if reasons is None:
        reasons = shared[key] = _reasons(spec, c, quota_info, conflict_schools)
    awarded = status == EntitlementStatus.PROPOSED
    return Decision(
        student_id=row["student_id"],
        enrollment_id=row["id"],
        school_id=row["school_id"],
        status=status,
        qualifies=bool(c.qualifying),
        tier=c.amount.tier,
        amount=c.amount.amount if awarded else Decimal("0.00"),
        priority=c.priority if c.priority != NO_PRIORITY else None,
        categories=_stored_categories(c.categories, c.poor_village),
        has_conflict=bool(conflict_schools),
        reasons=reasons,
        standard=c.amount.amount,
        student_name=row["student__name"],
        id_number=row["student__id_number"],
        school_name=row["school__name"],
    )


def _reasons(
    spec: PolicySpec, c: _Candidate, quota_info: dict[str, Any], conflict_schools: tuple[str, ...] | None
) -> dict[str, Any]:
    assert c.amount is not None
    lines = [_facts_line(c.categories, c.poor_village)]
    if c.qualifying:
        lines.append(f"符合条件：{_labels(c.qualifying)}")
    if c.amount.tier is not None:
        if c.override is not None and c.override.tier is not None and c.override.action != OverrideAction.EXCLUDE:
            lines.append(f"档次：人工调整为 {c.amount.tier} 档")
        else:
            lines.append(f"档次：{_tier_why(spec, c.categories, c.amount.tier)}")
    lines.append(f"标准：{c.amount.text}")
    if quota_info.get("text"):
        lines.append(f"名额：{quota_info['text']}")
    if c.override is not None:
        action_label = dict(OverrideAction.choices)[c.override.action]
        lines.append(f"人工调整：{action_label}（{c.override.reason}；{c.override.by}，{c.override.on}）")
    if conflict_schools:
        lines.append(
            f"重复学籍：本学年在 {'、'.join(conflict_schools)} 均有在读学籍，本项目只在{c.row['school__name']}资助一次"
        )
    reasons: dict[str, Any] = {"lines": lines}
    quota = {k: v for k, v in quota_info.items() if k != "text"}
    if quota:
        reasons["quota"] = quota
    return reasons


POOR_VILLAGE = "poor_village"


@lru_cache(maxsize=1024)
def _stored_categories(categories: frozenset[str], poor_village: bool) -> tuple[str, ...]:
    """The codes kept on the entitlement: its categories, plus `poor_village` for full coverage."""
    return tuple(sorted(categories | ({POOR_VILLAGE} if poor_village else set())))


def _tier_why(spec: PolicySpec, categories: frozenset[str], tier: int) -> str:
    mapped = sorted(c for c in categories if c in spec.categories and spec.categories[c].tier == tier)
    if mapped:
        return f"{_labels(tuple(mapped))}对应 {tier} 档"
    return f"无对应类别，按最低档 {tier} 档"


def category_filter(category: str, *, lifted_count: bool = True) -> Q:
    """The enrollments of one category, as a filter (for counts in summaries)."""
    if category in _HOUSEHOLD_FACTS:
        return Q(_hardship_exists(_HOUSEHOLD_FACTS[category], lifted_count=lifted_count))
    if category == Category.HARDSHIP:
        q = Q(student__is_orphan=True)
        for household_category in _HOUSEHOLD_FACTS.values():
            q |= Q(_hardship_exists(household_category, lifted_count=lifted_count))
        return q
    simple = {
        Category.ALL: Q(pk__isnull=False),
        Category.ORPHAN: Q(student__is_orphan=True),
        Category.MARTYR_CHILD: Q(student__is_martyr_child=True),
        Category.DISABLED: Q(student__is_disabled=True),
        Category.SPECIAL_ED: Q(stage=Stage.SPECIAL),
        Category.AGRI_MAJOR: Q(is_agri_major=True),
    }
    return simple[category]
