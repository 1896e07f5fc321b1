"""The donor pages: a pairing form for the three shapes, and preparing a 社会资助 batch.

Approving, discarding and reversing a 社会资助 batch are the ledger pages'
own (`subsidies.views.ledgers`): the batch is a ledger batch of its kind.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset, user_scope
from aidsite.admin_pages import render_admin_page
from aidsite.form_errors import service_error
from students.models import Term, Township
from subsidies.forms.donors import PairingForm
from subsidies.forms.shared import visible_townships
from subsidies.models import BatchKind, Donor, PaymentMethod
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
        request, "subsidies/donors/pairing_form.html", {"title": "登记结对资助", "form": form}
    )


class DonationBatchForm(forms.Form):
    term = forms.ModelChoiceField(
        label=_("学期"), queryset=Term.objects.select_related("school_year"), empty_label=None
    )
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[
            (BatchKind.DONATION_RECEIVED, "收款（资助方捐款入账）"),
            (BatchKind.DONATION_PAID, "发放（发给结对学生）"),
        ],
        widget=forms.RadioSelect,
    )
    donor = forms.ModelChoiceField(
        label=_("资助方（收款时可选）"), queryset=Donor.objects.none(), required=False
    )
    default_method = forms.ChoiceField(
        label=_("未登记收款账户的学生按"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.BANK_CARD,
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = visible_townships(user)
        self.fields["township"].initial = user_scope(user).township_id
        self.fields["donor"].queryset = scope_queryset(user, Donor.objects.all())


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
        request, "subsidies/donors/batch_prepare.html", {"title": "编制社会资助批次", "form": form}
    )
