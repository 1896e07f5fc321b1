"""Issue 12: a school's 学段 are ticked by their Chinese names, stored as the codes the rules read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aidsite.models import Role
from students.models import Stage
from tests.factories import make_school, make_township, make_user
from tests.subsidies.test_transition_period import _change_form_data

pytestmark = pytest.mark.django_db


def test_the_county_ticks_a_schools_stages_by_name():
    school = make_school(township=make_township("青山镇"), stages=Stage.PRIMARY)
    client = Client()
    client.force_login(make_user(role=Role.COUNTY_ADMIN))
    url = reverse("admin:students_school_change", args=[school.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'type="checkbox" name="stages" value="junior"' in html and "初中" in html
    data = _change_form_data(page)
    data.update({"stages": [Stage.PRIMARY, Stage.JUNIOR], "tuition": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    school.refresh_from_db()
    assert school.stages == "primary,junior"


def test_a_township_officer_reads_a_schools_stages_by_name():
    township = make_township("青山镇")
    school = make_school(township=township, stages=f"{Stage.PRIMARY},{Stage.JUNIOR}")
    client = Client()
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    html = client.get(reverse("admin:students_school_change", args=[school.pk])).content.decode()
    assert "小学、初中" in html and "primary" not in html.split("<body", 1)[1]
