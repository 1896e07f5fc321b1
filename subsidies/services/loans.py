"""生源地信用助学贷款 after approval: the contract, each year's disbursement, settled or overdue.

Every step is atomic, checked by `aidsite.access.require` (the county's loan
staff: `subsidies.change_studentloan`), saved with `full_clean()` and recorded in
the loan's history with who and why. The repayment plan is never stored: it is
derived from the contract (`subsidies.rules.loans`), and signing refuses a
contract whose plan would be impossible (a term longer than the policy's, or too
short to leave a year of repayment after school and the grace period).

The stored status moves 受理 → 签约 → 已放款, then 已结清 or 逾期 as recorded; 在校,
宽限期 and 还款中 are the plan's phases on a date (`subsidies.rules.loans.status_on`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aidsite.access import actor_user, require
from subsidies.models import LoanDisbursement, LoanStatus, StudentLoan
from subsidies.rules.loans import terms_problems
from subsidies.selectors.loans import terms_of

if TYPE_CHECKING:
    from aidsite.access import Actor

PERMISSION = "subsidies.change_studentloan"


def _locked(loan: StudentLoan, actor: Actor) -> StudentLoan:
    loan = (
        StudentLoan.objects.select_for_update(of=("self",))
        .select_related(
            "application__policy__school_year", "application__township", "application__student"
        )
        .get(pk=loan.pk)
    )
    require(actor, PERMISSION, township=loan.application.township, write=True)
    return loan


def _save(loan: StudentLoan, actor: Actor, reason: str) -> None:
    loan._history_user = actor_user(actor)
    loan._change_reason = reason[:100]
    loan.full_clean()
    loan.save()


def _contract_errors(
    loan: StudentLoan,
    *,
    bank: str,
    contract_number: str,
    signed_on: dt.date | None,
    amount_per_year: Decimal | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    application = loan.application
    if not bank:
        errors["bank"] = "请填写经办银行。"
    if not contract_number:
        errors["contract_number"] = "请填写合同编号。"
    elif StudentLoan.objects.filter(contract_number=contract_number).exclude(pk=loan.pk).exists():
        errors["contract_number"] = f"合同编号 {contract_number} 已被另一笔贷款使用，请核对。"
    if signed_on is None:
        errors["signed_on"] = "请填写签约日期。"
    elif signed_on > timezone.localdate():
        errors["signed_on"] = "签约日期不能晚于今天。"
    elif signed_on < application.applied_on:
        errors["signed_on"] = f"签约日期不能早于申请日期 {application.applied_on:%Y-%m-%d}。"
    cap = application.amount_approved
    if amount_per_year is None or amount_per_year <= 0:
        errors["amount_per_year"] = "每年贷款金额应大于 0。"
    elif cap is not None and amount_per_year > cap:
        errors["amount_per_year"] = f"每年贷款金额 {amount_per_year} 元超过批准的每年 {cap} 元。"
    return errors


@transaction.atomic
def loan_sign(
    *,
    loan: StudentLoan,
    actor: Actor,
    bank: str,
    contract_number: str,
    signed_on: dt.date | None,
    amount_per_year: Decimal | None,
    term_years: int | None,
    rate: Decimal | None = None,
) -> StudentLoan:
    """签约: the bank's contract for an approved loan (or its correction before any disbursement).

    The amount a year is at most what the approval gave; the term at most the policy's
    longest (最长贷款期限); the grace period is the policy's (还本宽限期); the rate is the
    one entered, or the policy's when none is.
    """
    loan = _locked(loan, actor)
    if loan.status not in (LoanStatus.ACCEPTED, LoanStatus.SIGNED) or loan.disbursements.exists():
        raise ValidationError(f"该贷款{loan.get_status_display()}，不能再修改合同。")
    bank, contract_number = bank.strip(), contract_number.strip()
    errors = _contract_errors(
        loan,
        bank=bank,
        contract_number=contract_number,
        signed_on=signed_on,
        amount_per_year=amount_per_year,
    )
    policy = loan.application.policy
    rate = rate if rate is not None else policy.loan_rate
    if rate is None:
        errors["rate"] = "请填写年利率（资助项目未设定贷款年利率）。"
    if policy.loan_grace_years is None:
        errors["__all__"] = "资助项目未设定还本宽限期，请先在资助政策中填写。"
    if term_years is None or term_years < 1:
        errors["term_years"] = "请填写贷款期限（年）。"
    if errors:
        raise ValidationError(errors)
    loan.amount_per_year = amount_per_year
    problems = terms_problems(
        terms_of(loan, term_years=term_years, grace_years=policy.loan_grace_years, rate=rate),
        max_term_years=policy.loan_max_years,
    )
    if problems:
        raise ValidationError({"term_years": "；".join(problems) + "。"})
    corrected = loan.status == LoanStatus.SIGNED
    loan.bank, loan.contract_number, loan.signed_on = bank, contract_number, signed_on
    loan.term_years, loan.grace_years, loan.rate = term_years, policy.loan_grace_years, rate
    loan.status = LoanStatus.SIGNED
    _save(loan, actor, f"{'更正合同' if corrected else '签约'} {contract_number}")
    return loan


@transaction.atomic
def loan_disburse(
    *,
    loan: StudentLoan,
    actor: Actor,
    year_of_study: int | None,
    amount: Decimal | None,
    disbursed_on: dt.date | None,
) -> LoanDisbursement:
    """已放款: the bank paid one year of study's loan (at most the contract's amount a year)."""
    loan = _locked(loan, actor)
    if loan.status not in (LoanStatus.SIGNED, LoanStatus.DISBURSED):
        raise ValidationError(f"该贷款{loan.get_status_display()}，不能登记放款（须先签约）。")
    terms = terms_of(
        loan, term_years=loan.term_years, grace_years=loan.grace_years or 0, rate=loan.rate
    )
    first, last = terms.first_year_of_study, loan.application.program_years or 0
    errors: dict[str, str] = {}
    if year_of_study is None or not first <= year_of_study <= last:
        errors["year_of_study"] = f"学年应为本合同所贷的第 {first} 至第 {last} 学年。"
    elif loan.disbursements.filter(year_of_study=year_of_study).exists():
        errors["year_of_study"] = f"第 {year_of_study} 学年已登记放款。"
    if amount is None or amount <= 0:
        errors["amount"] = "放款金额应大于 0。"
    elif amount > loan.amount_per_year:
        errors["amount"] = f"放款金额 {amount} 元超过合同每年 {loan.amount_per_year} 元。"
    if disbursed_on is None:
        errors["disbursed_on"] = "请填写放款日期。"
    elif disbursed_on > timezone.localdate():
        errors["disbursed_on"] = "放款日期不能晚于今天。"
    elif disbursed_on < loan.signed_on:
        errors["disbursed_on"] = f"放款日期不能早于签约日期 {loan.signed_on:%Y-%m-%d}。"
    if errors:
        raise ValidationError(errors)
    item = LoanDisbursement(
        loan=loan, year_of_study=year_of_study, amount=amount, disbursed_on=disbursed_on
    )
    item._history_user = actor_user(actor)
    item.full_clean()
    item.save()
    loan.status = LoanStatus.DISBURSED
    _save(loan, actor, f"第{year_of_study}学年放款 {amount} 元")
    return item


@transaction.atomic
def loan_settle(*, loan: StudentLoan, actor: Actor, note: str = "") -> StudentLoan:
    """已结清: the bank reports the loan repaid in full."""
    loan = _locked(loan, actor)
    if loan.status not in (LoanStatus.DISBURSED, LoanStatus.OVERDUE):
        raise ValidationError(f"该贷款{loan.get_status_display()}，只有已放款的贷款才能登记结清。")
    loan.status = LoanStatus.SETTLED
    _save(loan, actor, f"已结清 {note.strip()}".strip())
    return loan


@transaction.atomic
def loan_mark_overdue(
    *, loan: StudentLoan, actor: Actor, overdue: bool = True, note: str = ""
) -> StudentLoan:
    """逾期 as the bank reports it, or back to the plan's course once the arrears are paid."""
    loan = _locked(loan, actor)
    if overdue and loan.status != LoanStatus.DISBURSED:
        raise ValidationError(f"该贷款{loan.get_status_display()}，只有已放款的贷款才能登记逾期。")
    if not overdue and loan.status != LoanStatus.OVERDUE:
        raise ValidationError("该贷款未登记逾期。")
    loan.status = LoanStatus.OVERDUE if overdue else LoanStatus.DISBURSED
    _save(loan, actor, f"{'逾期' if overdue else '逾期已处理'} {note.strip()}".strip())
    return loan
