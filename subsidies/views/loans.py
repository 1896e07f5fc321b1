"""生源地信用助学贷款 pages (/aid/loans/): the county's loan list by status, one loan with its
contract, disbursements and repayment plan (and a printable plan), and the 应贷尽贷 check.

For the roles that run the aid workflow (`aid_page`): township staff see their
township's loans and students, the county administrator every township or one.
Signing, disbursements and recorded statuses are the county's (the services
check `subsidies.change_studentloan`); township staff read. IDs are masked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from aidsite.access import get_for_user
from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from aidsite.lib.idcard import mask_id_number
from students.school_years import school_year_of
from subsidies.forms.loans import (
    ContractForm,
    DisbursementForm,
    LoanFilterForm,
    LoanStatusForm,
    MustLendForm,
)
from subsidies.models import LoanStatus, StudentLoan
from subsidies.rules.loans import plan_totals, status_on
from subsidies.selectors.loans import (
    loan_list,
    loan_plan,
    loan_policy,
    loan_terms,
    must_lend_students,
    open_loan_applications,
    status_counts,
)
from subsidies.services.loans import loan_disburse, loan_mark_overdue, loan_settle, loan_sign
from subsidies.views.aid import aid_page

PAGE_SIZE = 100
CHANGE = "subsidies.change_studentloan"


def _page(request: HttpRequest, rows: Any) -> tuple[Any, str]:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@aid_page(methods=("GET",))
def loans(request: HttpRequest) -> HttpResponse:
    """贷款名单: the loans by their status today, counted per status, a page at a time."""
    form = LoanFilterForm(request.GET, user=request.user)
    chosen = form.selection()
    today = timezone.localdate()
    every = loan_list(
        actor=request.user, on=today, school_year=chosen["school_year"], township=chosen["township"]
    )
    rows = every.filter(current=chosen["status"]) if chosen["status"] else every
    page, page_query = _page(
        request, rows.order_by("application__township__name", "application__student__name", "pk")
    )
    return render_admin_page(
        request,
        "subsidies/aid/loans.html",
        {
            "title": "生源地信用助学贷款",
            "form": form,
            "today": today,
            "counts": status_counts(every),
            "status": chosen["status"],
            "open_applications": open_loan_applications(
                actor=request.user, school_year=chosen["school_year"], township=chosen["township"]
            ),
            "page": page,
            "page_query": page_query,
            "rows": [
                {"loan": loan, "masked_id": mask_id_number(loan.application.student.id_number)}
                for loan in page
            ],
            "county_wide": form.fixed_township is None,
        },
    )


def _get_loan(request: HttpRequest, pk: int) -> StudentLoan:
    return get_for_user(
        request.user,
        StudentLoan.objects.select_related(
            "application__student__household__village__township",
            "application__policy__school_year",
            "application__township",
        ),
        pk=pk,
    )


def _loan_context(request: HttpRequest, loan: StudentLoan) -> dict[str, Any]:
    application = loan.application
    terms = loan_terms(loan)
    plan = loan_plan(loan)
    today = timezone.localdate()
    current = status_on(
        stored=loan.status,
        leaves_school=terms.leaves_school if terms else None,
        grace_years=loan.grace_years,
        on=today,
    )
    return {
        "loan": loan,
        "application": application,
        "student": application.student,
        "policy": application.policy,
        "masked_id": mask_id_number(application.student.id_number),
        "current_label": dict(LoanStatus.choices)[current],
        "terms": terms,
        "plan": plan,
        "totals": plan_totals(plan) if plan else None,
        "this_year": school_year_of(today),
        "disbursements": list(loan.disbursements.all()),
        "today": today,
    }


def _years_left(loan: StudentLoan) -> list[int]:
    application = loan.application
    # Only signed or disbursed loans offer disbursements: their terms are known.
    first = loan_terms(loan).first_year_of_study
    done = set(loan.disbursements.values_list("year_of_study", flat=True))
    return [n for n in range(max(first, 1), (application.program_years or 0) + 1) if n not in done]


def _forms(request: HttpRequest, loan: StudentLoan) -> dict[str, Any]:
    """The forms the user may use on this loan now, bound to the POST that named them."""
    if not request.user.has_perm(CHANGE):
        return {}
    post = request.POST if request.method == "POST" else None
    action = post.get("action") if post else None
    forms: dict[str, Any] = {}
    if loan.status in (LoanStatus.ACCEPTED, LoanStatus.SIGNED) and not loan.disbursements.exists():
        initial = {
            "amount_per_year": loan.amount_per_year,
            "term_years": loan.term_years or loan.application.policy.loan_max_years,
            "bank": loan.bank,
            "contract_number": loan.contract_number,
            "signed_on": loan.signed_on,
            "rate_percent": (loan.rate * 100).quantize(Decimal("0.01"))
            if loan.rate is not None
            else None,
        }
        forms["contract"] = ContractForm(post if action == "sign" else None, initial=initial)
    if loan.status in (LoanStatus.SIGNED, LoanStatus.DISBURSED):
        years = _years_left(loan)
        if years:
            forms["disbursement"] = DisbursementForm(
                post if action == "disburse" else None,
                years=years,
                initial={"amount": loan.amount_per_year},
            )
    if loan.status in (LoanStatus.DISBURSED, LoanStatus.OVERDUE):
        forms["status"] = LoanStatusForm(post if action == "status" else None)
    return forms


def _act(request: HttpRequest, loan: StudentLoan, action: str, form: Any) -> str:
    """Call the service the form names; the success message."""
    data, user = form.cleaned_data, request.user
    if action == "sign":
        loan_sign(
            loan=loan, actor=user, bank=data["bank"], contract_number=data["contract_number"],
            signed_on=data["signed_on"], amount_per_year=data["amount_per_year"], term_years=data["term_years"],
            rate=form.rate(),
        )  # fmt: skip
        return f"已签约，合同编号 {data['contract_number']}，还款计划已生成。"
    if action == "disburse":
        loan_disburse(
            loan=loan, actor=user, year_of_study=data["year_of_study"], amount=data["amount"],
            disbursed_on=data["disbursed_on"],
        )  # fmt: skip
        return f"已登记第{data['year_of_study']}学年放款 {data['amount']} 元。"
    status_action, note = data["status_action"], data["note"]
    if status_action == "settle":
        loan_settle(loan=loan, actor=user, note=note)
        return "已登记结清。"
    loan_mark_overdue(loan=loan, actor=user, overdue=status_action == "overdue", note=note)
    return "已登记逾期。" if status_action == "overdue" else "已登记逾期处理完毕。"


@aid_page(methods=("GET", "POST"))
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One loan: the application's facts, the contract form, disbursements and the plan."""
    loan = _get_loan(request, pk)
    if request.method == "POST" and not request.user.has_perm(CHANGE):
        raise PermissionDenied("贷款的签约、放款和状态由县资助中心登记。")
    forms = _forms(request, loan)
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = forms.get(
            {"sign": "contract", "disburse": "disbursement", "status": "status"}.get(action, "")
        )
        if form is None:
            messages.error(request, f"该贷款{loan.get_status_display()}，不能进行此操作。")
            return redirect("aid:loan", pk=loan.pk)
        if form.is_valid():
            try:
                done = _act(request, loan, action, form)
            except ValidationError as exc:
                service_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("aid:loan", pk=loan.pk)
    context = _loan_context(request, loan)
    context.update(title=f"贷款：{loan.application.student.name}", forms=forms)
    return render_admin_page(request, "subsidies/aid/loan.html", context)


@aid_page(methods=("GET",))
def loan_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The repayment plan as a printable page (the browser's print)."""
    loan = _get_loan(request, pk)
    context = _loan_context(request, loan)
    context.update(title="生源地信用助学贷款还款计划")
    return render_admin_page(request, "subsidies/aid/loan_print.html", context)


@aid_page(methods=("GET",))
def must_lend(request: HttpRequest) -> HttpResponse:
    """应贷尽贷: the year's poor-village hardship college entrants with no loan application."""
    form = MustLendForm(request.GET, user=request.user)
    chosen = form.selection()
    year = chosen["school_year"]
    context: dict[str, Any] = {
        "title": "应贷尽贷核查",
        "form": form,
        "year": year,
        "county_wide": form.fixed_township is None,
    }
    students = (
        must_lend_students(actor=request.user, school_year=year, township=chosen["township"])
        if year
        else None
    )
    if year is not None and students is None:
        context["no_policy"] = True
    elif students is not None:
        page, page_query = _page(request, students)
        context.update(
            policy=loan_policy(year),
            page=page,
            page_query=page_query,
            rows=[{"s": s, "masked_id": mask_id_number(s.id_number)} for s in page],
        )
    return render_admin_page(request, "subsidies/aid/must_lend.html", context)
