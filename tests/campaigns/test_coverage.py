import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.coverage import (
    children_for_school,
    coverage_by_school,
    registered_enrollments,
    unvisited_children,
)
from campaigns.models import PolicyCard
from campaigns.visits import visit_record
from students.models import EnrollmentStatus, HouseholdCategory, School, Term
from tests.campaigns.conftest import SYSTEM, enroll_child, visit_at


def _visit(world, enrollment, when):
    return visit_record(
        actor=SYSTEM,
        school=enrollment.school,
        household=enrollment.student.household,
        children=[enrollment.student],
        visited_at=when,
        led_by="李雪",
    )


def test_registered_children_are_hardship_households_and_orphans_not_ordinary_children(world):
    names = set(
        registered_enrollments(school_year=world.year)
        .filter(school=world.school_a)
        .values_list("student__name", flat=True)
    )
    assert names == {"仇小兰", "孤儿甲"}


def test_a_child_who_left_the_kindergarten_is_not_to_be_visited(world):
    world.a_orphan.status = EnrollmentStatus.TRANSFERRED
    world.a_orphan.save()
    names = set(
        registered_enrollments(school_year=world.year)
        .filter(school=world.school_a)
        .values_list("student__name", flat=True)
    )
    assert names == {"仇小兰"}


def test_lifted_households_stay_registered_during_the_transition(world):
    hardship = world.a_poor.student.household.hardships.get()
    hardship.status = "lifted"
    hardship.save()
    assert registered_enrollments(school_year=world.year).filter(pk=world.a_poor.pk).exists()


def test_unvisited_list_drops_a_child_once_visited_this_term(world):
    schools = School.objects.filter(township=world.school_a.township)
    before = {e.student.name for e in unvisited_children(schools=schools, term=world.term)}
    assert before == {"仇小兰", "孤儿甲", "河口丙"}
    _visit(world, world.a_poor, visit_at(world.term))
    after = {e.student.name for e in unvisited_children(schools=schools, term=world.term)}
    assert after == {"孤儿甲", "河口丙"}


def test_a_visit_in_the_previous_term_does_not_count_for_this_one(world):
    previous = Term.objects.filter(end_date__lt=world.term.start_date).order_by("-end_date").first()
    if previous is None:  # today is in an autumn term: open last year for its spring term
        from students.school_years import school_year_open

        start = world.year.start_year - 1
        school_year_open(name=f"{start}-{start + 1}")
        previous = Term.objects.filter(end_date__lt=world.term.start_date).order_by("-end_date").first()
    when = dt.datetime.combine(previous.end_date, dt.time(23, 0), tzinfo=visit_at(world.term).tzinfo)
    _visit(world, world.a_poor, when)
    rows = {e.student.name: e for e in children_for_school(school=world.school_a, term=world.term)}
    assert rows["仇小兰"].visited_this_term is False
    assert rows["仇小兰"].last_visit_at == when


def test_children_list_carries_last_visit_and_card_steps(world):
    _visit(world, world.a_poor, visit_at(world.term))
    PolicyCard.objects.create(
        household=world.a_poor.student.household, school=world.school_a, school_year=world.year,
        printed_on=world.term.start_date, handed_out_on=world.term.start_date,
    )
    rows = {e.student.name: e for e in children_for_school(school=world.school_a, term=world.term)}
    assert rows["仇小兰"].visited_this_term is True
    assert rows["仇小兰"].card_steps == 2
    assert rows["孤儿甲"].card_steps is None
    assert rows["孤儿甲"].last_visit_at is None
    # Unvisited children come first.
    assert list(rows) == ["孤儿甲", "仇小兰"]


def test_coverage_by_school_counts_registered_visited_families_and_signed_cards(world):
    _visit(world, world.a_poor, visit_at(world.term))
    PolicyCard.objects.create(
        household=world.a_ordinary.student.household, school=world.school_a, school_year=world.year,
        printed_on=world.term.start_date, handed_out_on=world.term.start_date,
        checked_on=world.term.start_date, signed_on=world.term.start_date,
    )
    schools = School.objects.filter(township=world.school_a.township)
    rows = {r.school.name: r for r in coverage_by_school(schools=schools, term=world.term)}
    a, b = rows["东城镇中心幼儿园"], rows["东城镇河口幼儿园"]
    assert (a.registered, a.visited, a.unvisited, a.families, a.cards_signed) == (2, 1, 1, 3, 1)
    assert (b.registered, b.visited, b.families, b.cards_signed) == (1, 0, 1, 0)
    assert "西山镇幼儿园" not in rows


def test_a_visit_to_two_siblings_covers_both(world):
    sibling = enroll_child(
        school=world.school_a, year=world.year, household=world.a_poor.student.household, name="仇小弟"
    )
    visit_record(
        actor=SYSTEM,
        school=world.school_a, household=world.a_poor.student.household,
        children=[world.a_poor.student, sibling.student], visited_at=visit_at(world.term), led_by="李雪",
    )
    names = {e.student.name for e in unvisited_children(schools=School.objects.all(), term=world.term)}
    assert "仇小兰" not in names and "仇小弟" not in names


@pytest.mark.parametrize("extra", [10, 60])
def test_coverage_queries_do_not_grow_with_children(world, extra):
    village = world.a_poor.student.household.village
    for i in range(extra):
        e = enroll_child(school=world.school_a, year=world.year, village=village,
                         categories=(HouseholdCategory.DIBAO,), name=f"幼儿{i}")
        if i % 3 == 0:
            _visit(world, e, visit_at(world.term))
    schools = School.objects.filter(township=world.school_a.township)
    with CaptureQueriesContext(connection) as ctx:
        rows = coverage_by_school(schools=schools, term=world.term)
        children = list(children_for_school(school=world.school_a, term=world.term))
        labels = [(e.student.name, e.student.household.village.name, e.school.name) for e in children]
    assert sum(r.registered for r in rows) == extra + 3
    assert len(labels) == extra + 2
    assert len(ctx.captured_queries) == 5


def test_the_portal_shows_the_last_term_with_a_roster_until_the_new_year_is_imported(db):
    from campaigns.coverage import portal_term
    from tests.factories import make_enrollment, make_school_year

    old, new = make_school_year("2022-2023"), make_school_year("2023-2024")
    day = dt.date(2023, 10, 8)  # autumn 2023: the new year is open, its roster not imported
    make_enrollment(school_year=old)
    term = portal_term(day)
    assert (term.school_year, term.season) == (old, "spring")
    make_enrollment(school_year=new)
    term = portal_term(day)
    assert (term.school_year, term.season) == (new, "autumn")
