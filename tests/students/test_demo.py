"""The demo township generator and loader."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from aidsite.access import SystemActor, scope_queryset
from aidsite.lib.idcard import check_id_number
from aidsite.models import Role, StaffProfile
from students.demo import DEMO_PASSWORD, demo_load
from students.demo_roster import DEMO_TOWNSHIP, SECOND_TOWNSHIP, STUDENT_HEADERS, demo_roster
from students.importing.words import HOUSEHOLD_WORDS, PERSONAL_WORDS
from students.models import (
    Enrollment,
    HouseholdHardship,
    School,
    Stage,
    Student,
    Township,
    Village,
)

# Ages on 1 September 2022 per stage.
AGES = {
    "学前": (3, 5),
    "小学": (6, 11),
    "初中": (12, 14),
    "普通高中": (15, 17),
    "中职": (15, 17),
    "特殊教育": (7, 15),
}


def test_the_demo_roster_has_valid_realistic_rows():
    roster = demo_roster()

    assert roster == demo_roster()  # seeded: the same every time
    assert {v["乡镇"] for v in roster.villages} == {DEMO_TOWNSHIP, SECOND_TOWNSHIP}
    poor = [
        v for v in roster.villages if v["乡镇"] == DEMO_TOWNSHIP and v["是否省定贫困村"] == "是"
    ]
    assert len(poor) == 2
    qingshan_schools = [s for s in roster.schools if s["乡镇"] == DEMO_TOWNSHIP]
    stages = Counter(s["学段"] for s in qingshan_schools)
    assert stages["学前"] >= 2 and all(
        stages[w] >= 1 for w in ("小学", "初中", "普通高中", "中职", "特殊教育")
    )
    kindergartens = [s for s in qingshan_schools if s["学段"] == "学前"]
    assert any(
        s["办学性质"] == "公办" and s["是否普惠性"] == "是" and s["是否县级审批"] == "是"
        for s in kindergartens
    )
    assert any(s["办学性质"] == "民办" for s in kindergartens)

    students = roster.students
    assert 300 <= len(students) <= 600
    assert all(set(row) == set(STUDENT_HEADERS) for row in students)
    ids = [row["身份证号"] for row in students]
    assert len(set(ids)) == len(ids)
    year_start = dt.date(2022, 9, 1)
    for row in students:
        facts = check_id_number(row["身份证号"])
        assert row["身份证号"].startswith("370829")
        assert row["性别"] == ("男" if facts.sex == "M" else "女")
        low, high = AGES[row["学段"]]
        assert low <= facts.age_on(year_start) <= high, row
        assert all(word in HOUSEHOLD_WORDS for word in row["家庭类别"].split("、") if word)
        assert all(word in PERSONAL_WORDS for word in row["个人类别"].split("、") if word)
    categories = Counter(w for row in students for w in row["家庭类别"].split("、") if w)
    assert all(categories[w] > 0 for w in ("建档立卡", "低保", "特困", "其他困难"))
    personal = Counter(w for row in students for w in row["个人类别"].split("、") if w)
    assert personal["孤儿"] >= 2 and personal["烈士子女"] >= 1 and personal["残疾"] >= 2
    vocational = [row for row in students if row["学段"] == "中职"]
    assert {row["是否涉农专业"] for row in vocational} == {"是", "否"}
    assert any(row["是否寄宿"] == "是" for row in students if row["学段"] in ("小学", "初中"))
    assert sum(row["乡镇"] == SECOND_TOWNSHIP for row in students) >= 2


def test_the_roster_scales_across_townships():
    roster = demo_roster(students=25_000)

    assert len(roster.students) == 25_000
    assert len({row["身份证号"] for row in roster.students}) == 25_000
    assert len({row["乡镇"] for row in roster.students}) >= 3
    assert len({s["学校名称"] for s in roster.schools}) == len(roster.schools)


@pytest.mark.django_db
def test_demo_load_goes_through_the_importer_and_is_safe_to_repeat():
    first = demo_load(actor=SystemActor("测试演示数据"))

    assert all(report.ok for report in first.values())
    students = len(demo_roster().students)
    assert first["students"].created == students == Student.objects.count()
    assert Village.objects.filter(township__name=DEMO_TOWNSHIP, is_poor_village=True).count() == 2
    assert School.objects.filter(stages=Stage.VOCATIONAL).exists()
    assert HouseholdHardship.objects.exists()
    history = Student.history.count()

    second = demo_load(actor=SystemActor("测试演示数据"))

    assert all(report.ok for report in second.values())
    assert second["students"].unchanged == students and second["students"].created == 0
    assert Student.objects.count() == students and Student.history.count() == history


@pytest.mark.django_db
def test_load_demo_creates_one_account_per_role_with_its_scope(capsys):
    call_command("load_demo")
    call_command("load_demo")

    def login(username):
        user = get_user_model().objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD) and user.is_staff
        return user

    out = capsys.readouterr().out
    assert "demo_county" in out and DEMO_PASSWORD in out and "用户名" in out
    roles = dict(StaffProfile.objects.values_list("user__username", "role"))
    assert set(roles.values()) == set(Role.values)
    township_user = login("demo_qingshan")
    visible = scope_queryset(township_user, Enrollment.objects.all())
    assert visible.exists()
    assert not visible.filter(school__township__name=SECOND_TOWNSHIP).exists()
    baiyun_user = login("demo_baiyun")
    assert set(
        scope_queryset(baiyun_user, Township.objects.all()).values_list("name", flat=True)
    ) == {SECOND_TOWNSHIP}
    director = login("demo_director")
    schools = set(
        scope_queryset(director, Enrollment.objects.all()).values_list("school__name", flat=True)
    )
    assert schools == {"青山镇中心幼儿园"}
    assert {y for y in Enrollment.objects.values_list("school_year__name", flat=True)} == {
        "2022-2023"
    }
