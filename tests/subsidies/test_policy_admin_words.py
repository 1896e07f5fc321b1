"""Issue 12: the policy form and lists in words people use — 学段 by name, ratios in per
cent, names before codes — and what is typed there is stored as the rules read it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from aidsite.models import Role
from subsidies.models import EntitlementApproval, Policy
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements
from tests.subsidies.test_transition_period import _change_form_data

pytestmark = pytest.mark.django_db


def _client(role: str, **scope: Any) -> Client:
    client = Client()
    client.force_login(make_user(role=role, **scope))
    return client


def test_the_county_ticks_stages_by_name_and_types_ratios_in_per_cent(term):
    policy = Policy.objects.get(school_year=term.school_year, code="HS-GRANT")
    client = _client(Role.COUNTY_ADMIN)
    url = reverse("admin:subsidies_policy_change", args=[policy.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'type="checkbox" name="stages" value="high"' in html and "普通高中" in html
    assert page.context["adminform"].form["quota_ratio"].value() == format(
        policy.quota_ratio * 100, "f"
    ).rstrip("0").rstrip(".")
    data = _change_form_data(page)
    data.update({"stages": ["high", "vocational"], "quota_ratio": "12.5", "floor_ratio": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert policy.stages == "high,vocational"
    assert policy.quota_ratio == Decimal("0.1250") and policy.floor_ratio is None


def test_a_ratio_over_100_per_cent_is_refused_in_chinese(term):
    policy = Policy.objects.get(school_year=term.school_year, code="HS-GRANT")
    client = _client(Role.COUNTY_ADMIN)
    url = reverse("admin:subsidies_policy_change", args=[policy.pk])
    data = _change_form_data(client.get(url))
    data.update({"quota_ratio": "150", "stages": []})
    response = client.post(url, data)
    errors = response.context["adminform"].form.errors
    assert "quota_ratio" in errors and "stages" in errors


def test_a_township_officer_reads_the_policy_in_names_and_per_cent(term, township):
    policy = Policy.objects.get(school_year=term.school_year, code="HS-GRANT")
    policy.quota_ratio = Decimal("0.1000")
    policy.save()
    client = _client(Role.TOWNSHIP_STAFF, township=township)
    html = client.get(reverse("admin:subsidies_policy_change", args=[policy.pk])).content.decode()
    assert "普通高中" in html and "10%" in html
    assert "0.1000" not in html and ">high<" not in html
    listing = client.get(reverse("admin:subsidies_policy_changelist")).content.decode()
    assert '<small class="code">HS-GRANT</small>' in listing and "普通高中国家助学金" in listing


def test_the_approval_record_names_its_policies(term, township):
    approved_entitlements(term=term, township=township, count=1)
    approval = EntitlementApproval.objects.get()
    client = _client(Role.TOWNSHIP_STAFF, township=township)
    listing = client.get(reverse("admin:subsidies_entitlementapproval_changelist")).content.decode()
    assert "学前教育政府助学金" in listing and "PRE-GRANT" not in listing
    detail = client.get(reverse("admin:subsidies_entitlementapproval_change", args=[approval.pk]))
    assert "学前教育政府助学金" in detail.content.decode()


def test_the_header_greets_the_person_by_name(term):
    user = make_user(role=Role.COUNTY_ADMIN, username="demo_qingshan")
    client = Client()
    client.force_login(user)
    assert "欢迎，<strong" in client.get(reverse("admin:index")).content.decode()
    assert ">demo_qingshan</strong>" in client.get(reverse("admin:index")).content.decode()
    user.last_name, user.first_name = "王", "青山"
    user.save()
    html = client.get(reverse("admin:index")).content.decode()
    assert ">王青山</strong>" in html and "暂无最近操作" in html
