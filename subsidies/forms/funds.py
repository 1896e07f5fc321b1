"""Forms of the funding quotas (资金指标): the report's picker, its export, the allotment admin, the
approver's reason for a batch over its funds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aidsite.lib.money import format_yuan
from aidsite.lib.text import validate_free_text
from students.models import Township
from students.places import place_or_own
from subsidies.forms.ledgers import _TermForm
from subsidies.forms.shared import required_reason, visible_townships
from subsidies.models import FundAllotment
from subsidies.selectors.funds import carry_available, funds_report_title


class FundsReportForm(_TermForm):
    """The report's selection: the term (opening on the latest with a batch), a policy, a township."""

    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=Township.objects.none(),
        required=False,
        empty_label=_("全部（我可见的）"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["township"].queryset = visible_townships(user)

    def title(self) -> str:
        data = self.cleaned_data
        township, _school = place_or_own(self.user, data.get("township"))
        return funds_report_title(term=data["term"], township=township, policy=data.get("policy"))


class FundsReportExportForm(FundsReportForm):
    def parameters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "term": data["term"].pk,
            "policy": data["policy"].pk if data.get("policy") else None,
            "township": data["township"].pk if data.get("township") else None,
        }


class OverAllotmentForm(forms.Form):
    """The approver's explicit confirmation of a batch over its funds: the reason, kept in the ledger log."""

    over_reason = forms.CharField(
        label=_("超指标审核理由"),
        max_length=200,
        validators=[validate_free_text],
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def clean_over_reason(self) -> str:
        return required_reason(
            self.cleaned_data["over_reason"], _("本批次超出资金指标，审核须写明理由。")
        )


class FundAllotmentAdminForm(forms.ModelForm):
    """The allotment as the county enters it; a carry-over takes no more than its source has left."""

    class Meta:
        model = FundAllotment
        fields = (
            "term", "policy", "township", "school", "amount", "document_number", "issued_on", "carried_from", "note"
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source, amount = data.get("carried_from"), data.get("amount")
        if source is not None and amount is not None and not self.errors:
            left = carry_available(source, excluding=self.instance)
            if amount > left:
                self.add_error(
                    "amount",
                    _("结转金额超过原指标的结余（%(left)s 元）。")
                    % {"left": format_yuan(max(left, 0))},
                )
        return data
