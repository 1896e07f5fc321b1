"""Funding quotas (资金指标): what is committed and paid is derived from the entitlements and the
ledger at every step, a batch over its township's funds needs the approver's reason, and each
role sees its own part of the report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aidsite.models import Role
from students.models import Season, Term
from subsidies.models import (
    BankOutcome,
    BatchStatus,
    Entitlement,
    EntitlementStatus,
    FundAllotment,
    LedgerAction,
    LedgerEntry,
    LedgerLog,
    PaymentAccount,
    PaymentMethod,
    Reversal,
)
from subsidies.selectors.funds import Figures, batch_funds, funds_report, township_funds
from subsidies.services.entitlement_review import entitlements_approve
from subsidies.services.ledgers import (
    BankOutcomeRow,
    LedgerError,
    bank_results_record,
    batch_approve,
    batch_prepare,
    entry_reverse,
)
from tests.factories import make_household, make_school, make_township, make_user, make_village
from tests.subsidies.ledger_factories import (
    approved_entitlements,
    next_account,
    policy_of,
    two_staff,
)
from tests.world import enroll

pytestmark = pytest.mark.django_db

D = Decimal


def allot(term, *, amount, township=None, school=None, code="PRE-GRANT", by=None, **fields):
    return FundAllotment.objects.create(
        term=term, policy=policy_of(term, code), township=township, school=school, amount=D(amount),
        document_number=fields.pop("document_number", "县财教〔2022〕12号"), issued_on=dt.date(2022, 9, 1),
        entered_by=by or make_user(role=Role.COUNTY_ADMIN), **fields,
    )  # fmt: skip


def proposed(term, school, amounts):
    """One proposed entitlement per amount, each child with a bank account."""
    policy = policy_of(term)
    village = make_village(township=school.township)
    rows = []
    for i, amount in enumerate(amounts):
        enrollment = enroll(
            school=school, year=term.school_year, household=make_household(village=village),
            stage=policy.stage_list[0], student={"name": f"幼儿{i}"}, grade="大班", class_name="1班",
        )  # fmt: skip
        PaymentAccount.objects.create(
            student=enrollment.student,
            method=PaymentMethod.BANK_CARD,
            account_number=next_account(),
            holder_name="家长",
        )
        rows.append(
            Entitlement.objects.create(
                student=enrollment.student,
                enrollment=enrollment,
                policy=policy,
                term=term,
                tier=2,
                amount=D(amount),
                max_amount=D(amount),
                status=EntitlementStatus.PROPOSED,
                computed_at=timezone.now(),
            )  # fmt: skip
        )
    return rows


def from_the_ledger(term, township):
    """(committed, paid) straight from the rows, without the selector: each approved entitlement
    is paid (a live entry in an approved batch), finished (reversed without reissue) or committed."""
    committed = paid = D("0")
    for ent in Entitlement.objects.filter(term=term, enrollment__school__township=township):
        if ent.status not in (EntitlementStatus.APPROVED, EntitlementStatus.PAID):
            continue
        entries = LedgerEntry.objects.filter(entitlement=ent)
        live = [e for e in entries if e.is_live and e.batch.status == BatchStatus.APPROVED]
        if live:
            paid += sum(e.amount for e in live)
        elif not Reversal.objects.filter(entry__entitlement=ent, reissue=False).exists():
            committed += ent.amount
    return committed, paid


def assert_figures(term, township, *, committed, paid, confirmed, reversed_, remaining):
    policy = policy_of(term)
    f = township_funds(term=term, policy=policy, township=township)
    assert (f.committed, f.paid, f.confirmed, f.reversed, f.remaining) == (
        D(committed),
        D(paid),
        D(confirmed),
        D(reversed_),
        D(remaining),
    )
    assert (f.committed, f.paid) == from_the_ledger(term, township)
    # The report's township line says the same, and its schools add up to it.
    report = funds_report(actor=make_user(role=Role.AUDITOR), term=term)
    [line] = [
        t
        for p in report.policies
        if p.policy == policy
        for t in p.townships
        if t.township == township
    ]
    assert (line.figures.committed, line.figures.paid, line.figures.remaining) == (
        f.committed,
        f.paid,
        f.remaining,
    )
    assert (
        sum((s.figures.committed + s.figures.paid for s in line.schools), D("0"))
        == f.committed + f.paid
    )


def test_derived_commitments_equal_the_ledger_at_every_step(term):
    township = make_township("青山镇")
    school = make_school(township=township, stages="kindergarten", name="青山镇中心幼儿园")
    allot(term, amount="2000.00", township=township)
    allot(term, amount="1000.00", school=school, document_number="县财教〔2022〕15号")
    ents = proposed(term, school, ["600.00", "600.00", "600.00", "600.00"])
    preparer, approver = two_staff(township)
    assert_figures(
        term, township, committed="0", paid="0", confirmed="0", reversed_="0", remaining="3000.00"
    )

    # 1. The list is approved: all four are owed.
    entitlements_approve(term=term, township=township, actor=approver, policy_code="PRE-GRANT")
    assert_figures(
        term,
        township,
        committed="2400.00",
        paid="0",
        confirmed="0",
        reversed_="0",
        remaining="600.00",
    )

    # 2. A batch is prepared: still owed, not paid; it fits (3000 available for 2400).
    first = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert (first.funds.available, first.funds.shortfall, first.funds.over) == (
        D("3000.00"),
        D("0"),
        False,
    )
    assert_figures(
        term,
        township,
        committed="2400.00",
        paid="0",
        confirmed="0",
        reversed_="0",
        remaining="600.00",
    )

    # 3. The batch is approved: the money has gone out.
    batch_approve(batch=first.batch, actor=approver)
    assert_figures(
        term,
        township,
        committed="0",
        paid="2400.00",
        confirmed="0",
        reversed_="0",
        remaining="600.00",
    )

    # 4. The bank: two paid, one failed (owed again), one not yet returned.
    entries = list(LedgerEntry.objects.filter(batch=first.batch).order_by("pk"))
    rows = [
        BankOutcomeRow(entries[0].pk, BankOutcome.SUCCESS, D("600.00"), "", 1),
        BankOutcomeRow(entries[1].pk, BankOutcome.SUCCESS, D("600.00"), "", 2),
        BankOutcomeRow(entries[2].pk, BankOutcome.FAILED, D("600.00"), "账户已销户", 3),
    ]
    bank_results_record(batch=first.batch, rows=rows, actor=preparer)
    assert_figures(term, township, committed="600.00", paid="1800.00", confirmed="1200.00", reversed_="0",
                   remaining="600.00")  # fmt: skip

    # 5. A paid entry is reversed to be paid again: owed again.
    entry_reverse(entry=entries[0], actor=preparer, reason="金额有误", reissue=True)
    assert_figures(term, township, committed="1200.00", paid="1200.00", confirmed="600.00", reversed_="600.00",
                   remaining="600.00")  # fmt: skip

    # 6. A pending entry is reversed for good: the money is back in the remaining funds.
    entry_reverse(entry=entries[3], actor=preparer, reason="已转学", reissue=False)
    assert_figures(term, township, committed="1200.00", paid="600.00", confirmed="600.00", reversed_="1200.00",
                   remaining="1200.00")  # fmt: skip

    # 7. The two owed are batched again, then approved.
    second = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert second.batch.total_amount == D("1200.00")
    assert (second.funds.available, second.funds.over) == (D("2400.00"), False)
    assert_figures(term, township, committed="1200.00", paid="600.00", confirmed="600.00", reversed_="1200.00",
                   remaining="1200.00")  # fmt: skip
    batch_approve(batch=second.batch, actor=approver)
    assert_figures(term, township, committed="0", paid="1800.00", confirmed="600.00", reversed_="1200.00",
                   remaining="1200.00")  # fmt: skip
    assert {e.pk for e in ents} == set(
        LedgerEntry.objects.filter(batch=second.batch).values_list("entitlement_id", flat=True)
    ) | {ents[1].pk, ents[3].pk}


def test_school_allotments_count_in_their_township_and_show_on_their_own(term):
    township = make_township("青山镇")
    school = make_school(township=township, stages="kindergarten", name="青山镇中心幼儿园")
    other = make_school(township=township, stages="kindergarten", name="石岭村幼儿园")
    allot(term, amount="2000.00", township=township)
    allot(term, amount="500.00", school=school)
    allot(term, amount="300.00", school=school, document_number="县财教〔2022〕20号")
    approved_entitlements(term=term, township=township, count=2, school=school)
    approved_entitlements(term=term, township=township, count=1, school=other)
    report = funds_report(actor=make_user(role=Role.COUNTY_ADMIN), term=term)
    [policy_line] = report.policies
    [line] = policy_line.townships
    assert (line.figures.allotted, line.own_allotted, line.figures.committed) == (
        D("2800.00"),
        D("2000.00"),
        D("1800.00"),
    )
    by_name = {s.school.name: s.figures for s in line.schools}
    assert (by_name["青山镇中心幼儿园"].allotted, by_name["青山镇中心幼儿园"].remaining) == (
        D("800.00"),
        D("-400.00"),
    )
    assert (by_name["石岭村幼儿园"].allotted, by_name["石岭村幼儿园"].has_allotment) == (
        D("0"),
        False,
    )
    assert line.figures.remaining == D("1000.00")
    assert report.total.remaining == D("1000.00")


# ---------------------------------------------------------------------------
# The batch against the funds: the boundary


def _prepared_against(term, allotted):
    township = make_township("青山镇")
    approved_entitlements(term=term, township=township, count=3, amount=D("600.00"))  # 1800.00
    allot(term, amount=allotted, township=township)
    preparer, approver = two_staff(township)
    result = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    return result, approver


def test_a_batch_exactly_at_the_remaining_funds_is_not_over(term):
    result, approver = _prepared_against(term, "1800.00")
    assert (result.funds.available, result.funds.shortfall, result.funds.over) == (
        D("1800.00"),
        D("0"),
        False,
    )
    batch_approve(batch=result.batch, actor=approver)
    result.batch.refresh_from_db()
    assert result.batch.status == BatchStatus.APPROVED


def test_one_fen_over_warns_and_the_approval_needs_a_reason(term):
    result, approver = _prepared_against(term, "1799.99")
    assert (result.funds.shortfall, result.funds.over) == (D("0.01"), True)
    prepare_log = LedgerLog.objects.get(action=LedgerAction.PREPARE)
    assert "超出资金指标结余 0.01 元" in prepare_log.summary
    with pytest.raises(LedgerError, match="超出资金指标结余"):
        batch_approve(batch=result.batch, actor=approver)
    with pytest.raises(LedgerError):
        batch_approve(batch=result.batch, actor=approver, over_reason="   ")
    result.batch.refresh_from_db()
    assert result.batch.status == BatchStatus.PREPARED
    batch_approve(batch=result.batch, actor=approver, over_reason="追加指标文件已在审批中")
    result.batch.refresh_from_db()
    assert result.batch.status == BatchStatus.APPROVED
    log = LedgerLog.objects.get(action=LedgerAction.APPROVE)
    assert log.detail["over_reason"] == "追加指标文件已在审批中"
    assert log.detail["shortfall"] == "0.01"
    assert "理由：追加指标文件已在审批中" in log.summary


def test_without_any_allotment_for_the_policy_and_term_nothing_is_over(term):
    township = make_township("青山镇")
    approved_entitlements(term=term, township=township, count=2)
    # An allotment of another policy says nothing about this one.
    allot(term, amount="100.00", township=township, code="PRE-FEE")
    preparer, approver = two_staff(township)
    result = batch_prepare(township=township, policy=policy_of(term), term=term, actor=preparer)
    assert (result.funds.entered, result.funds.over) == (False, False)
    batch_approve(batch=result.batch, actor=approver)
    assert LedgerLog.objects.get(action=LedgerAction.APPROVE).detail["allotment"] == "未录入"


def test_a_township_left_out_of_the_allotments_is_over(term):
    ours, theirs = make_township("青山镇"), make_township("白水镇")
    approved_entitlements(term=term, township=ours, count=1)
    allot(term, amount="5000.00", township=theirs)
    preparer, approver = two_staff(ours)
    result = batch_prepare(township=ours, policy=policy_of(term), term=term, actor=preparer)
    assert (result.funds.entered, result.funds.available, result.funds.over) == (True, D("0"), True)
    with pytest.raises(LedgerError):
        batch_approve(batch=result.batch, actor=approver)


def test_the_check_at_approval_counts_what_changed_since_preparation(term):
    result, approver = _prepared_against(term, "1800.00")
    FundAllotment.objects.update(amount=D("1000.00"))
    assert batch_funds(result.batch).shortfall == D("800.00")
    with pytest.raises(LedgerError, match="800.00"):
        batch_approve(batch=result.batch, actor=approver)


# ---------------------------------------------------------------------------
# Carry-over, scope, queries


def test_a_carry_over_leaves_the_earlier_term_and_joins_the_later(term):
    township = make_township("青山镇")
    spring = Term.objects.get(school_year=term.school_year, season=Season.SPRING)
    autumn = allot(term, amount="1000.00", township=township)
    allot(
        spring,
        amount="400.00",
        township=township,
        carried_from=autumn,
        document_number="县财教〔2023〕3号",
    )
    assert township_funds(term=term, policy=policy_of(term), township=township).remaining == D(
        "600.00"
    )
    spring_figures = township_funds(term=spring, policy=policy_of(spring), township=township)
    assert (spring_figures.allotted, spring_figures.remaining) == (D("400.00"), D("400.00"))


def test_each_role_sees_its_own_part_of_the_report(term):
    ours, theirs = make_township("青山镇"), make_township("白水镇")
    for t in (ours, theirs):
        allot(term, amount="1000.00", township=t)
        approved_entitlements(term=term, township=t, count=1)
    staff = make_user(role=Role.TOWNSHIP_STAFF, township=ours)

    def townships(user):
        return {
            t.township.name
            for p in funds_report(actor=user, term=term).policies
            for t in p.townships
        }

    assert townships(staff) == {"青山镇"}
    assert funds_report(actor=staff, term=term).total.allotted == D("1000.00")
    assert townships(make_user(role=Role.AUDITOR)) == {"青山镇", "白水镇"}
    assert townships(make_user(role=Role.COUNTY_ADMIN)) == {"青山镇", "白水镇"}


def _county(term, townships):
    for n in range(townships):
        t = make_township(f"第{n}镇")
        allot(term, amount="1000.00", township=t)
        school = make_school(township=t, stages="kindergarten")
        allot(term, amount="100.00", school=school)
        approved_entitlements(term=term, township=t, count=2, school=school)


@pytest.mark.parametrize("townships", [1, 6])
def test_the_report_takes_the_same_queries_whatever_the_size(
    term, townships, django_assert_num_queries
):
    _county(term, townships)
    user = make_user(role=Role.TOWNSHIP_STAFF, township=make_township("空镇"))
    auditor = make_user(role=Role.AUDITOR)
    funds_report(actor=auditor, term=term)  # the user's scope is read once and kept on the user
    with django_assert_num_queries(7):
        report = funds_report(actor=auditor, term=term)
    assert len(report.policies[0].townships) == townships
    assert funds_report(actor=user, term=term).policies == []


def test_figures_add_up():
    a = Figures(allotted=D("10"), committed=D("3"), paid=D("2"), has_allotment=True)
    a.add(Figures(allotted=D("1"), carried_out=D("1"), paid=D("1")))
    assert (a.allotted, a.remaining, a.over) == (D("11"), D("4"), False)


def test_donated_money_in_the_term_changes_no_government_figure(term):
    """社会资助 entries have no entitlement and spend no allotment: paid and reversed donations of
    the same township and term leave every 资金指标 figure as it was."""
    from subsidies.models import BatchKind, PairingShape
    from subsidies.services.donors import donation_batch_prepare
    from tests.subsidies.donor_factories import make_donor, make_pairing, paired_students

    township = make_township("青山镇")
    school = make_school(township=township, stages="kindergarten", name="青山镇中心幼儿园")
    allot(term, amount="2000.00", township=township)
    proposed(term, school, ["600.00", "600.00"])
    preparer, approver = two_staff(township)
    entitlements_approve(term=term, township=township, actor=approver, policy_code="PRE-GRANT")
    before = township_funds(term=term, policy=policy_of(term), township=township)
    assert (before.committed, before.remaining) == (D("1200.00"), D("800.00"))

    (student,) = paired_students(term=term, township=township)
    make_pairing(
        term=term, township=township, shape=PairingShape.ONE_TO_ONE,
        donors=[(make_donor(township, "爱心企业"), D("500.00"))], students=[student],
    )  # fmt: skip
    for kind in (BatchKind.DONATION_RECEIVED, BatchKind.DONATION_PAID):
        batch = donation_batch_prepare(township=township, term=term, kind=kind, actor=preparer).batch
        assert batch_approve(batch=batch, actor=approver).changed
    entry = LedgerEntry.objects.get(batch__kind=BatchKind.DONATION_PAID)
    entry_reverse(entry=entry, actor=approver, reason="账号有误", reissue=False)

    assert_figures(
        term, township, committed="1200.00", paid="0", confirmed="0", reversed_="0", remaining="800.00"
    )
