"""Irreversible actions state what they freeze before they run: 名单审核, 审核通过并锁定, 撤回公示."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from aidsite.models import Role
from students.models import HouseholdCategory, Stage
from subsidies.models import BatchStatus, DisbursementBatch
from subsidies.services.entitlements import entitlements_compute
from subsidies.services.ledgers import batch_prepare
from subsidies.services.notices import notice_publish
from tests.factories import make_user
from tests.subsidies.ledger_factories import approved_entitlements, policy_of, two_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(term, township, kids):
    """Two kindergarten children proposed for the preschool grant (学前教育政府助学金)."""
    school = kids.school(Stage.KINDERGARTEN, name="青山镇阳光幼儿园")
    for name in ("孙小雨", "周大山"):
        kids(
            school,
            categories=(HouseholdCategory.REGISTERED, HouseholdCategory.DIBAO),
            poor=True,
            name=name,
            grade="中班",
            class_name="1班",
        )
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    entitlements_compute(term=term, township=township, policy_code="PRE-GRANT", actor=staff)
    return {"school": school, "staff": staff}


def test_the_approval_page_states_what_it_will_lock(client, term, township, proposed):
    client.force_login(proposed["staff"])
    page = client.get(
        reverse("aid:approve"), {"term": term.pk, "policy": "PRE-GRANT"}
    ).content.decode()
    name = policy_of(term).name
    assert f"将锁定 青山镇 {term} {name} 2 人" in page
    assert "审核不能撤销" in page and "审核通过并锁定（2 人" in page


def test_a_batch_asks_before_it_is_approved_and_says_what_it_freezes(client, term, township):
    approved_entitlements(term=term, township=township, count=2)
    preparer, approver = two_staff(township)
    batch = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer
    ).batch
    client.force_login(approver)
    page = client.get(reverse("ledgers:batch", args=[batch.pk])).content.decode()
    confirm = page[page.index('id="approve-confirm"') :]
    confirm = confirm[: confirm.index("</details>")]
    assert "<summary" in confirm and "审核通过并锁定" in confirm
    assert f"将锁定 青山镇 {term} {batch.policy.name} 第1批 2 人、1,200.00 元" in confirm
    assert "确认审核通过并锁定" in confirm
    # Opening the statement changes nothing; only the button inside approves.
    assert DisbursementBatch.objects.get().status == BatchStatus.PREPARED
    client.post(reverse("ledgers:approve", args=[batch.pk]))
    assert DisbursementBatch.objects.get().status == BatchStatus.APPROVED


def test_the_withdrawal_page_names_the_notice_and_its_head_count(client, term, township, proposed):
    today = timezone.localdate()
    notice = notice_publish(
        school=proposed["school"],
        policy=policy_of(term),
        term=term,
        start_date=today,
        actor=proposed["staff"],
    )
    client.force_login(proposed["staff"])
    page = client.get(reverse("notices:withdraw", args=[notice.pk])).content.decode()
    assert f"将撤回 青山镇阳光幼儿园 {term} {notice.policy.name} 公示（2 人）" in page
    assert "公示网页立即关闭" in page
