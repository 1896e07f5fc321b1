"""The donor pages: a pairing form for the three shapes, and preparing a 社会资助 batch.

Approving, discarding and reversing a 社会资助 batch are the ledger pages'
own (`subsidies.views.ledgers`): the batch is a ledger batch of its kind.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from subsidies.forms.donors import DonationBatchForm, PairingForm
from subsidies.services import donors as donor_services
from subsidies.views.ledgers import ledger_page


@ledger_page("subsidies.add_pairing", methods=("GET", "POST"))
def pairing_new(request: HttpRequest) -> HttpResponse:
    """登记结对资助: one form for 一对一, 一对多 and 多对一; the service checks the shape."""
    form = PairingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairing = donor_services.pairing_create(
                actor=request.user,
                township=data["township"],
                shape=data["shape"],
                from_year=data["from_year"],
                to_year=data["to_year"],
                amount=data["amount"],
                donors=form.donor_shares(),
                students=list(data["students"]),
                note=data["note"],
            )
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(
                request,
                f"已登记{pairing.get_shape_display()}结对：{pairing.students.count()} 名学生。",
            )
            return redirect("admin:subsidies_pairing_change", pairing.pk)
    return render_admin_page(
        request,
        "subsidies/donors/form.html",
        {
            "title": "登记结对资助",
            "form": form,
            "submit": "登记结对",
            "help": "一对一：一个资助方资助一名学生；一对多：一个资助方资助多名学生；多对一：多个资助方共同资助一名学生。"
            "学生须在起始学年有本乡镇学校的学籍。",
        },
    )


@ledger_page("subsidies.prepare_disbursementbatch", methods=("GET", "POST"))
def donation_batch_prepare(request: HttpRequest) -> HttpResponse:
    """编制社会资助批次: approval and reversal then go through the ledger's batch page."""
    form = DonationBatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = donor_services.donation_batch_prepare(
                township=data["township"],
                term=data["term"],
                kind=data["kind"],
                actor=request.user,
                donor=data["donor"],
                default_method=data["default_method"],
                note=data["note"],
            )
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(request, f"已编制{result.batch}，请由另一位工作人员审核。")
            return redirect("ledgers:batch", pk=result.batch.pk)
    return render_admin_page(
        request,
        "subsidies/donors/form.html",
        {
            "title": "编制社会资助批次",
            "form": form,
            "submit": "编制批次",
            "help": "按本学期有效的结对资助编制：收款批次登记各资助方为每名受助学生的出资，发放批次把资助发给结对学生。"
            "编制后须由另一位工作人员审核，审核后锁定，差错只能冲销。",
        },
    )
