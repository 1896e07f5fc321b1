"""Admin history pages (list and per-version) go through the same scope as the change page
and keep personal data masked (SECURITY A4, D1)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from aidsite.access import SystemActor
from aidsite.models import AccessAction, AccessLog
from campaigns.cards import card_step_record
from campaigns.visits import visit_record
from tests.factories import make_id_number
from tests.scoped_world import ID_PATTERN_IN_HTML, build_world

pytestmark = pytest.mark.django_db

FAMILY_WORDS = "家里老人说谢谢老师"


def _visit(world, side: str):
    school, student = getattr(world, f"school_{side}"), getattr(world, f"student_{side}")
    return visit_record(
        actor=SystemActor("tests"),
        school=school,
        household=student.household,
        children=[student],
        visited_at=timezone.now(),
        led_by="王老师",
        participants=f"{side}园长、{side}老师",
        family_feedback=FAMILY_WORDS,
    )


def _card(world, side: str):
    return card_step_record(
        school=getattr(world, f"school_{side}"),
        school_year=world.year,
        household=getattr(world, f"student_{side}").household,
        step="printed",
        on=timezone.localdate(),
        by="李老师",
        actor=SystemActor("tests"),
    )


@pytest.fixture
def world():
    world = build_world()
    world.visit_a, world.visit_b = _visit(world, "a"), _visit(world, "b")
    world.card_a, world.card_b = _card(world, "a"), _card(world, "b")
    return world


def _history_urls(obj) -> tuple[str, str]:
    opts = obj._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/"
    return base, f"{base}{obj.history.latest().history_id}/"


@pytest.mark.parametrize("role", ["director", "township"])
@pytest.mark.parametrize("name", ["visit", "card", "student"])
def test_it_answers_404_for_the_history_of_an_object_out_of_scope(client, world, role, name):
    client.force_login(world.user(role))
    outside = getattr(world, f"{name}_b")
    opts = outside._meta
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/{outside.pk}/change/").status_code == 404
    history_list, version = _history_urls(outside)
    for url in (history_list, version):
        response = client.get(url)
        assert response.status_code == 404, url
        assert FAMILY_WORDS not in response.content.decode()
        assert "乙园长" not in response.content.decode()
    # The same pages for the user's own object open: the check is the scope, not the page.
    for url in _history_urls(getattr(world, f"{name}_a")):
        assert client.get(url).status_code == 200, url


def test_a_deleted_objects_history_is_read_only_by_county_wide_roles(client, world):
    version = world.visit_a.history.latest()
    world.visit_a.delete()
    url = f"/admin/campaigns/homevisit/{version.id}/history/"
    client.force_login(world.township_staff)
    assert client.get(url).status_code == 404
    client.force_login(world.auditor)
    assert client.get(url).status_code == 200


def test_a_version_page_cannot_be_posted_back_by_a_viewer(client, world):
    client.force_login(world.director)
    _list, version = _history_urls(world.visit_a)
    response = client.post(version, {"led_by": "改写", "participants": "改写"})
    assert response.status_code == 403
    world.visit_a.refresh_from_db()
    assert world.visit_a.led_by == "王老师"


def _change_personal_data(student) -> tuple[str, str]:
    old = student.id_number
    student.id_number = make_id_number(sex="F")
    student.guardian_phone = "13698765432"
    student.save()
    return old, student.id_number


def test_a_directors_history_pages_keep_id_numbers_and_phones_masked(client, world):
    old_id, new_id = _change_personal_data(world.student_a)
    client.force_login(world.director)
    history_list, version = _history_urls(world.student_a)
    for url in (history_list, version):
        body = client.get(url).content.decode()
        assert "甲学生" in body  # the page really shows the student
        assert re.search(ID_PATTERN_IN_HTML, body) is None, url
        assert old_id not in body and new_id not in body
        assert "13698765432" not in body and "13611112222" not in body
    assert "136****5432" in client.get(history_list).content.decode()
    assert new_id[:4] + "*" * 10 + new_id[-4:] in client.get(version).content.decode()


def test_a_version_page_shown_in_full_on_asking_is_written_to_the_access_log(client, world):
    client.force_login(world.township_staff)
    _list, version = _history_urls(world.student_a)
    before = AccessLog.objects.filter(action=AccessAction.REVEAL).count()
    masked = client.get(version).content.decode()
    assert world.student_a.id_number not in masked
    assert AccessLog.objects.filter(action=AccessAction.REVEAL).count() == before
    body = client.get(version, {"reveal": "1"}).content.decode()
    assert world.student_a.id_number in body
    assert AccessLog.objects.filter(action=AccessAction.REVEAL).count() == before + 1


def test_malformed_history_addresses_answer_404_not_500(client, world):
    client.force_login(world.county)
    client.raise_request_exception = False
    visit = world.visit_a
    for url in (
        f"/admin/campaigns/homevisit/{visit.pk}/history/not-a-number/",
        "/admin/campaigns/homevisit/not-a-number/history/1/",
        "/admin/campaigns/homevisit/not-a-number/history/",
        f"/admin/campaigns/homevisit/{visit.pk}/history/{world.visit_b.history.latest().history_id}/",
    ):
        assert client.get(url).status_code == 404, url
