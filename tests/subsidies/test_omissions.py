"""应助尽助: every qualifying student of a registered household aided, or listed with the reason.

Issue 13: "every enrolled student from a registered household who qualifies for a
policy and has no entitlement for it, with the reason (quota full, staff exclusion
with its reason, no account for payment, not yet computed), per school; and students
whose entitlement was approved but never paid (no ledger entry, or a failed bank
result not re-paid)."
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aidsite.access import SystemActor
from aidsite.models import Role
from students.models import EnrollmentStatus, Stage
from students.models import HouseholdCategory as H
from subsidies.models import BankOutcome, LedgerEntry, OverrideAction, PaymentAccount, PaymentMethod
from subsidies.selectors.omissions import (
    UnaidedReason,
    unaided_by_school,
    unaided_count,
    unaided_students,
)
from subsidies.services.entitlement_review import entitlement_override
from subsidies.services.ledgers import (
    BankOutcomeRow,
    bank_results_record,
    batch_approve,
    batch_prepare,
)
from tests.factories import make_township, make_user
from tests.subsidies.ledger_factories import (
    approved_entitlements,
    next_account,
    policy_of,
    two_staff,
)
from tests.subsidies.townships import compute
from tests.world import Kids

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("测试")
GRANT = "学前教育政府助学金"


def _kindergarten(kids: Kids) -> Any:
    return kids.school(
        Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True, name="青山幼儿园"
    )


def _account(enrollment: Any) -> None:
    PaymentAccount.objects.create(
        student=enrollment.student,
        method=PaymentMethod.BANK_CARD,
        account_number=next_account(),
        holder_name="家长",
    )


def _found(term: Any, **kwargs: Any) -> dict[str, str]:
    """The 学前教育政府助学金 cases by student name, each with its reason."""
    return {
        u.name: u.reason
        for u in unaided_students(actor=SYSTEM, term=term, **kwargs)
        if u.policy_name == GRANT
    }


def test_a_registered_child_is_listed_as_not_yet_computed_before_the_term_is_computed(term, kids):
    school = _kindergarten(kids)
    kids(school, categories=(H.DIBAO,), name="低保娃")
    kids(school, name="普通娃")  # not from a registered household
    kids(school, orphan=True, name="孤儿娃")  # qualifies, but the household is not registered
    kids(school, categories=(H.EXTREME,), name="休学娃", status=EnrollmentStatus.SUSPENDED)

    assert _found(term) == {"低保娃": UnaidedReason.NOT_COMPUTED}


def test_a_qualifying_child_left_out_by_the_quota_is_listed_as_quota_full(term, kids):
    school = _kindergarten(kids)
    hard = [kids(school, categories=(H.EXTREME,), name=f"特困{i}") for i in range(2)]
    for _ in range(8):
        kids(school)
    for enrollment in hard:
        _account(enrollment)
    compute(term)  # 10 children, 10%: one place

    found = _found(term)
    assert list(found.values()) == [UnaidedReason.QUOTA_FULL]
    assert len(found) == 1


def test_a_staff_exclusion_is_listed_with_the_staffs_reason(term, kids, township):
    school = _kindergarten(kids)
    child = kids(school, categories=(H.REGISTERED,), name="排除娃")
    _account(child)
    compute(term)
    entitlement_override(
        student=child.student, policy=policy_of(term), term=term, action=OverrideAction.EXCLUDE,
        reason="家庭已迁往外县", actor=make_user(role=Role.TOWNSHIP_STAFF, township=township),
    )  # fmt: skip

    assert _found(term) == {"排除娃": "人工排除：家庭已迁往外县"}


def test_an_awarded_child_with_no_payment_account_is_listed_and_one_with_an_account_is_not(
    term, kids
):
    school = _kindergarten(kids)
    kids(school, categories=(H.EXTREME,), name="无账户娃")
    with_account = kids(school, categories=(H.EXTREME,), name="有账户娃")
    cash = kids(school, categories=(H.EXTREME,), name="现金娃")
    _account(with_account)
    PaymentAccount.objects.create(student=cash.student, method=PaymentMethod.CASH)
    for _ in range(27):
        kids(school)
    compute(term)  # 30 children, 10%: three places, all three awarded

    assert _found(term) == {"无账户娃": UnaidedReason.NO_ACCOUNT}


def test_an_approved_entitlement_never_paid_is_listed_until_it_is_paid(term, township):
    approved_entitlements(term=term, township=township, count=2, names=["甲娃", "乙娃"])
    assert _found(term) == {"甲娃": UnaidedReason.NOT_PAID, "乙娃": UnaidedReason.NOT_PAID}

    preparer, approver = two_staff(township)
    batch = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer
    ).batch
    assert _found(term) == {}  # in a batch: on its way
    batch_approve(batch=batch, actor=approver)
    entries = list(LedgerEntry.objects.filter(batch=batch).order_by("student__name"))
    bank_results_record(
        batch=batch, actor=approver,
        rows=[
            BankOutcomeRow(entries[0].pk, BankOutcome.FAILED, Decimal("600.00"), "账户已销户", 1),
            BankOutcomeRow(entries[1].pk, BankOutcome.SUCCESS, Decimal("600.00"), "", 2),
        ],
    )  # fmt: skip

    assert _found(term) == {entries[0].student.name: UnaidedReason.FAILED_NOT_REPAID}

    again = batch_prepare(
        township=township, policy=policy_of(term), term=term, actor=preparer
    ).batch
    batch_approve(batch=again, actor=approver)
    assert _found(term) == {}


def test_an_approved_entitlement_without_an_account_says_so(term, township):
    approved_entitlements(term=term, township=township, count=1, names=["无卡娃"], accounts=False)
    assert _found(term) == {"无卡娃": UnaidedReason.NO_ACCOUNT}


def test_township_staff_see_their_township_only_and_cases_group_per_school(term, kids, township):
    school = _kindergarten(kids)
    kids(school, categories=(H.DIBAO,), name="青山娃")
    other = Kids(term, make_township("白云镇"))
    other(
        other.school(Stage.KINDERGARTEN, is_inclusive=True, is_county_approved=True),
        categories=(H.DIBAO,),
        name="白云娃",
    )

    staff = make_user(role=Role.TOWNSHIP_STAFF, township=township)
    assert [u.name for u in unaided_students(actor=staff, term=term)] == ["青山娃"]
    assert unaided_count(staff, term) == 1
    assert unaided_count(SYSTEM, term) == 2
    groups = unaided_by_school(unaided_students(actor=SYSTEM, term=term))
    assert [(g["township"], len(g["rows"])) for g in groups] == [("白云镇", 1), ("青山镇", 1)]


def test_the_selector_reads_a_constant_number_of_queries(term, kids, django_assert_max_num_queries):
    school = _kindergarten(kids)
    for i in range(3):
        kids(school, categories=(H.DIBAO,), name=f"三{i}")
    with django_assert_max_num_queries(100) as few:
        unaided_students(actor=SYSTEM, term=term)
    for i in range(30):
        kids(school, categories=(H.DIBAO,), name=f"三十{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_found(term)) == 33
