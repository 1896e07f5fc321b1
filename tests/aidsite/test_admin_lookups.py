"""A list URL narrows only by the declared filters; personal fields are never lookups for a
role that sees them masked (SECURITY D1). And no admin URL answers 500 (the view-on-site
shortcut with a malformed key)."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django_tasks_db.models import DBTaskResult

from students.models import Student
from tests.aidsite.endpoint_matrix import url_patterns
from tests.scoped_world import build_world

pytestmark = pytest.mark.django_db

_ANY_PARAM = re.compile(r"<[^>]+>|\([^)]*\)")


@pytest.fixture
def world():
    return build_world()


def _probes(world) -> list[tuple[str, dict[str, str]]]:
    student = world.student_a
    return [
        ("/admin/students/student/", {"id_number__startswith": student.id_number[:5]}),
        (
            "/admin/students/student/",
            {"id_number__startswith": student.id_number[:4], "id_number__endswith": student.id_number[-4:]},
        ),
        ("/admin/students/student/", {"id_number__regex": "^" + student.id_number[:6]}),
        ("/admin/students/student/", {"guardian_phone__startswith": "1361"}),
        ("/admin/students/household/", {"phone__startswith": "1391"}),
        ("/admin/students/enrollment/", {"student__id_number__startswith": student.id_number[:5]}),
        ("/admin/students/student/", {"household__phone__startswith": "1391"}),
    ]


def test_a_director_cannot_narrow_a_list_by_a_personal_field_and_the_attempt_is_logged(
    client, world, caplog
):
    client.force_login(world.director)
    for url, params in _probes(world):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security"):
            response = client.get(url, params)
        assert response.status_code == 400, (url, params)
        refusals = [r for r in caplog.records if r.name == "django.security.admin_lookup"]
        assert refusals and "director_a" in refusals[0].getMessage(), (url, params)
        assert world.student_a.id_number[:5] not in refusals[0].getMessage()


def test_lookups_outside_the_declared_filters_are_refused_for_every_role(client, world):
    client.force_login(world.county)
    assert client.get("/admin/students/student/", {"name__startswith": "甲"}).status_code == 400
    assert client.get("/admin/students/student/", {"birth_date__year": "2015"}).status_code == 400
    # The county sees full numbers, but a lookup is still no way to filter by them.
    assert client.get("/admin/students/student/", {"id_number": world.student_a.id_number}).status_code == 400


def test_declared_filters_date_hierarchy_and_search_still_narrow_the_lists(client, world):
    client.force_login(world.director)
    school = client.get("/admin/students/student/", {"enrollments__school__id__exact": world.school_a.pk})
    assert school.status_code == 200
    assert [s.name for s in school.context["cl"].result_list] == ["甲学生"]
    assert client.get("/admin/students/student/", {"is_orphan__exact": "1"}).context["cl"].result_count == 0
    assert client.get("/admin/students/student/", {"sex__exact": world.student_a.sex}).status_code == 200
    assert client.get("/admin/students/student/", {"household__village__township__id__exact": world.township_a.pk}).status_code == 200
    assert client.get("/admin/students/enrollment/", {"school_year__id__exact": world.year.pk}).status_code == 200
    assert client.get("/admin/students/enrollment/", {"status__exact": "studying"}).status_code == 200
    masked = world.student_a.id_number[:4] + "*" * 10 + world.student_a.id_number[-4:]
    searched = client.get("/admin/students/student/", {"q": masked})
    assert [s.name for s in searched.context["cl"].result_list] == ["甲学生"]
    client.force_login(world.township_staff)
    visits = client.get("/admin/campaigns/homevisit/", {"visited_at__year": "2024", "follow_up_needed__exact": "0"})
    assert visits.status_code == 200
    households = client.get("/admin/students/household/", {"village__id__exact": world.village_a.pk})
    assert [h.head_name for h in households.context["cl"].result_list] == ["甲户主"]


def test_the_autocomplete_and_popup_parameters_still_work(client, world):
    client.force_login(world.township_staff)
    popup = client.get("/admin/students/village/", {"_popup": "1", "_to_field": "id"})
    assert popup.status_code == 200
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "students", "model_name": "student", "field_name": "household", "term": "甲"},
    )
    assert found.status_code in (200, 403)  # Student has no autocomplete of its own; never 400/500
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "students", "model_name": "household", "field_name": "village", "term": "甲"},
    )
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == [str(world.village_a)]


def test_the_view_on_site_shortcut_answers_404_never_500(client, world):
    client.force_login(world.county)
    task_type = ContentType.objects.get_for_model(DBTaskResult).pk
    assert client.get(f"/admin/r/{task_type}/not-a-uuid/").status_code == 404
    assert client.get(f"/admin/r/{task_type}/00000000-0000-0000-0000-000000000000/").status_code == 404
    student_type = ContentType.objects.get_for_model(Student).pk
    assert client.get(f"/admin/r/{student_type}/abc/").status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404



def test_no_admin_url_answers_500_for_a_malformed_key(client, world):
    client.force_login(world.county)
    client.raise_request_exception = False
    failures = []
    for key, _pattern in url_patterns():
        if not key.startswith("admin/"):
            continue
        url = "/" + _ANY_PARAM.sub("x-1", key.replace("^", "").replace("$", ""))
        for method in (client.get, client.post):
            if method(url).status_code >= 500:
                failures.append(f"{method.__name__.upper()} {url}")
    assert failures == []
