"""The coverage rules' invariants as properties (issue 18), on the pure rules, without a database.

Hypothesis draws a policy of every computed kind (the seed's own, or one with drawn tiers,
rates, ranks, quota and floor) and a township of one to three schools: students with
categories, poor-village flags, stages, enrollments at one or two schools, staff overrides
and approved (locked) rows, and the county's allocations. Every invariant is checked
against what the test works out from the facts itself, not against the rule's helpers.

Examples are derandomized (the same ones on every run, so CI is stable); 100 per property
keep the file well under a minute. RULE_PROPERTY_EXAMPLES sets another number.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from subsidies.models import Category, CountBase, EntitlementStatus, OverrideAction, PolicyKind
from subsidies.rules.allocation import Allocated, Outcome, decide
from subsidies.rules.decisions import OverrideFact
from subsidies.rules.policy import CategoryRule, DailyRate, PolicySpec
from tests.subsidies.fact_rows import COMPUTED_KINDS, fact_row, seed_specs

# Under `make mutants` (mutmut sets MUTANT_UNDER_TEST) a failure only has to be found, not shrunk.
UNDER_MUTATION = "MUTANT_UNDER_TEST" in os.environ
EXAMPLES = int(os.environ.get("RULE_PROPERTY_EXAMPLES", "10" if UNDER_MUTATION else "100"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate] if UNDER_MUTATION else list(Phase),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

AWARDED = EntitlementStatus.PROPOSED
NOT_AWARDED = EntitlementStatus.NOT_AWARDED
EXCLUDED = EntitlementStatus.EXCLUDED
CENT = Decimal("0.01")
HOUSEHOLD = ("extreme", "registered", "dibao", "other")
CATEGORIES = tuple(c.value for c in Category)
STAGES = ("kindergarten", "primary", "junior", "high", "vocational", "special")

# ---------------------------------------------------------------------------
# What the test works out from the facts itself


def categories(row: dict[str, Any]) -> frozenset[str]:
    """家庭经济困难 is any household hardship or an orphan; 特殊教育 is the special-school stage."""
    found = {"all"} | {c for c in HOUSEHOLD if row[f"hh_{c}"]}
    flags = {
        "orphan": row["student__is_orphan"],
        "martyr_child": row["student__is_martyr_child"],
        "disabled": row["student__is_disabled"],
        "special_ed": row["stage"] == "special",
        "agri_major": row["is_agri_major"],
    }
    found |= {c for c, present in flags.items() if present}
    if found & set(HOUSEHOLD) or row["student__is_orphan"]:
        found.add("hardship")
    return frozenset(found)


def qualifies(spec: PolicySpec, row: dict[str, Any]) -> bool:
    return any(spec.categories[c].qualifies for c in categories(row) if c in spec.categories)


def exempt(spec: PolicySpec, row: dict[str, Any]) -> bool:
    return any(spec.categories[c].quota_exempt for c in categories(row) if c in spec.categories)


def rank(spec: PolicySpec, row: dict[str, Any]) -> int:
    """The neediest category's rank; 99 for a student without a ranked category."""
    ranks = [spec.categories[c].priority for c in categories(row) if c in spec.categories]
    return min([r for r in ranks if r is not None], default=99)


def half(annual: Decimal) -> Decimal:
    return (annual / 2).quantize(CENT, rounding=ROUND_HALF_UP)


def term_pay(rate: DailyRate) -> Decimal:
    return (rate.rate * rate.days_per_year / 2).quantize(CENT, rounding=ROUND_HALF_UP)


def tier(spec: PolicySpec, row: dict[str, Any], override: OverrideFact | None) -> int | None:
    if (
        override is not None
        and override.action != OverrideAction.EXCLUDE
        and override.tier is not None
    ):
        return override.tier
    if not spec.tiers:
        return None
    cats = categories(row)
    mapped = [
        r.tier
        for c, r in spec.categories.items()
        if c in cats and r.qualifies and r.tier in spec.tiers
    ]
    return max(mapped) if mapped else min(spec.tiers)


def standard(
    spec: PolicySpec, row: dict[str, Any], override: OverrideFact | None
) -> Decimal | None:
    """The term's amount the policy pays this enrollment, or None when it pays nothing."""
    if spec.kind == PolicyKind.TIERED_GRANT:
        t = tier(spec, row, override)
        return half(spec.tiers[t]) if t in spec.tiers else None
    if spec.kind == PolicyKind.FLAT_GRANT:
        annual = spec.stage_amounts.get(row["stage"], spec.annual_amount)
        return None if annual is None else half(annual)
    if spec.kind == PolicyKind.PER_DAY:
        paid = [term_pay(r) for r in spec.daily_rates if r.category in categories(row)]
        return max(paid, default=None)
    tuition = row["school__tuition"]
    return half(tuition) if tuition else None


def maximum(spec: PolicySpec, rows: list[dict[str, Any]]) -> Decimal:
    """The most the policy pays anyone for a term."""
    annuals = [*spec.tiers.values(), *spec.stage_amounts.values(), spec.annual_amount or Decimal(0)]
    annuals += [r["school__tuition"] or Decimal(0) for r in rows]
    return max([half(a) for a in annuals] + [term_pay(r) for r in spec.daily_rates])


def outranks_floor(spec: PolicySpec) -> set[str]:
    floor_pay = [term_pay(r) for r in spec.daily_rates if r.category == spec.floor_category]
    if not floor_pay:
        return set()
    return {r.category for r in spec.daily_rates if term_pay(r) > max(floor_pay)}


def counts_for_floor(spec: PolicySpec, stored: tuple[str, ...]) -> bool:
    if not spec.floor_category:
        return True
    return spec.floor_category in stored and not outranks_floor(spec) & set(stored)


# ---------------------------------------------------------------------------
# Policies and townships


@st.composite
def drawn_policy(draw: st.DrawFn) -> PolicySpec:
    kind = draw(st.sampled_from(COMPUTED_KINDS))
    yuan = st.integers(min_value=1, max_value=60).map(lambda n: Decimal(n * 50))
    tiers = (
        draw(st.dictionaries(st.integers(1, 4), yuan, min_size=1, max_size=3))
        if kind == PolicyKind.TIERED_GRANT
        else {}
    )
    cats = draw(st.lists(st.sampled_from(CATEGORIES), unique=True, min_size=1, max_size=6))
    rules = {
        c: CategoryRule(
            c,
            draw(st.booleans()) if i else True,
            draw(st.none() | st.integers(1, 4)),
            draw(st.none() | st.integers(1, 6)),
            draw(st.integers(0, 5)) == 0,
        )
        for i, c in enumerate(cats)
    }
    rates: tuple[DailyRate, ...] = ()
    if kind == PolicyKind.PER_DAY:
        rate_cats = draw(st.lists(st.sampled_from(CATEGORIES), unique=True, min_size=1, max_size=4))
        rates = tuple(
            DailyRate(
                c,
                Decimal(draw(st.integers(1, 40))) / 4,
                draw(st.sampled_from([Decimal("200.0"), Decimal("365.0"), Decimal("183.5")])),
            )
            for c in rate_cats
        )
    stage_amounts = {}
    if kind == PolicyKind.FLAT_GRANT:
        stage_amounts = draw(st.dictionaries(st.sampled_from(STAGES), yuan, max_size=3))
    ratio = st.sampled_from(
        [Decimal("0.05"), Decimal("0.1"), Decimal("0.15"), Decimal("0.25"), Decimal("0.5")]
    )
    base = st.sampled_from([b.value for b in CountBase])
    return PolicySpec(
        id=99,
        code="DRAWN",
        name="抽样项目",
        kind=kind,
        stages=STAGES,
        annual_amount=draw(st.none() | yuan) if kind == PolicyKind.FLAT_GRANT else None,
        tiers=tiers,
        stage_amounts=stage_amounts,
        daily_rates=rates,
        categories=rules,
        quota_ratio=draw(st.none() | ratio),
        quota_base=draw(base),
        floor_ratio=draw(st.none() | ratio),
        floor_base=draw(base),
        floor_category=draw(st.sampled_from(["", *cats])),
        poor_village_full_coverage=draw(st.booleans()),
        poor_village_in_quota=draw(st.booleans()),
    )


policies = st.sampled_from(list(seed_specs().values())) | drawn_policy()


@dataclass
class Township:
    spec: PolicySpec
    rows: list[dict[str, Any]]
    overrides: dict[int, OverrideFact]
    locked: dict[int, int]
    allocations: dict[int, Allocated]

    def decide(self, rows: list[dict[str, Any]] | None = None) -> Outcome:
        return decide(
            self.spec,
            self.rows if rows is None else rows,
            overrides=self.overrides,
            locked=self.locked,
            allocations=self.allocations,
        )


@st.composite
def townships(draw: st.DrawFn) -> Township:
    spec = draw(policies)
    school_count = draw(st.integers(1, 3))
    stages = [draw(st.sampled_from(spec.stages)) for _ in range(school_count)]
    tuitions = [
        draw(st.sampled_from([None, Decimal(0), Decimal(1500), Decimal("3001")]))
        for _ in range(school_count)
    ]
    student_count = draw(st.integers(0, 24))
    id_numbers = draw(st.lists(st.integers(0, 999), min_size=student_count, max_size=student_count))
    rows: list[dict[str, Any]] = []
    overrides: dict[int, OverrideFact] = {}
    locked: dict[int, int] = {}
    for student in range(1, student_count + 1):
        hh = tuple(c for c in HOUSEHOLD if draw(st.integers(0, 3)) == 0)
        flags = {
            k: draw(st.integers(0, 5)) == 0
            for k in ("orphan", "martyr", "disabled", "poor_village")
        }
        schools = draw(st.lists(st.integers(1, school_count), unique=True, min_size=1, max_size=2))
        for school in schools:
            rows.append(
                fact_row(
                    len(rows) + 1,
                    student=student,
                    school=school,
                    stage=stages[school - 1],
                    household=hh,
                    boarding=draw(st.booleans()),
                    agri=draw(st.integers(0, 3)) == 0,
                    tuition=tuitions[school - 1],
                    # Ties on the ID number happen: the row decides then.
                    id_number=f"{id_numbers[student - 1]:018d}",
                    **flags,
                )
            )
        action = draw(st.sampled_from([None, None, None, None, *OverrideAction.values]))
        if action is not None:
            override_tier = draw(st.none() | st.integers(1, 4))
            overrides[student] = OverrideFact(
                action, override_tier, "核实情况", "张老师", "2022-09-01"
            )
        if draw(st.integers(0, 7)) == 0:
            locked[student] = draw(st.sampled_from(schools))
    allocations = {
        school: Allocated(draw(st.integers(0, 6)), "县教体局统筹")
        for school in range(1, school_count + 1)
        if draw(st.integers(0, 3)) == 0
    }
    order = draw(st.randoms(use_true_random=False))
    order.shuffle(rows)
    return Township(spec, rows, overrides, locked, allocations)


def enrollments(town: Township) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in town.rows}


def lines(decision) -> str:
    return "\n".join(decision.reasons["lines"])


def placed_outside_quota(town: Township, row: dict[str, Any]) -> str | None:
    """Why a student stands outside the quota's neediest-first order, in the reason's words."""
    override = town.overrides.get(row["student_id"])
    if override is not None and override.action == OverrideAction.ADD:
        return "人工增补，不占名额"
    if exempt(town.spec, row):
        return "学生全部资助，不占名额"
    if row["student__household__village__is_poor_village"] and town.spec.poor_village_full_coverage:
        return "家庭在省定贫困村，全覆盖"
    return None


# ---------------------------------------------------------------------------
# The invariants


@PROPERTY
@given(townships())
def test_nobody_who_does_not_qualify_is_awarded_and_everyone_who_does_is_decided(town):
    """ "Nobody who does not qualify is ever added to fill a quota" (DOMAIN.md); a staff addition
    is the only way in, and says so. Every qualifying student the policy pays is decided."""
    outcome = town.decide()
    by_row = enrollments(town)
    decided = {d.student_id for d in outcome.decisions}
    for d in outcome.decisions:
        row = by_row[d.enrollment_id]
        override = town.overrides.get(d.student_id)
        assert d.qualifies == qualifies(town.spec, row)
        if d.status == AWARDED and not d.qualifies:
            assert override is not None and override.action == OverrideAction.ADD
            assert "人工增补" in lines(d)
        if override is not None and override.action == OverrideAction.EXCLUDE:
            assert d.status == EXCLUDED and d.amount == 0
            assert "人工排除，不占名额" in lines(d)
    for row in town.rows:
        student = row["student_id"]
        override = town.overrides.get(student)
        added = override is not None and override.action == OverrideAction.ADD
        if student in town.locked or not (qualifies(town.spec, row) or added):
            continue
        if standard(town.spec, row, override) is not None:
            assert student in decided
        elif added and all(
            standard(town.spec, r, override) is None
            for r in town.rows
            if r["student_id"] == student
        ):
            assert student in outcome.ignored_additions


@PROPERTY
@given(townships())
def test_a_student_is_decided_at_most_once_at_the_enrollment_that_pays_most(town):
    """ "a student gets a policy at most once per period, even if enrolled at two schools
    (重复资助 is the classic audit finding)" (DOMAIN.md); approved or paid ones get no new decision."""
    outcome = town.decide()
    by_row = enrollments(town)
    students = [d.student_id for d in outcome.decisions]
    assert len(students) == len(set(students))
    assert not set(students) & set(town.locked)
    per_student = Counter(r["student_id"] for r in town.rows)
    conflicts = {c.student_id: c for c in outcome.conflicts}
    for d in outcome.decisions:
        assert d.has_conflict == (d.student_id in conflicts)
        override = town.overrides.get(d.student_id)
        chosen = by_row[d.enrollment_id]
        others = [
            r for r in town.rows if r["student_id"] == d.student_id and r["id"] != chosen["id"]
        ]
        for other in others:
            if qualifies(town.spec, other) >= qualifies(town.spec, chosen):
                pays = standard(town.spec, other, override)
                assert pays is None or pays <= d.standard
        if d.student_id in conflicts:
            assert per_student[d.student_id] == 2
            assert conflicts[d.student_id].chosen_enrollment_id == d.enrollment_id
            assert f"本项目只在{chosen['school__name']}资助一次" in lines(d)


@PROPERTY
@given(townships())
def test_amounts_are_the_policys_standard_never_negative_nor_above_its_maximum(town):
    """ "平均资助标准为每生每年2000元(具体分为3档,1档1500元、2档2000元、3档2500元)": a tiered grant is
    half a tier; per-day programs pay "one rate, the highest that applies" (DOMAIN.md) × the term's
    days; flat grants and tuition waivers half the year's amount."""
    outcome = town.decide()
    by_row = enrollments(town)
    ceiling = maximum(town.spec, town.rows)
    for d in outcome.decisions:
        row = by_row[d.enrollment_id]
        override = town.overrides.get(d.student_id)
        assert d.standard == standard(town.spec, row, override)
        assert Decimal(0) < d.standard <= ceiling
        assert d.amount == (d.standard if d.status == AWARDED else Decimal("0.00"))
        if town.spec.kind == PolicyKind.TIERED_GRANT:
            assert d.tier == tier(town.spec, row, override)
            assert d.standard == half(town.spec.tiers[d.tier])
            assert f"{d.tier}档" in lines(d)
        else:
            assert d.tier is None
        if town.spec.kind == PolicyKind.PER_DAY:
            applicable = [r for r in town.spec.daily_rates if r.category in categories(row)]
            assert d.standard == max(term_pay(r) for r in applicable)
            assert ("多项标准取最高" in lines(d)) == (len(applicable) > 1)


def quota_groups(town: Township, outcome: Outcome, school: int):
    """A school's decisions: those placed outside the quota, and those ranked for its places."""
    by_row = enrollments(town)
    outside, ranked = [], []
    for d in outcome.decisions:
        if d.school_id != school or d.status == EXCLUDED:
            continue
        why = placed_outside_quota(town, by_row[d.enrollment_id])
        (outside if why else ranked).append((d, why))
    return outside, [d for d, _ in ranked]


def school_counts(town: Township, school: int) -> dict[str, int]:
    rows = [r for r in town.rows if r["school_id"] == school]
    return {
        CountBase.POPULATION: len(rows),
        CountBase.NON_EXEMPT: sum(1 for r in rows if not exempt(town.spec, r)),
        CountBase.BOARDERS: sum(1 for r in rows if r["is_boarding"]),
    }


@PROPERTY
@given(townships())
def test_no_quota_is_exceeded_except_by_those_the_reason_names_and_it_goes_neediest_first(town):
    """ "平均资助面为在园幼儿的10%", "资助比例为在校生的10%"; "对省定贫困村家庭困难儿童实施资助全覆盖";
    "When more students qualify than the quota, the neediest come first" (DOMAIN.md)."""
    outcome = town.decide()
    by_row = enrollments(town)
    spec = town.spec
    for school, stats in outcome.schools.items():
        outside, ranked = quota_groups(town, outcome, school)
        if spec.quota_ratio is None:
            assert stats.quota is None
            assert all(d.status == AWARDED for d in ranked)
            assert all(d.status == AWARDED for d, _ in outside)
            continue
        if not (ranked or outside):
            continue  # nobody to place: the school's quota is not worked out
        if school in town.allocations:
            assert stats.quota == town.allocations[school].places
        else:
            base = school_counts(town, school)[spec.quota_base]
            assert stats.quota == int(
                (spec.quota_ratio * base).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            )
        for d, why in outside:
            assert d.status == AWARDED
            assert why in lines(d)
        taking = sum(1 for d, why in outside if "省定贫困村" in why and spec.poor_village_in_quota)
        held = sum(1 for s in town.locked.values() if s == school)
        places = max(0, stats.quota - held - taking)
        awarded = [d for d in ranked if d.status == AWARDED]
        left_out = [d for d in ranked if d.status == NOT_AWARDED]
        assert len(awarded) == min(len(ranked), places)
        assert len(awarded) + len(left_out) == len(ranked)
        order = {d.student_id: (rank(spec, by_row[d.enrollment_id]), d.student_id) for d in ranked}
        for d in ranked:
            assert d.priority == (None if order[d.student_id][0] == 99 else order[d.student_id][0])
        for a in awarded:
            row_a = by_row[a.enrollment_id]
            for b in left_out:
                row_b = by_row[b.enrollment_id]
                key_a = (rank(spec, row_a), row_a["student__id_number"], row_a["id"])
                key_b = (rank(spec, row_b), row_b["student__id_number"], row_b["id"])
                assert key_a < key_b
            assert "在名额内" in lines(a)
        for b in left_out:
            assert "名额已满" in lines(b)


@PROPERTY
@given(townships())
def test_a_floor_warning_appears_exactly_when_the_counted_students_fall_below_ratio_times_base(
    town,
):
    """ "资助比例不低于在校寄宿生人数的15%"; "其他家庭困难学生资助比例不低于在校生的15%"; "A floor (不低于)
    is a minimum share to be reached: the system reports every school below it, it does not
    invent recipients" (DOMAIN.md)."""
    outcome = town.decide()
    spec = town.spec
    for school, stats in outcome.schools.items():
        held = sum(1 for s in town.locked.values() if s == school)
        awarded = [d for d in outcome.decisions if d.school_id == school and d.status == AWARDED]
        assert stats.awarded == len(awarded) + held
        if spec.floor_ratio is None:
            assert stats.floor_required is None and stats not in outcome.floor_warnings
            continue
        counted = sum(1 for d in awarded if counts_for_floor(spec, d.categories)) + held
        base = school_counts(town, school)[spec.floor_base]
        assert (stats.floor_counted, stats.floor_base) == (counted, base)
        assert stats.floor_required == spec.floor_ratio * base
        assert (stats in outcome.floor_warnings) == (counted < spec.floor_ratio * base)


@PROPERTY
@given(townships(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_rows(town, shuffler: random.Random):
    """The same facts in another order give the same decisions, reasons, counts and conflicts."""
    first = town.decide()
    rows = list(town.rows)
    shuffler.shuffle(rows)
    again = town.decide(rows)
    assert again.decisions == first.decisions
    assert again.schools == first.schools
    assert {c.student_id: c for c in again.conflicts} == {c.student_id: c for c in first.conflicts}
    assert sorted(again.ignored_additions) == sorted(first.ignored_additions)
