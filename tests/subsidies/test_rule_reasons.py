"""Every decision records why, word for word (pure rules, no database).

"Every computed entitlement records **why**: which facts and which rule made the student
eligible, which tier and why, or why not" (DOMAIN.md). The lines below are what a township
officer reads on the list and in the export; each was checked against the seed's clause.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from subsidies.models import EntitlementStatus
from subsidies.rules import facts
from subsidies.rules.allocation import Allocated, decide
from subsidies.rules.decisions import OverrideFact
from tests.subsidies.fact_rows import fact_row, seed_spec


def high_school():
    """HS-GRANT at a school of 26 (three places): one locked, one poor-village student, a staff
    addition and exclusion, and a student also enrolled at a second school allocated no place."""
    rows = [
        fact_row(1, household=("extreme",)),
        fact_row(2, household=("dibao", "registered")),
        fact_row(3, household=("other",), poor_village=True),
        fact_row(4, household=("other",)),
        fact_row(5, disabled=True),
        fact_row(6, household=("other",)),
        fact_row(7, student=4, school=2, household=("other",)),
        *(fact_row(pk) for pk in range(10, 30)),
    ]
    overrides = {
        5: OverrideFact("add", 3, "家访核实", "张老师", "2022-09-01"),
        6: OverrideFact("exclude", None, "已转学", "李老师", "2022-09-02"),
    }
    return decide(
        seed_spec("HS-GRANT"),
        rows,
        overrides=overrides,
        locked={1: 1},
        allocations={2: Allocated(0, "县教体局统筹")},
    )


def test_a_tiered_grant_says_the_facts_the_tier_the_standard_and_the_place():
    """ "平均资助标准为每生每年2000元(具体分为3档,1档1500元、2档2000元、3档2500元)", "资助比例为在校生的10%"."""
    by_student = {d.student_id: d for d in high_school().decisions}
    assert set(by_student) == {2, 3, 4, 5, 6}
    registered = by_student[2]
    assert (registered.status, registered.amount, registered.tier, registered.priority) == (
        EntitlementStatus.PROPOSED,
        Decimal("1000.00"),
        2,
        3,
    )
    assert registered.categories == ("all", "dibao", "hardship", "registered")
    assert registered.reasons == {
        "lines": [
            "学生情况：建档立卡贫困户、低保户",
            "符合条件：低保户、建档立卡贫困户",
            "档次：低保户、建档立卡贫困户对应 2 档",
            "标准：2档：每年 2000.00 元，本学期 1000.00 元",
            "名额：本校名额 3 人（在校生 26 人 × 10%，四舍五入），按困难程度排第 1 位，在名额内",
        ],
        "quota": {"quota": 3, "position": 1, "base": 26},
    }


def test_poor_village_coverage_and_what_took_the_places_are_said():
    """ "对省定贫困村家庭困难在校生实现资助全覆盖": the poor-village student is covered beyond the
    quota, and the student left out is told the places went to the approved one and to them."""
    by_student = {d.student_id: d for d in high_school().decisions}
    poor_village = by_student[3]
    assert poor_village.categories == ("all", "hardship", "other", "poor_village")
    assert poor_village.reasons == {
        "lines": [
            "学生情况：其他家庭经济困难、家庭在省定贫困村",
            "符合条件：其他家庭经济困难",
            "档次：其他家庭经济困难对应 1 档",
            "标准：1档：每年 1500.00 元，本学期 750.00 元",
            "名额：家庭在省定贫困村，全覆盖，不受名额限制",
        ],
        "quota": {"poor_village": True, "quota": 3},
    }
    left_out = by_student[4]
    assert (left_out.status, left_out.amount, left_out.standard) == (
        EntitlementStatus.NOT_AWARDED,
        Decimal("0.00"),
        Decimal("750.00"),
    )
    assert left_out.has_conflict and left_out.enrollment_id == 4
    assert left_out.reasons["lines"][4:] == [
        "名额：本校名额 3 人（在校生 26 人 × 10%，四舍五入），按困难程度排第 2 位，名额已满"
        "（已批准或已发放 1 人、省定贫困村学生 1 人先行全覆盖后剩余 1 个名额），未安排",
        "重复学籍：本学年在 第1学校、第2学校 均有在读学籍，本项目只在第1学校资助一次",
    ]


def test_staff_additions_and_exclusions_say_who_why_and_when():
    """ "staff can override per student with a reason" (DOMAIN.md)."""
    by_student = {d.student_id: d for d in high_school().decisions}
    added = by_student[5]
    assert (added.status, added.amount, added.tier, added.qualifies, added.priority) == (
        EntitlementStatus.PROPOSED,
        Decimal("1250.00"),
        3,
        False,
        2,
    )
    assert added.reasons == {
        "lines": [
            "学生情况：残疾",
            "档次：人工调整为 3 档",
            "标准：3档：每年 2500.00 元，本学期 1250.00 元",
            "名额：人工增补，不占名额",
            "人工调整：增补（家访核实；张老师，2022-09-01）",
        ]
    }
    excluded = by_student[6]
    assert (excluded.status, excluded.amount) == (EntitlementStatus.EXCLUDED, Decimal("0.00"))
    assert excluded.reasons["lines"][-2:] == [
        "名额：人工排除，不占名额",
        "人工调整：排除（已转学；李老师，2022-09-02）",
    ]


def test_the_schools_counts_hold_the_approved_student_and_the_allocation():
    outcome = high_school()
    first, second = outcome.schools[1], outcome.schools[2]
    assert (first.population, first.non_exempt, first.qualifying, first.quota, first.awarded) == (
        26,
        26,
        5,
        3,
        4,
    )
    assert (second.population, second.quota, second.awarded) == (1, None, 0)
    assert second.allocated == Allocated(0, "县教体局统筹")
    assert (first.school_name, second.school_name) == ("第1学校", "第2学校")
    (conflict,) = outcome.conflicts
    assert (conflict.student_id, conflict.student_name, conflict.chosen_enrollment_id) == (
        4,
        "学生4",
        4,
    )
    assert conflict.school_names == ("第1学校", "第2学校")
    assert (outcome.decisions[0].student_name, outcome.decisions[0].id_number) == (
        "学生2",
        f"{2:018d}",
    )
    assert outcome.decisions[0].school_name == "第1学校"


def test_a_county_allocation_and_coverage_outside_the_quota_are_said():
    """ "平均资助面为在园幼儿的10%": an average the county allocates per school (名额分配); with
    poor-village children set outside the quota, they take none of its places."""
    spec = dataclasses.replace(
        seed_spec("PRE-GRANT"), poor_village_in_quota=False, quota_ratio=Decimal("0.125")
    )
    kindergarten = {"stage": "kindergarten"}
    rows = [
        fact_row(1, household=("other",), poor_village=True, **kindergarten),
        fact_row(2, household=("other",), **kindergarten),
        fact_row(3, household=("other",), **kindergarten),
        *(fact_row(pk, **kindergarten) for pk in range(4, 12)),
        *(fact_row(pk, school=2, household=("dibao",), **kindergarten) for pk in range(20, 23)),
    ]
    outcome = decide(spec, rows, allocations={2: Allocated(2, "县教体局统筹")})
    assert outcome.decisions[0].reasons == {
        "lines": [
            "学生情况：其他家庭经济困难、家庭在省定贫困村",
            "符合条件：其他家庭经济困难",
            "档次：其他家庭经济困难对应 1 档",
            "标准：1档：每年 1000.00 元，本学期 500.00 元",
            "名额：家庭在省定贫困村，全覆盖，不占名额",
        ],
        "quota": {"poor_village": True, "quota": 1},
    }
    last = {d.student_id: (d.status, d.reasons["lines"][-1]) for d in outcome.decisions}
    allocated = "本校名额 2 人（县分配，按在校生 3 人 × 12.5%应为 0 人；理由：县教体局统筹）"
    assert last == {
        1: (EntitlementStatus.PROPOSED, "名额：家庭在省定贫困村，全覆盖，不占名额"),
        2: (
            EntitlementStatus.PROPOSED,
            "名额：本校名额 1 人（在校生 11 人 × 12.5%，四舍五入），按困难程度排第 1 位，在名额内",
        ),
        3: (
            EntitlementStatus.NOT_AWARDED,
            "名额：本校名额 1 人（在校生 11 人 × 12.5%，四舍五入），按困难程度排第 2 位，名额已满（共 1 个名额），未安排",
        ),
        20: (EntitlementStatus.PROPOSED, f"名额：{allocated}，按困难程度排第 1 位，在名额内"),
        21: (EntitlementStatus.PROPOSED, f"名额：{allocated}，按困难程度排第 2 位，在名额内"),
        22: (
            EntitlementStatus.NOT_AWARDED,
            f"名额：{allocated}，按困难程度排第 3 位，名额已满（共 2 个名额），未安排",
        ),
    }


def test_the_other_kinds_say_their_standard():
    """ "孤儿每天补助10元,每年按365天计算 … 低保和其他家庭困难学生每天补助3元,每年按200天计算";
    "对公办中等职业学校在校生全部免除学费"; "小学每生每年IoOo元,中学每生每年1250元"; 中职国家助学金:
    "涉农专业全部和非涉农专业家庭困难学生"."""
    meal = decide(
        seed_spec("CMP-MEAL"),
        [
            fact_row(1, stage="special", orphan=True),
            fact_row(2, school=2, stage="primary", household=("dibao",)),
        ],
    )
    assert [d.reasons["lines"] for d in meal.decisions] == [
        [
            "学生情况：孤儿、特殊教育学生",
            "符合条件：家庭经济困难、孤儿、特殊教育学生",
            "标准：孤儿：每天 10.00 元 × 本学期 182.5 天 = 1825.00 元（多项标准取最高）",
        ],
        [
            "学生情况：低保户",
            "符合条件：家庭经济困难",
            "标准：家庭经济困难：每天 3.00 元 × 本学期 100 天 = 300.00 元",
        ],
    ]
    vocational = [
        fact_row(1, stage="vocational", agri=True),
        *(fact_row(pk, stage="vocational") for pk in range(3, 12)),
    ]
    grant = decide(
        seed_spec("VOC-GRANT"), [*vocational, fact_row(2, stage="vocational", household=("other",))]
    )
    assert [d.reasons["lines"][2:] for d in grant.decisions] == [
        [
            "标准：中职每生每年 2000.00 元，本学期 1000.00 元",
            "名额：涉农专业学生全部资助，不占名额",
        ],
        [
            "标准：中职每生每年 2000.00 元，本学期 1000.00 元",
            "名额：本校名额 1 人（不占名额类别以外的学生 10 人 × 10%，四舍五入），按困难程度排第 1 位，在名额内",
        ],
    ]
    waiver = decide(
        seed_spec("VOC-FREE"), [fact_row(1, stage="vocational", tuition=Decimal("3001"))]
    )
    assert waiver.decisions[0].amount == Decimal("1500.50")
    assert waiver.decisions[0].reasons["lines"] == [
        "学生情况：无登记困难类别",
        "符合条件：全体在读学生",
        "标准：学校学费标准每年 3001 元，本学期免除 1500.50 元",
    ]
    assert [d.priority for d in meal.decisions] == [None, None]  # CMP-MEAL ranks nobody
    two_rates = decide(seed_spec("CMP-MEAL"), [fact_row(1, stage="special", household=("dibao",))])
    assert two_rates.decisions[0].reasons["lines"][-1] == (
        "标准：特殊教育学生：每天 10.00 元 × 本学期 100 天 = 1000.00 元（多项标准取最高）"
    )
    board = decide(
        seed_spec("CMP-BOARD"), [fact_row(1, stage="junior", boarding=True, household=("other",))]
    )
    assert (
        board.decisions[0].reasons["lines"][-1] == "标准：初中每生每年 1250.00 元，本学期 625.00 元"
    )


def test_a_quota_of_boarders_says_so():
    """A policy whose quota is a share of the boarders (资助比例 … 寄宿生) says which count it took."""
    spec = dataclasses.replace(
        seed_spec("CMP-BOARD"), quota_ratio=Decimal("0.5"), quota_base="boarders"
    )
    rows = [
        fact_row(pk, stage="primary", boarding=pk < 5, household=("other",)) for pk in range(1, 7)
    ]
    outcome = decide(spec, rows)
    line = outcome.decisions[0].reasons["lines"][-1]
    assert (
        line == "名额：本校名额 2 人（寄宿生 4 人 × 50%，四舍五入），按困难程度排第 1 位，在名额内"
    )


def test_students_with_the_same_facts_and_outcome_share_one_reasons_object():
    """`decision_for`: most rows of a county-wide program read alike, so their reasons are built,
    serialised and hashed once (bench/compute_aid.py); a different outcome gets its own."""
    rows = [fact_row(pk, school=1 + pk % 2, stage="primary") for pk in range(1, 4)]
    first, second, third = decide(seed_spec("CMP-NUTRI"), rows).decisions
    assert {first.school_id, second.school_id} == {1, 2}
    assert first.reasons is second.reasons is third.reasons


def test_a_code_the_labels_do_not_know_is_shown_as_itself():
    """A stage or category from an older database that today's labels lack shows as its code,
    never as "None"."""
    spec = dataclasses.replace(
        seed_spec("CMP-BOARD"), stage_amounts={"preschool_old": Decimal("800")}, quota_ratio=None
    )
    (decision,) = decide(spec, [fact_row(1, stage="preschool_old", household=("other",))]).decisions
    assert decision.reasons["lines"][-1] == "标准：preschool_old每生每年 800 元，本学期 400.00 元"
    assert facts.stage_label("preschool_old") == "preschool_old"
    assert facts.category_labels(["dibao", "poor_old"]) == "低保户、poor_old"
