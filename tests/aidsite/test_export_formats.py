"""SECURITY E2: the admin offers exactly the allow-listed formats, never HTML, xls or xlsm."""

from __future__ import annotations

import pytest

from tests.scoped_world import build_world

pytestmark = pytest.mark.django_db


def _offered(response) -> set[str]:
    return {label.lower() for _, label in response.context["form"].fields["format"].choices if _}


def test_the_admin_exports_only_xlsx_and_csv(client, settings):
    world = build_world()
    client.force_login(world.county)
    assert _offered(client.get("/admin/students/student/export/")) == {"xlsx", "csv"}
    # Rosters come in through the project's own importer, which reads real .xlsx only (B8).
    assert [f().get_title() for f in settings.IMPORT_FORMATS] == ["xlsx"]


def test_a_format_outside_the_list_is_refused(client):
    world = build_world()
    client.force_login(world.county)
    response = client.post("/admin/students/student/export/", {"format": "7"})
    assert response.status_code == 200  # the form again, with its error: no file
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response.context["form"].errors
