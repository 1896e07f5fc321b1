"""The notice pages' helpers: a copy button for the public link; school and policy choices that match."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.notices import notice_publish
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import policy_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(term, township, kids):
    school = kids.school(Stage.KINDERGARTEN, name="青山镇阳光幼儿园")
    kids.school(Stage.KINDERGARTEN, name="青山镇无名单幼儿园")
    kids(
        school, categories=(HouseholdCategory.REGISTERED, HouseholdCategory.DIBAO), poor=True,
        name="孙小雨", grade="中班", class_name="1班",
    )  # fmt: skip
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    entitlements_compute(term=term, township=township, policy_code="PRE-GRANT", actor=staff)
    return {"school": school, "staff": staff}


def test_an_open_notice_has_a_copy_button_for_its_whole_link(client, term, listed):
    notice = notice_publish(
        school=listed["school"], policy=policy_of(term), term=term, start_date=timezone.localdate(),
        actor=listed["staff"],
    )  # fmt: skip
    client.force_login(listed["staff"])
    page = client.get(reverse("notices:index")).content.decode()
    link = re.search(rf'id="notice-link-{notice.pk}"[^>]*value="([^"]+)"', page)
    assert link is not None and link.group(1).endswith(f"/gongshi/{notice.token}/")
    assert f'data-copy-target="notice-link-{notice.pk}">复制链接</button>' in page
    # The script is our own static file (CSP script-src 'self'), never inline.
    assert "/static/notices/notices.js" in page and finders.find("notices/notices.js")
    assert "<script>" not in page


def test_the_notice_form_lists_which_schools_and_policies_have_a_list(
    client, term, township, listed
):
    elsewhere = make_township("白水镇")
    client.force_login(listed["staff"])
    page = client.get(reverse("notices:new")).content.decode()
    found = re.search(
        r'<script id="notice-pairs" type="application/json">(.*?)</script>', page, re.S
    )
    assert found is not None
    pairs = {tuple(p) for p in json.loads(found.group(1))}
    assert pairs == {(term.pk, listed["school"].pk, policy_of(term).pk)}
    assert all(school != elsewhere.pk for _t, school, _p in pairs)


def test_a_school_without_a_list_for_the_policy_is_refused_with_a_clear_error(
    client, term, township, listed
):
    empty = listed["school"].township.schools.get(name="青山镇无名单幼儿园")
    client.force_login(listed["staff"])
    response = client.post(
        reverse("notices:new"),
        {
            "term": term.pk, "school": empty.pk, "policy": policy_of(term).pk,
            "start_date": timezone.localdate().isoformat(), "period_days": 5, "preview": "1",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "该学校本学期此项目没有拟资助或已审核的学生，无需公示" in response.content.decode()
