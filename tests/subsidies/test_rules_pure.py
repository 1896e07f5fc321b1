"""The pure rules case by case, on the seed's policies as plain data (no database).

Each test here pins a rule that a one-line change of `subsidies.rules` would break
without the other tests noticing (issue 18's mutation testing: `make mutants`).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import SimpleNamespace

import pytest

from subsidies.models import EntitlementStatus
from subsidies.rules.allocation import decide, quota_for
from subsidies.rules.facts import priority_for
from subsidies.rules.policy import CategoryRule, DailyRate, PolicySpec
from tests.subsidies.fact_rows import fact_row, seed_spec

AWARDED = EntitlementStatus.PROPOSED


def plain_students(first_pk: int, count: int, **facts) -> list[dict]:
    return [fact_row(pk, **facts) for pk in range(first_pk, first_pk + count)]


# ---------------------------------------------------------------------------
# Neediest first: a student ranks by the neediest of their categories


def test_a_registered_poor_student_on_dibao_ranks_as_registered_poor_not_as_dibao():
    """ "平均资助面为在园幼儿的10%" / "资助比例为在校生的10%", and DOMAIN.md: "When more students
    qualify than the quota, the neediest come first; a sensible default order is 特困 → 孤儿 /
    烈士子女 / 残疾 → 建档立卡 → 低保 → other hardship".

    A student of a 建档立卡 household that also receives 低保 ranks as 建档立卡 (3), not as 低保 (4):
    with one place, they come before a 低保-only student whose ID number sorts first.
    """
    spec = seed_spec("HS-GRANT")
    assert priority_for(spec, {"registered", "dibao", "hardship", "all"}) == 3
    assert priority_for(spec, {"dibao", "registered"}) == 3
    assert priority_for(spec, {"other", "extreme"}) == 1

    dibao_only = fact_row(1, household=("dibao",), id_number="110105200501010011")
    registered_on_dibao = fact_row(
        2, household=("registered", "dibao"), id_number="110105200501010099"
    )
    rows = [dibao_only, registered_on_dibao, *plain_students(3, 8)]  # 10 enrolled: one place
    outcome = decide(spec, rows)
    status = {d.student_id: d.status for d in outcome.decisions}
    assert status == {1: EntitlementStatus.NOT_AWARDED, 2: AWARDED}
    by_student = {d.student_id: d for d in outcome.decisions}
    assert by_student[2].priority == 3 and by_student[1].priority == 4
    assert "按困难程度排第 1 位，在名额内" in by_student[2].reasons["lines"][-1]


def test_the_same_order_holds_whichever_category_is_listed_first():
    """The neediest category decides, whatever the order the household's categories come in."""
    spec = seed_spec("PRE-GRANT")
    for categories in (
        ("extreme", "other"),
        ("other", "extreme"),
        ("dibao", "orphan"),
        ("orphan", "dibao"),
    ):
        expected = min(spec.categories[c].priority for c in categories)
        assert priority_for(spec, categories) == expected
    # A category without a rank (the derived 家庭经济困难) does not rank anyone last or first.
    assert priority_for(spec, ("hardship",)) == 99
    assert priority_for(spec, ("hardship", "other")) == 5


# ---------------------------------------------------------------------------
# Floors count the category the policy names


def meal_school(stage: str, *, first_pk: int = 1, school: int = 1, **counts: int) -> list[dict]:
    """A school of `counts` students: orphans, orphan_dibao, dibao, special, plain."""
    kinds = {
        "orphans": {"orphan": True},
        "orphan_dibao": {"orphan": True, "household": ("dibao",)},
        "dibao": {"household": ("dibao",)},
        "plain": {},
    }
    rows, pk = [], first_pk
    for kind, count in counts.items():
        for _ in range(count):
            rows.append(fact_row(pk, school=school, stage=stage, **kinds[kind]))
            pk += 1
    return rows


def test_the_meal_floor_counts_the_three_yuan_students_not_every_one_awarded():
    """ "孤儿每天补助10元,每年按365天计算;特教学校学生每天10元,每年按200天计算;低保和其他家庭困难
    学生每天补助3元,每年按200天计算。其他家庭困难学生资助比例不低于在校生的15%".

    Twenty enrolled: the floor is 15% × 20 = 3 students of 其他家庭困难. Six are awarded, but five
    are orphans paid 10 yuan; one is paid 3 yuan: the school is below the floor.
    """
    spec = seed_spec("CMP-MEAL")
    rows = meal_school("primary", orphans=4, orphan_dibao=1, dibao=1, plain=14)
    outcome = decide(spec, rows)
    stats = outcome.schools[1]
    assert stats.awarded == 6
    assert stats.floor_counted == 1
    assert stats.floor_required == Decimal("3.00")
    assert outcome.floor_warnings == [stats]


def test_students_paid_the_floors_rate_for_another_reason_are_not_counted():
    """ "其他家庭困难学生资助比例不低于在校生的15%": the floor names 家庭困难学生. If the county set the
    special-education rate to 3 yuan too, special-education students without hardship would be paid
    the same rate, and are still not 家庭困难学生: two of twenty are, the school is below 3."""
    seed = seed_spec("CMP-MEAL")
    rates = tuple(
        DailyRate(r.category, Decimal("3.00"), Decimal("200.0"))
        if r.category == "special_ed"
        else r
        for r in seed.daily_rates
    )
    spec = dataclasses.replace(seed, daily_rates=rates)
    rows = meal_school("special", dibao=2, plain=18)
    outcome = decide(spec, rows)
    stats = outcome.schools[1]
    assert stats.awarded == 20
    assert {d.amount for d in outcome.decisions} == {Decimal("300.00")}
    assert stats.floor_counted == 2
    assert outcome.floor_warnings == [stats]


def test_a_floor_without_a_category_counts_every_student_awarded():
    """ "资助比例不低于在校寄宿生人数的15%" (CMP-BOARD): every boarder awarded counts, whatever their
    category; 20 boarders need 3, three awarded reach it exactly (no warning at the floor)."""
    spec = seed_spec("CMP-BOARD")
    rows = [
        fact_row(1, stage="primary", boarding=True, orphan=True),
        fact_row(2, stage="primary", boarding=True, household=("extreme",)),
        fact_row(3, stage="primary", boarding=True, household=("other",)),
        *plain_students(4, 17, stage="primary", boarding=True),
        *plain_students(21, 10, stage="primary"),
    ]
    outcome = decide(spec, rows)
    stats = outcome.schools[1]
    assert (stats.awarded, stats.floor_counted, stats.floor_base) == (3, 3, 20)
    assert stats.floor_required == Decimal("3.00")
    assert outcome.floor_warnings == []
    fewer = decide(spec, [r for r in rows if r["id"] != 3])
    assert fewer.schools[1].floor_counted == 2
    assert fewer.floor_warnings == [fewer.schools[1]]


def test_approved_and_paid_students_count_towards_their_schools_floor():
    """ "资助比例不低于在校寄宿生人数的15%": a boarder whose aid is already approved (or paid) holds
    a place and counts, at their own school only; 20 boarders need 3."""
    spec = seed_spec("CMP-BOARD")
    rows = [
        fact_row(1, stage="primary", boarding=True, orphan=True),
        fact_row(2, stage="primary", boarding=True, household=("extreme",)),
        fact_row(3, stage="primary", boarding=True, household=("other",)),
        *plain_students(4, 17, stage="primary", boarding=True),
        fact_row(30, school=2, stage="primary", boarding=True, household=("dibao",)),
    ]
    outcome = decide(spec, rows, locked={3: 1, 30: 2})
    first = outcome.schools[1]
    assert (first.awarded, first.floor_counted, first.floor_required) == (3, 3, Decimal("3.00"))
    assert outcome.floor_warnings == []
    assert [d.student_id for d in outcome.decisions] == [1, 2]
    assert outcome.schools[2].floor_counted == 1


# ---------------------------------------------------------------------------
# The snapshot of a policy


class _Rows(list):
    def all(self):
        return self


# A policy's figures the snapshot copies as they are: its quota, floor and coverage settings.
SHARES = {
    "annual_amount": Decimal("2000.00"),
    "average_standard": Decimal("2000.00"),
    "quota_ratio": Decimal("0.1000"),
    "quota_base": "non_exempt",
    "floor_ratio": Decimal("0.1500"),
    "floor_base": "boarders",
    "floor_category": "hardship",
    "poor_village_full_coverage": False,
    "poor_village_in_quota": False,
    "lifted_households_count": False,
}


def test_a_policy_is_snapshotted_with_every_figure_an_administrator_edits():
    """The policy module: "Every figure comes from the `Policy` rows an administrator edits per
    school year": the snapshot carries each of them (read from prefetched inlines, no query)."""
    row = SimpleNamespace
    policy = row(
        pk=7,
        code="VOC-GRANT",
        name="中职国家助学金",
        kind="flat_grant",
        stage_list=["vocational"],
        tiers=_Rows([row(tier=1, annual_amount=Decimal("1500"))]),
        stage_amounts=_Rows([row(stage="vocational", annual_amount=Decimal("1800"))]),
        daily_rates=_Rows(
            [row(category="orphan", rate=Decimal("10"), days_per_year=Decimal("365"))]
        ),
        categories=_Rows(
            [
                row(
                    category="agri_major",
                    qualifies=True,
                    tier=None,
                    priority=None,
                    quota_exempt=True,
                ),
                row(category="dibao", qualifies=True, tier=2, priority=4, quota_exempt=False),
                row(category="disabled", qualifies=False, tier=3, priority=2, quota_exempt=False),
            ]
        ),
        **SHARES,
    )
    spec = PolicySpec.from_policy(policy)
    assert spec == PolicySpec(
        id=7,
        code="VOC-GRANT",
        name="中职国家助学金",
        kind="flat_grant",
        stages=("vocational",),
        tiers={1: Decimal("1500")},
        stage_amounts={"vocational": Decimal("1800")},
        daily_rates=(DailyRate("orphan", Decimal("10"), Decimal("365")),),
        categories={
            "agri_major": CategoryRule("agri_major", True, None, None, True),
            "dibao": CategoryRule("dibao", True, 2, 4, False),
            "disabled": CategoryRule("disabled", False, 3, 2, False),
        },
        **SHARES,
    )
    assert spec.exempt_categories == {"agri_major"}
    assert spec.qualifying_categories == {"agri_major", "dibao"}


def test_a_policy_snapshot_defaults_to_the_seeds_reading():
    """Unless the policy says otherwise: no figures, shares of the whole school, poor villages
    covered in full inside the quota, lifted households still counted."""
    spec = PolicySpec(id=1, code="X", name="项目", kind="flat_grant", stages=("primary",))
    assert (spec.annual_amount, spec.average_standard, spec.quota_ratio, spec.floor_ratio) == (
        None,
    ) * 4
    assert (
        dict(spec.tiers),
        dict(spec.stage_amounts),
        spec.daily_rates,
        dict(spec.categories),
    ) == ({}, {}, (), {})
    assert (spec.quota_base, spec.floor_base, spec.floor_category) == (
        "population",
        "population",
        "",
    )
    assert (
        spec.poor_village_full_coverage
        and spec.poor_village_in_quota
        and spec.lifted_households_count
    )


# ---------------------------------------------------------------------------
# Quotas round half up; a tuition of any amount is waived


@pytest.mark.parametrize(
    ("ratio", "count", "quota"),
    [
        ("0.1", 25, 3),
        ("0.1", 15, 2),
        ("0.1", 14, 1),
        ("0.15", 10, 2),
        ("0.05", 10, 1),
        ("0.1", 4, 0),
        ("0.1", 0, 0),
    ],
)
def test_a_quota_is_ratio_times_count_rounded_half_up(ratio, count, quota):
    """ "平均资助面为在园幼儿的10%": `round(ratio × enrolled)` per school (DOMAIN.md), 四舍五入
    (2.5 places are 3, not the banker's 2)."""
    assert quota_for(Decimal(ratio), count) == quota


def test_a_school_charging_one_yuan_has_it_waived():
    """ "对公办中等职业学校在校生全部免除学费": any tuition above zero is waived, half a term."""
    spec = seed_spec("VOC-FREE")
    for tuition, waived in (("1", "0.50"), ("0.5", "0.25"), ("1.01", "0.51")):
        (decision,) = decide(
            spec, [fact_row(1, stage="vocational", tuition=Decimal(tuition))]
        ).decisions
        assert decision.amount == Decimal(waived)
    assert decide(spec, [fact_row(1, stage="vocational", tuition=Decimal("0"))]).decisions == []
