"""The ledger pages: batches and reconciliation, prepare, approve, reverse, bank results, conflicts, funds.

Thin views: fetch through the `get_*` helpers below (scoped, 404 outside the
user's scope) or `scope_queryset`, call one service, redirect or render. Every
page needs its permission (auditors get 403 on writes) and the services check
the township again. A refused page shows only the 403 page's own text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from aidsite.access import (
    can_reveal_personal_data,
    get_for_user,
    log_access,
    require,
    scope_queryset,
    user_scope,
)
from aidsite.admin_pages import render_admin_page
from aidsite.lib.idcard import mask_account, mask_id_number
from aidsite.models import AccessAction
from students.models import Household, SchoolYear, Village
from subsidies.forms.funds import OverAllotmentForm
from subsidies.forms.ledgers import (
    BankUploadForm,
    BatchPrepareForm,
    ConflictFilterForm,
    FundsFilterForm,
    ReverseForm,
)
from subsidies.models import (
    BatchKind,
    BatchStatus,
    DisbursementBatch,
    LedgerEntry,
    LedgerLog,
    PaymentMethod,
    PaymentStatus,
    payment_status_label,
)
from subsidies.selectors import (
    TermData,
    batches_with_reconciliation,
    default_school_year,
    default_term,
    funds_by_household,
    funds_by_village,
    household_entries,
    ledger_conflicts,
)
from subsidies.selectors.funds import selection_funds
from subsidies.services import ledgers
from subsidies.services.bank_import import bank_results_import
from subsidies.views.policies import form_no_policies

VIEW = "subsidies.view_disbursementbatch"


def ledger_page(permission: str = VIEW, *, methods: tuple[str, ...] = ("GET",)) -> Callable[[Any], Any]:
    """The method, then log-in, then the page's permission (staff only; a refusal shows the 403 page's own text)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, permission, staff=True, denied="")
            return view(request, *args, **kwargs)

        return require_http_methods(list(methods))(login_required(wrapped))

    return decorator


def get_batch(request: HttpRequest, pk: int) -> DisbursementBatch:
    return get_for_user(
        request.user,
        DisbursementBatch.objects.select_related("township", "policy", "term__school_year", "prepared_by", "approved_by"),
        pk=pk,
    )


def get_entry(request: HttpRequest, pk: int) -> LedgerEntry:
    return get_for_user(
        request.user, LedgerEntry.objects.select_related("batch__township", "student", "school"), pk=pk
    )


def get_school_year(request: HttpRequest, pk: int) -> SchoolYear:
    return get_for_user(request.user, SchoolYear.objects.all(), pk=pk)


def get_village(request: HttpRequest, pk: int) -> Village:
    return get_for_user(request.user, Village.objects.select_related("township"), pk=pk)


def get_household(request: HttpRequest, pk: int) -> Household:
    return get_for_user(request.user, Household.objects.select_related("village__township"), pk=pk)


def _default_choice(field: str, value: Any) -> dict[str, Any] | None:
    """A filter form's data when the page is opened without one: the default term or year, if any."""
    return {field: value.pk} if value is not None else None


def _entry_rows(entries: Any, reveal: bool) -> list[dict[str, Any]]:
    return [
        {
            "entry": e,
            "id_number": e.student.id_number if reveal else mask_id_number(e.student.id_number),
            "account": e.account_number if reveal else mask_account(e.account_number),
            "reversal": getattr(e, "reversal", None),
            "bank_result": getattr(e, "bank_result", None),
            "reversible": ledgers.entry_is_reversible(e),
        }
        for e in entries
    ]


@ledger_page()
def ledger_index(request: HttpRequest) -> HttpResponse:
    """发放批次与对账: every batch in scope with expected, paid, failed, reversed and outstanding."""
    form = ConflictFilterForm(request.GET or None, user=request.user)
    batches = scope_queryset(request.user, DisbursementBatch.objects.all())
    if form.is_bound and form.is_valid():
        batches = batches.filter(term=form.cleaned_data["term"])
        if form.cleaned_data.get("policy"):
            batches = batches.filter(policy=form.cleaned_data["policy"])
    return render_admin_page(
        request,
        "subsidies/ledgers/index.html",
        {
            "title": "发放批次与对账",
            "form": form,
            "batches": batches_with_reconciliation(batches),
            "can_prepare": request.user.has_perm("subsidies.prepare_disbursementbatch"),
            "can_export": request.user.has_perm("subsidies.export_disbursementbatch"),
        },
    )


def _left_out(request: HttpRequest, *, township: Any, policy: Any, term: Any) -> dict[str, Any]:
    """Approved students of the selection in no live batch entry, each with why, and where accounts are entered."""
    entitlements = scope_queryset(
        request.user, ledgers.batchable_entitlements(township=township, policy=policy, term=term)
    )
    add_url = reverse("admin:subsidies_paymentaccount_add")
    rows = []
    for ent in entitlements:
        no_account = getattr(ent.student, "payment_account", None) is None
        rows.append(
            {
                "name": ent.student.name,
                "masked_id": mask_id_number(ent.student.id_number),
                "school": ent.enrollment.school.name,
                "amount": ent.amount,
                "reason": "未登记一卡通账号" if no_account else "尚未编入批次",
                "add_url": f"{add_url}?{urlencode({'student': ent.student_id, 'method': PaymentMethod.BANK_CARD})}"
                if no_account
                else "",
            }
        )
    user = request.user
    return {
        "left_out": rows,
        "left_out_help": "以下学生的资助已审核，但尚未编入任何发放批次；未登记一卡通账号的学生须先登记账号，或改按现金、抵扣费用发放。",
        "can_enter_accounts": user.has_perm("subsidies.add_paymentaccount") and not user_scope(user).read_only,
        "accounts_url": reverse("admin:subsidies_paymentaccount_changelist"),
    }


PREPARE_CHOICES = ("term", "township", "policy")


@ledger_page("subsidies.prepare_disbursementbatch", methods=("GET", "POST"))
def batch_prepare(request: HttpRequest) -> HttpResponse:
    """编制发放批次: for the students with a way to be paid; those without are listed, never silently dropped."""
    # A link from the aid list's approval opens the form on its term, township and policy.
    initial = {key: request.GET[key] for key in PREPARE_CHOICES if request.GET.get(key, "").isdigit()}
    form = BatchPrepareForm(request.POST or None, user=request.user, initial=initial)
    context: dict[str, Any] = {"title": "编制发放批次", "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = ledgers.batch_prepare(
                township=data["township"], policy=data["policy"], term=data["term"], actor=request.user,
                default_method=data["default_method"], note=data["note"],
            )
        except ledgers.LedgerError as exc:
            context.update(_left_out(request, township=data["township"], policy=data["policy"], term=data["term"]))
            hint = "名单见下方：登记一卡通账号后再编制，或改按现金、抵扣费用发放。" if context["left_out"] else ""
            form.add_error(None, exc.messages[0] + hint)
        else:
            batch = result.batch
            messages.success(
                request, f"已编制{batch}：{batch.entry_count} 人，{batch.total_amount} 元。请由另一位工作人员审核。"
            )
            _funds_message(request, result)
            if result.skipped:
                messages.warning(
                    request,
                    f"{len(result.skipped)} 人未登记一卡通账号，未编入本批次（名单见本页下方），登记账号后可再编制一批。",
                )
            return redirect("ledgers:batch", pk=batch.pk)
    context["no_policies"] = form_no_policies(request.user, form)
    context.update(_selection_funds(request, form))
    return render_admin_page(request, "subsidies/ledgers/prepare.html", context)


def _funds_message(request: HttpRequest, result: ledgers.PrepareResult) -> None:
    """Tell the preparer how the batch stands against its funding quota (nothing when none is entered)."""
    funds = result.funds
    if funds is not None and funds.over:
        messages.warning(
            request, ledgers.over_allotment_message(funds) + "审核时须由审核人确认并填写超指标审核理由。"
        )


def _selection_funds(request: HttpRequest, form: BatchPrepareForm) -> dict[str, Any]:
    """The remaining funds of the chosen term, policy and township, once all three are chosen."""
    try:
        term = form.fields["term"].clean(form["term"].value())
        policy = form.fields["policy"].clean(form["policy"].value())
        township = form.fields["township"].clean(form["township"].value())
    except ValidationError:
        return {}
    if policy.school_year_id != term.school_year_id:
        return {}
    return {
        "funds": selection_funds(term=term, policy=policy, township=township),
        "funds_label": f"{township.name} {term} {policy.name} 资金指标",
    }


def _pending_label(methods: set[str]) -> str:
    """The batch's "no outcome yet" in its methods' words: cash is signed for, a bank card awaits the bank's file."""
    words = sorted({payment_status_label(m, PaymentStatus.PENDING) for m in methods})
    return "或".join(words) if words else payment_status_label(PaymentMethod.BANK_CARD, PaymentStatus.PENDING)


@ledger_page()
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch(request, pk)
    reconciliation = batches_with_reconciliation(DisbursementBatch.objects.filter(pk=batch.pk)).get()
    entries = (
        scope_queryset(request.user, LedgerEntry.objects.filter(batch=batch))
        .select_related("student", "school", "reversal", "bank_result", "entitlement__enrollment")
        .order_by("school__name", "student__name", "pk")
    )
    # Full ID and account numbers only when asked for (`?reveal=1`), allowed, and logged (SECURITY D1, D2).
    may_reveal = can_reveal_personal_data(request.user)
    reveal = may_reveal and request.GET.get("reveal") == "1"
    rows = _entry_rows(entries, reveal)
    methods = {row["entry"].method for row in rows}
    if reveal and rows:
        log_access(
            user=request.user, action=AccessAction.REVEAL, what=f"发放批次 {batch}", row_count=len(rows),
            detail={"batch": batch.pk},
        )
    user = request.user
    return render_admin_page(
        request,
        "subsidies/ledgers/batch.html",
        {
            "title": str(batch),
            "batch": batch,
            "r": reconciliation,
            "rows": rows,
            "can_reveal": may_reveal and not reveal and bool(rows),
            "log": LedgerLog.objects.filter(batch_id_ref=batch.pk).select_related("user"),
            "can_approve": (
                not batch.is_approved
                and user.has_perm("subsidies.approve_disbursementbatch")
                and batch.prepared_by_id != user.pk
            ),
            "is_preparer": batch.prepared_by_id == user.pk,
            "can_discard": not batch.is_approved and user.has_perm("subsidies.prepare_disbursementbatch"),
            "can_reverse": batch.is_approved and user.has_perm("subsidies.reverse_ledgerentry"),
            # Money received from donors has no bank file of payments to read back.
            "can_import": batch.is_approved and batch.kind != BatchKind.DONATION_RECEIVED
            and user.has_perm("subsidies.import_bankresult"),
            "pending_label": _pending_label(methods),
            # A prepared batch against its township's funds; over them, approving needs a reason.
            "funds": ledgers.government_batch_funds(batch) if not batch.is_approved else None,
            "funds_label": "" if batch.is_social else f"{batch.township.name} {batch.term} {batch.policy.name} 资金指标",
            "over_form": OverAllotmentForm(),
            # The export centre's forms open on this batch's term, township and policy.
            # (The government ledger and sign sheet are per policy: none for a 社会资助 batch.)
            "next_query": "" if batch.is_social
            else urlencode({"term": batch.term_id, "township": batch.township_id, "policy": batch.policy_id}),
            **_left_out(request, township=batch.township, policy=batch.policy, term=batch.term),
        },
    )


@ledger_page("subsidies.approve_disbursementbatch", methods=("POST",))
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch(request, pk)
    reason_form = OverAllotmentForm(request.POST)
    if (request.POST.get("over_reason") or "").strip() and not reason_form.is_valid():
        messages.error(request, "；".join(reason_form.errors["over_reason"]))
        return redirect("ledgers:batch", pk=batch.pk)
    reason = reason_form.cleaned_data["over_reason"] if reason_form.is_valid() else ""
    try:
        result = ledgers.batch_approve(batch=batch, actor=request.user, over_reason=reason)
    except ledgers.LedgerError as exc:
        messages.error(request, exc.messages[0])
    else:
        if result.changed:
            messages.success(request, f"已审核：{result.batch.entry_count} 人，{result.batch.total_amount} 元，批次已锁定。")
        else:
            messages.info(request, "该批次已审核，未作任何更改。")
    return redirect("ledgers:batch", pk=batch.pk)


@ledger_page("subsidies.prepare_disbursementbatch", methods=("POST",))
def batch_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch(request, pk)
    try:
        ledgers.batch_discard(batch=batch, actor=request.user)
    except ledgers.LedgerError as exc:
        messages.error(request, exc.messages[0])
        return redirect("ledgers:batch", pk=batch.pk)
    messages.success(request, f"已撤销未审核的{batch}。")
    return redirect("ledgers:index")


@ledger_page("subsidies.reverse_ledgerentry", methods=("GET", "POST"))
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry(request, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledgers.entry_reverse(
                entry=entry, actor=request.user, reason=form.cleaned_data["reason"],
                reissue=form.cleaned_data["reissue"],
            )
        except ledgers.LedgerError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, f"已冲销 {entry.student.name} {entry.amount} 元。")
            return redirect("ledgers:batch", pk=entry.batch_id)
    return render_admin_page(
        request, "subsidies/ledgers/reverse.html",
        {"title": "冲销发放记录", "entry": entry, "form": form,
         "masked_id": mask_id_number(entry.student.id_number)},
    )


@ledger_page("subsidies.import_bankresult", methods=("GET", "POST"))
def bank_upload(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch(request, pk)
    form = BankUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = bank_results_import(
            batch=batch, source=upload.file, actor=request.user, file_name=upload.name,
            dry_run=form.cleaned_data["dry_run"],
        )
        if result.written:
            messages.success(
                request,
                f"已导入银行回盘：成功 {result.paid} 人，失败 {result.failed} 人，已登记未变 {result.unchanged} 人。",
            )
            return redirect("ledgers:batch", pk=batch.pk)
    status = 400 if result is not None and result.errors else 200
    return render_admin_page(
        request, "subsidies/ledgers/bank_upload.html",
        {"title": "导入银行回盘", "batch": batch, "form": form, "result": result},
        status=status,
    )


@ledger_page()
def conflicts(request: HttpRequest) -> HttpResponse:
    # Opened without a choice: the latest term with data (never a blank page).
    asked = request.GET or _default_choice("term", default_term(actor=request.user, data=TermData.LEDGER))
    form = ConflictFilterForm(asked, user=request.user)
    rows = []
    if form.is_bound and form.is_valid():
        rows = ledger_conflicts(
            actor=request.user, term=form.cleaned_data["term"], policy=form.cleaned_data.get("policy")
        )
    # Full ID numbers only when asked for (`&reveal=1`), allowed, and logged (SECURITY D1, D2).
    may_reveal = can_reveal_personal_data(request.user)
    reveal = may_reveal and request.GET.get("reveal") == "1"
    for row in rows:
        row.shown_id = row.id_number if reveal else mask_id_number(row.id_number)
    if reveal and rows:
        log_access(
            user=request.user, action=AccessAction.REVEAL, what="重复资助排查", row_count=len(rows),
            detail={"term": form.cleaned_data["term"].pk},
        )
    query = request.GET.copy()
    query["reveal"] = "1"
    return render_admin_page(
        request,
        "subsidies/ledgers/conflicts.html",
        {"title": "重复资助排查", "form": form, "rows": rows,
         "reveal_query": query.urlencode() if may_reveal and not reveal and rows else "",
         "no_policies": form_no_policies(request.user, form)},
    )


@ledger_page()
def funds(request: HttpRequest) -> HttpResponse:
    """资金到村到户台账: villages, then a village's households, then a household's entries."""
    asked = request.GET or _default_choice(
        "school_year", default_school_year(actor=request.user, data=TermData.LEDGER)
    )
    form = FundsFilterForm(asked, user=request.user)
    villages = None
    if form.is_bound and form.is_valid():
        villages = funds_by_village(
            actor=request.user, school_year=form.cleaned_data["school_year"],
            township=form.cleaned_data.get("township"),
        )
    return render_admin_page(
        request, "subsidies/ledgers/funds.html",
        {"title": "资金到村到户台账", "form": form, "villages": villages,
         "year": form.cleaned_data["school_year"] if villages is not None else None,
         "no_policies": form_no_policies(request.user, form)},
    )


@ledger_page()
def funds_village(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    school_year = get_school_year(request, year)
    village = get_village(request, pk)
    households = funds_by_household(actor=request.user, school_year=school_year, village=village)
    return render_admin_page(
        request, "subsidies/ledgers/funds_village.html",
        {"title": f"{village}资助资金", "village": village, "year": school_year, "households": households},
    )


@ledger_page()
def funds_household(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    school_year = get_school_year(request, year)
    household = get_household(request, pk)
    entries = household_entries(actor=request.user, household=household, school_year=school_year)
    return render_admin_page(
        request, "subsidies/ledgers/funds_household.html",
        {"title": f"{household.head_name}户资助资金", "household": household, "year": school_year,
         "entries": entries, "approved": BatchStatus.APPROVED},
    )
