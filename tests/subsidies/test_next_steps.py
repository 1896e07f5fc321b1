"""After 名单审核 and after 审核通过并锁定, the page offers the next actions (发布公示,
编制发放批次, 导出台账), each opening its form on the same term, township and policy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aidsite.models import Role
from subsidies.services.ledgers import batch_approve, batch_prepare
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db


def _steps(client, term):
    page = client.get(reverse("aid:approve"), {"term": term.pk})
    return page.context.get("next_steps") or [], page.content.decode()


def test_an_approved_list_offers_the_notice_and_the_batch_on_its_selection(client, term, township):
    approved_entitlements(term=term, township=township, count=2)
    policy = policy_of(term)
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    (step,), page = _steps(client, term)
    assert step["name"] == policy.name and step["n"] == 2
    assert "下一步" in page and "发布公示" in page and "编制发放批次" in page
    assert step["export_url"] == ""  # no batch yet: no empty workbook offered

    prepare = client.get(step["prepare_url"]).context["form"]
    assert prepare["term"].value() == str(term.pk)
    assert prepare["township"].value() == str(township.pk)
    assert prepare["policy"].value() == str(policy.pk)
    notice = client.get(step["notice_url"]).context["form"]
    assert notice["term"].value() == str(term.pk) and notice["policy"].value() == str(policy.pk)


def test_nothing_is_offered_before_anything_is_approved(client, term, township):
    client.force_login(make_user(role=Role.TOWNSHIP_STAFF, township=township))
    steps, page = _steps(client, term)
    assert steps == [] and 'id="next-steps"' not in page


def test_once_a_batch_exists_the_ledger_export_is_offered_preselected(client, term, township):
    approved_entitlements(term=term, township=township, count=2)
    approved_entitlements(term=term, township=township, count=1)  # approved after the batch
    preparer, approver = two_staff(township)
    batch = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer
    ).batch
    client.force_login(approver)
    (step,), _page = _steps(client, term)
    assert step["export_url"].startswith(reverse("export_centre") + "?kind=ledger")

    centre = client.get(step["export_url"].split("#")[0])
    (ledger,) = [item["form"] for item in centre.context["start_forms"] if item["key"] == "ledger"]
    assert ledger["term"].value() == str(term.pk) and ledger["policy"].value() == str(
        batch.policy_id
    )
    assert 'id="export-ledger"' in centre.content.decode()


def test_an_approved_batch_offers_its_export_and_sign_off_sheet(client, term, township):
    approved_entitlements(term=term, township=township, count=2)
    preparer, approver = two_staff(township)
    batch = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer
    ).batch
    client.force_login(approver)
    before = client.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    assert 'id="next-steps"' not in before
    batch_approve(batch=batch, actor=approver)
    after = client.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    assert 'id="next-steps"' in after and "导出台账" in after and "打印发放签领表" in after
    assert (
        f"?kind=ledger&amp;term={term.pk}&amp;township={township.pk}&amp;policy={batch.policy_id}"
        in after
    )
