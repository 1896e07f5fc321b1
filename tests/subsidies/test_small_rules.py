"""Issue 11 §5, the smaller points: no 0-yuan tuition waivers, tiers from qualifying categories,
CMP-MEAL's floor counts the 3-yuan students, the poor-village clause only where it applies."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from aidsite.models import Role
from students.models import HouseholdCategory as H
from students.models import Stage
from subsidies.models import EntitlementStatus
from subsidies.selectors import term_summary
from tests.factories import make_user
from tests.subsidies.townships import compute, rows

pytestmark = pytest.mark.django_db


def test_a_public_vocational_school_without_tuition_lists_no_waivers_and_warns(client, term, township, kids):
    """"对公办中等职业学校在校生全部免除学费": a school whose tuition is 0 has nothing to waive,
    so no 0.00 "proposed" rows; the summary (/aid/ and compute_aid) says nobody is paid there."""
    free_school = kids.school(Stage.VOCATIONAL, tuition=Decimal("0"), name="免费职专")
    paying = kids.school(Stage.VOCATIONAL, tuition=Decimal("3000"), name="收费职专")
    at_free = [kids(free_school), kids(free_school, categories=(H.DIBAO,))]
    at_paying = kids(paying)
    compute(term)
    waived = rows(term, "VOC-FREE")
    assert set(waived) == {at_paying.student_id}
    assert not any(e.student_id in waived for e in at_free)
    assert waived[at_paying.student_id].amount == Decimal("1500.00")

    by_school = {r.school_name: r for r in term_summary(term=term, policy_code="VOC-FREE")}
    assert by_school["免费职专"].no_tuition and by_school["免费职专"].awarded == 0
    assert by_school["免费职专"].enrolled == 2
    assert not by_school["收费职专"].no_tuition

    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    page = client.get(reverse("aid:index"), {"term": term.pk}).content.decode()
    assert "本校学费标准为 0 元，无人享受免学费" in page
    out = io.StringIO()
    call_command(
        "compute_aid", "--year", term.school_year.name, "--term", "autumn", "--township", township.name, stdout=out
    )
    printed = [line for line in out.getvalue().splitlines() if "免费职专" in line]
    assert printed and "学费标准为0元，无人享受免学费" in printed[0]


def test_a_disabled_high_school_student_with_other_hardship_gets_the_hardship_tier(term, kids):
    """"对就读全日制普通高中学校(含民办普通高中学校)在校生中的家庭困难学生进行资助 … 具体分为3档,
    1档1500元、2档2000元、3档2500元": disability alone does not qualify for HS-GRANT, so it gives no
    tier; the student is paid the tier of the hardship that qualifies (其他家庭经济困难: 1档)."""
    school = kids.school(Stage.HIGH)
    for _ in range(20):
        kids(school)
    disabled_poor = kids(school, categories=(H.OTHER,), disabled=True)
    disabled_only = kids(school, disabled=True)
    compute(term)
    grants = rows(term, "HS-GRANT")
    grant = grants[disabled_poor.student_id]
    assert grant.tier == 1
    assert grant.amount == Decimal("750.00")
    assert "其他家庭经济困难对应 1 档" in grant.reason_text
    assert disabled_only.student_id not in grants


def test_the_meal_floor_counts_the_students_paid_the_three_yuan_rate(term, kids):
    """"孤儿每天补助10元 … 特教学校学生每天10元 … 低保和其他家庭困难学生每天补助3元 …
    其他家庭困难学生资助比例不低于在校生的15%": the floor counts the 3-yuan students (低保 and
    other hardship), not orphans paid 10 yuan."""
    school = kids.school(Stage.PRIMARY, name="青山小学")
    for _ in range(14):
        kids(school)
    orphans = [kids(school, orphan=True) for _ in range(4)]
    orphan_dibao = kids(school, orphan=True, categories=(H.DIBAO,))
    dibao = kids(school, categories=(H.DIBAO,))
    # 20 enrolled: the floor is 15% × 20 = 3 students; one is paid 3 yuan, five 10 yuan.
    result = compute(term)
    meal = rows(term, "CMP-MEAL")
    assert meal[dibao.student_id].amount == Decimal("300.00")
    assert {meal[k.student_id].amount for k in [*orphans, orphan_dibao]} == {Decimal("1825.00")}

    (warning,) = [w for w in result.floor_warnings if w.policy_code == "CMP-MEAL"]
    assert warning.counted == 1 and warning.required == Decimal("3")
    (row,) = term_summary(term=term, policy_code="CMP-MEAL")
    assert row.awarded == 6
    assert row.floor_counted == 1 and row.below_floor


def test_the_quota_reason_names_poor_village_coverage_only_where_it_applies(term, kids):
    """"资助比例为在校生的10% … 对省定贫困村家庭困难在校生实现资助全覆盖": a student left out by the
    quota is told poor-village students took places first only when some did."""
    plain = kids.school(Stage.HIGH, name="平安中学")
    for _ in range(9):
        kids(plain)
    kids(plain, categories=(H.EXTREME,))
    left_out = kids(plain, categories=(H.OTHER,))
    with_village = kids.school(Stage.HIGH, name="石岭中学")
    for _ in range(9):
        kids(with_village)
    kids(with_village, categories=(H.DIBAO,), poor=True)
    left_out_there = kids(with_village, categories=(H.OTHER,))
    compute(term)
    grants = rows(term, "HS-GRANT")

    text = grants[left_out.student_id].reason_text
    assert grants[left_out.student_id].status == EntitlementStatus.NOT_AWARDED
    assert "省定贫困村" not in text
    assert "名额已满（共 1 个名额）" in text

    there = grants[left_out_there.student_id]
    assert there.status == EntitlementStatus.NOT_AWARDED
    assert "省定贫困村学生 1 人先行全覆盖后剩余 0 个名额" in there.reason_text
