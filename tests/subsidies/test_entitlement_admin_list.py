"""The admin 资助名单 (Entitlement changelist): short columns that fit an office screen."""

from __future__ import annotations

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.urls import reverse

from aidsite.models import Role
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_policy_by_name_a_short_term_and_formatted_money(client, term, township):
    entitlement = approved_entitlements(term=term, township=township, count=1, names=["陈小朵"])[0]
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    response = client.get(reverse("admin:subsidies_entitlement_changelist"))
    page = response.content.decode()
    table = page[page.index('id="result_list"') :]
    heads = [str(h["text"]) for h in result_headers(response.context["cl"]) if h["text"]]
    assert heads[:9] == [
        "姓名",
        "身份证号",
        "学校",
        "年级班级",
        "资助项目",
        "学期",
        "档次",
        "金额（元）",
        "状态",
    ]
    assert entitlement.policy.name in table and f"> {entitlement.policy.code}" not in table
    assert "2022-2023秋季" in table and "600.00" in table
    assert 'id="nav-sidebar"' not in page
