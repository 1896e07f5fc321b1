"""SECURITY D1 on the staff pages: a reason typed with a phone or ID in it is masked for
a role without the reveal permission, on the page and in the admin list, and shown in
full to a role with it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from aidsite.models import Role
from students.models import Season, Term
from subsidies.services.ledgers import batch_approve, batch_prepare
from subsidies.services.policies import policies_seed_load
from tests.factories import make_school_year, make_township, make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db

REASON = "家长电话13812345678已停机，身份证11010519491231002X核对有误"
LEAK = re.compile(r"\d{17}[\dX]|1[3-9]\d{9}")


@pytest.fixture
def reversed_batch():
    year = make_school_year("2022-2023")
    policies_seed_load(school_year=year)
    term = Term.objects.get(school_year=year, season=Season.AUTUMN)
    township = make_township("青山镇")
    approved_entitlements(term=term, township=township, count=1)
    preparer, approver = two_staff(township)
    batch = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer).batch
    batch_approve(batch=batch, actor=approver)
    return batch, preparer


def _without_reveal(user):
    group = Group.objects.create(name="乡镇（不含完整身份信息）")
    group.permissions.set(user.groups.get().permissions.exclude(codename="view_full_personal_data"))
    user.groups.set([group])
    return user


def test_a_reversal_reason_is_masked_for_a_role_without_reveal(client, reversed_batch):
    batch, preparer = reversed_batch
    client.force_login(preparer)
    entry = batch.entries.get()
    assert client.post(reverse("ledgers:reverse", args=[entry.pk]), {"reason": REASON}).status_code == 302

    # The preparer's township role may reveal: the reason in full.
    assert REASON in client.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()

    colleague = _without_reveal(make_user(role=Role.TOWNSHIP_STAFF, township=batch.township))
    client.force_login(colleague)
    for url in (reverse("ledgers:batch", args=[batch.pk]), "/admin/subsidies/reversal/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "家长电话138****5678已停机" in html, url
        assert LEAK.search(html) is None, url
