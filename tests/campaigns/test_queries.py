"""Portal lists and the ledger export run the same number of queries for 5 or 40 children (F1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.cards import card_step_record
from campaigns.mentoring import mentoring_contact_record, mentoring_start
from campaigns.models import MentoringFocus
from campaigns.visits import visit_record
from students.models import HouseholdCategory
from tests.campaigns.conftest import SYSTEM, enroll_child, visit_at

PAGES = ["school", "coverage", "cards", "term_summary", "mentoring", "mentoring_ledger"]


def _grow(world, n, start):
    village = world.a_poor.student.household.village
    for i in range(start, start + n):
        e = enroll_child(school=world.school_a, year=world.year, village=village,
                         categories=(HouseholdCategory.OTHER,), name=f"幼儿{i}")
        visit_record(actor=SYSTEM, school=world.school_a, household=e.student.household, children=[e.student],
                     visited_at=visit_at(world.term), led_by="园长", follow_up_needed=True, follow_up="回访")
        card_step_record(school=world.school_a, school_year=world.year, household=e.student.household,
                         step="printed", on=world.term.start_date, by="园长", actor=SYSTEM)
        m = mentoring_start(student=e.student, school=world.school_a, teachers="王老师",
                            focus=MentoringFocus.ECONOMIC, started_on=world.term.start_date)
        mentoring_contact_record(mentoring=m, date=world.term.start_date, teacher="王老师", mode="talk", content="谈心")


def _counts(client, world):
    counts = {}
    for name in PAGES:
        args = [world.school_a.pk] if name in ("school", "cards", "term_summary") else []
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(f"campaigns:{name}", args=args))
        assert response.status_code == 200, name
        counts[name] = len(ctx.captured_queries)
    return counts


def test_portal_pages_and_export_do_not_query_per_row(client, world):
    client.force_login(world.users["director_a"])
    _grow(world, 5, 0)
    small = _counts(client, world)
    _grow(world, 35, 100)
    assert _counts(client, world) == small
