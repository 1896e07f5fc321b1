"""控辍保学: who is a suspected drop-out (疑似失学辍学) or 未入园, and who is not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aidsite.access import SystemActor
from aidsite.models import Role
from students.dropout_cases import dropout_case_close, dropout_contact_record
from students.models import DropoutOutcome
from students.omissions import not_in_kindergarten, omission_counts, suspected_dropouts
from tests.factories import HouseholdCategory, make_household, make_school_year, make_user
from tests.students.dropout_world import build_dropout_world, make_member

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("测试")


@pytest.fixture
def world():
    return build_dropout_world()


def _names(rows) -> list[str]:
    return [row.name for row in rows]


def _close(world, name: str, outcome: str, **fields):
    fields.setdefault("evidence", "村委会证明")
    return dropout_case_close(
        actor=SYSTEM, member=world[name], school_year=world.year, outcome=outcome,
        outcome_date=dt.date(2022, 10, 8), **fields,
    )  # fmt: skip


def test_it_lists_compulsory_age_children_of_registered_households_with_no_studying_enrollment(
    world,
):
    rows = suspected_dropouts(actor=SYSTEM, school_year=world.year)
    assert _names(rows) == [
        "王六岁", "王初中", "王十五", "王去年", "王小学", "王辍学", "赵脱贫", "陈西川",
    ]  # fmt: skip
    by_name = {row.name: row for row in rows}
    assert (by_name["王小学"].age, by_name["王小学"].expected_stage) == (10, "小学")
    assert (by_name["王初中"].age, by_name["王初中"].expected_stage) == (13, "初中")
    assert (by_name["王六岁"].age, by_name["王十五"].age) == (6, 15)
    assert (by_name["王小学"].township, by_name["王小学"].village) == ("东岭镇", "上村")
    assert by_name["王小学"].head_name == "王大山"
    assert by_name["王小学"].follow_up == "未跟进"


def test_who_is_not_a_suspected_drop_out(world):
    names = set(_names(suspected_dropouts(actor=SYSTEM, school_year=world.year)))
    assert "王在读" not in names  # enrolled at a school of another township
    assert "王五岁" not in names and "王两岁" not in names  # too young
    assert "王十六" not in names and "王大山" not in names  # too old
    assert "李普通" not in names  # not a registered household
    assert "王幼儿" not in names


def test_a_lifted_household_still_counts(world):
    assert "赵脱贫" in _names(suspected_dropouts(actor=SYSTEM, school_year=world.year))


def test_preschool_children_not_in_a_kindergarten_are_listed_apart(world):
    rows = not_in_kindergarten(actor=SYSTEM, school_year=world.year)
    assert [(row.name, row.age) for row in rows] == [("王五岁", 5)]


def test_the_ages_and_the_cut_off_day_are_the_school_years(world):
    world.year.compulsory_age_to = 16
    world.year.save()
    assert "王十六" in _names(suspected_dropouts(actor=SYSTEM, school_year=world.year))
    world.year.age_cutoff = dt.date(2022, 9, 1)  # 王五岁 turns 6 on 1 September 2022
    world.year.save()
    assert "王五岁" in _names(suspected_dropouts(actor=SYSTEM, school_year=world.year))
    assert "王五岁" not in _names(not_in_kindergarten(actor=SYSTEM, school_year=world.year))


def test_a_township_officer_sees_only_their_township(world):
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=world.other_township)
    assert _names(suspected_dropouts(actor=officer, school_year=world.year)) == ["陈西川"]
    with pytest.raises(PermissionDenied):
        suspected_dropouts(actor=officer, school_year=world.year, township=world.township)


def test_a_director_may_not_see_the_list(world):
    director = make_user(role=Role.DIRECTOR, school=world.school)
    with pytest.raises(PermissionDenied):
        suspected_dropouts(actor=director, school_year=world.year)


def test_schooling_elsewhere_recorded_accounts_for_the_child_this_year_only(world):
    case = _close(
        world,
        "王小学",
        DropoutOutcome.ELSEWHERE,
        elsewhere_school="广州市某小学",
        elsewhere_place="广东省广州市",
    )
    assert case.outcome == DropoutOutcome.ELSEWHERE and case.elsewhere_place == "广东省广州市"
    assert "王小学" not in _names(suspected_dropouts(actor=SYSTEM, school_year=world.year))
    next_year = make_school_year("2023-2024")
    rows = {row.name: row for row in suspected_dropouts(actor=SYSTEM, school_year=next_year)}
    assert rows["王小学"].follow_up == "再次失学（上次：外地就读）"


@pytest.mark.parametrize(
    "outcome",
    [
        DropoutOutcome.HOME_TEACHING,
        DropoutOutcome.SICK_LEAVE,
        DropoutOutcome.COMPLETED,
        DropoutOutcome.GONE,
    ],
)
def test_each_closing_outcome_takes_the_child_off_the_list(world, outcome):
    _close(world, "王初中", outcome)
    assert "王初中" not in _names(suspected_dropouts(actor=SYSTEM, school_year=world.year))


def test_completed_and_gone_last_beyond_the_year(world):
    _close(world, "王十五", DropoutOutcome.COMPLETED)
    _close(world, "王初中", DropoutOutcome.SICK_LEAVE)
    next_year = make_school_year("2023-2024")
    names = _names(suspected_dropouts(actor=SYSTEM, school_year=next_year))
    assert "王十五" not in names and "王初中" in names


def test_a_contact_opens_the_case_and_the_list_says_it_is_followed(world):
    contact = dropout_contact_record(
        actor=SYSTEM, member=world["王小学"], school_year=world.year, date=dt.date(2022, 9, 20),
        by="李老师", mode="visit", content="家长答应下周送孩子返校", responsible="张主任",
    )  # fmt: skip
    assert contact.case.responsible == "张主任"
    rows = {row.name: row for row in suspected_dropouts(actor=SYSTEM, school_year=world.year)}
    assert rows["王小学"].follow_up == "跟进中"


def test_returned_enrolls_the_child_and_a_later_drop_out_reopens_the_case(world):
    case = _close(
        world,
        "王小学",
        DropoutOutcome.RETURNED,
        school=world.school,
        stage="primary",
        grade="四年级",
    )
    enrollment = case.enrollment
    assert (enrollment.school, enrollment.status, enrollment.student.id_number) == (
        world.school, "studying", world["王小学"].id_number,
    )  # fmt: skip
    assert enrollment.history.first().history_type == "+"
    assert "王小学" not in _names(suspected_dropouts(actor=SYSTEM, school_year=world.year))
    enrollment.status = "dropped"
    enrollment.save()
    rows = {row.name: row for row in suspected_dropouts(actor=SYSTEM, school_year=world.year)}
    assert rows["王小学"].follow_up == "返校后再次失学"
    dropout_contact_record(
        actor=SYSTEM, member=world["王小学"], school_year=world.year, date=dt.date(2022, 11, 1),
        by="李老师", mode="phone", content="再次劝返",
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.outcome, case.reopened_count) == ("", 1)


def test_a_dropped_enrollment_is_returned_in_place(world):
    case = _close(world, "王辍学", DropoutOutcome.RETURNED, school=world.school, stage="primary")
    assert case.enrollment.status == "studying"
    assert case.enrollment.student.enrollments.count() == 1


def test_returned_to_a_school_without_the_stage_is_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as caught:
        _close(world, "王初中", DropoutOutcome.RETURNED, school=world.school, stage="junior")
    assert "没有“初中”学段" in str(caught.value)
    assert not world["王初中"].dropout_cases.exists()


def test_an_outcome_needs_its_evidence_and_details(world):
    with pytest.raises(ValidationError) as caught:
        _close(world, "王小学", DropoutOutcome.ELSEWHERE, evidence=" ")
    assert set(caught.value.message_dict) == {"evidence", "elsewhere_school", "elsewhere_place"}


def test_a_child_not_missing_has_no_case(world):
    with pytest.raises(ValidationError):
        _close(world, "王在读", DropoutOutcome.GONE)


def test_an_officer_may_not_act_on_another_township(world):
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=world.other_township)
    with pytest.raises(PermissionDenied):
        dropout_contact_record(
            actor=officer, member=world["王小学"], school_year=world.year, date=dt.date(2022, 9, 20),
            by="李老师", mode="visit", content="走访",
        )  # fmt: skip


def test_an_auditor_may_read_but_not_write(world):
    auditor = make_user(role=Role.AUDITOR)
    assert suspected_dropouts(actor=auditor, school_year=world.year)
    with pytest.raises(PermissionDenied):
        _close_as(auditor, world)


def _close_as(actor, world):
    return dropout_case_close(
        actor=actor, member=world["王小学"], school_year=world.year, outcome=DropoutOutcome.GONE,
        outcome_date=dt.date(2022, 10, 1), evidence="户籍迁出证明",
    )  # fmt: skip


def test_omission_counts(world):
    officer = make_user(role=Role.TOWNSHIP_STAFF, township=world.township)
    counts = omission_counts(officer)
    # 2022-2023 is not today's school year: the latest one opened is counted.
    assert counts is not None and counts.school_year == "2022-2023"
    assert (counts.suspected_dropouts, counts.not_in_kindergarten) == (7, 1)


def _grow(world, first: int, count: int) -> None:
    """`count` more registered households, each with a child missing school and one not in a
    kindergarten; every third child with a case, so that the case subqueries have rows."""
    for n in range(first, first + count):
        household = make_household(
            village=world.village, head_name=f"新户{n}", categories=(HouseholdCategory.DIBAO,)
        )
        child = make_member(household=household, name=f"新童{n}", birth=dt.date(2012, 1, 1))
        make_member(household=household, name=f"新幼{n}", birth=dt.date(2018, 1, 1))
        if n % 3 == 0:
            dropout_contact_record(
                actor=SYSTEM, member=child, school_year=world.year, date=dt.date(2022, 9, 20),
                by="李老师", mode="visit", content="走访",
            )  # fmt: skip


def _queries(world) -> int:
    with CaptureQueriesContext(connection) as captured:
        dropouts = suspected_dropouts(actor=SYSTEM, school_year=world.year)
        preschool = not_in_kindergarten(actor=SYSTEM, school_year=world.year)
    assert dropouts and preschool
    return len(captured.captured_queries)


def test_the_selectors_run_a_constant_number_of_queries(world):
    _grow(world, 0, 3)
    few = _queries(world)
    _grow(world, 100, 30)
    assert len(suspected_dropouts(actor=SYSTEM, school_year=world.year)) == 8 + 33
    assert len(not_in_kindergarten(actor=SYSTEM, school_year=world.year)) == 1 + 33
    assert _queries(world) == few == 2
