"""Forms of the loan pages (/aid/loans/): the list's filters, the contract, a disbursement, a
recorded status. The services check everything again; these only parse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aidsite.access import user_scope
from aidsite.lib.text import validate_free_text
from students.models import SchoolYear, Township
from subsidies.forms.shared import visible_townships
from subsidies.selectors.loans import LIST_STATUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoanFilterForm(forms.Form):
    """学年 (of the application), status on today, and township (the county administrator's choice)."""

    school_year = forms.ModelChoiceField(
        label=_("申请学年"),
        queryset=SchoolYear.objects.none(),
        required=False,
        empty_label=_("全部学年"),
    )
    status = forms.ChoiceField(label=_("贷款状态"), required=False)
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全县")
    )

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["school_year"].queryset = SchoolYear.objects.order_by("-start_year")
        self.fields["status"].choices = [
            ("", _("全部状态")),
            *[(s.value, s.label) for s in LIST_STATUSES],
        ]
        scope = user_scope(user)
        self.fixed_township = (
            Township.objects.get(pk=scope.township_id) if scope.township_id else None
        )
        if self.fixed_township is not None:
            del self.fields["township"]
        else:
            self.fields["township"].queryset = visible_townships(user)

    def selection(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "school_year": data.get("school_year"),
            "status": data.get("status") or "",
            "township": self.fixed_township or data.get("township"),
        }


class MustLendForm(LoanFilterForm):
    """应贷尽贷: one school year (the latest unless chosen) and the township."""

    def __init__(self, data: Any = None, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, user=user, **kwargs)
        del self.fields["status"]
        field = self.fields["school_year"]
        field.empty_label, field.label = None, _("学年")

    def selection(self) -> dict[str, Any]:
        chosen = super().selection()
        if chosen["school_year"] is None:
            chosen["school_year"] = self.fields["school_year"].queryset.first()
        return chosen


class ContractForm(forms.Form):
    """签约: the bank's contract. The grace period is the policy's; the rate defaults to the policy's."""

    bank = forms.CharField(label=_("经办银行"), max_length=40)
    contract_number = forms.CharField(label=_("合同编号"), max_length=40)
    signed_on = forms.DateField(label=_("签约日期"), widget=DATE)
    amount_per_year = forms.DecimalField(
        label=_("每年贷款金额（元）"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    term_years = forms.IntegerField(label=_("贷款期限（年）"), min_value=1, max_value=30)
    rate_percent = forms.DecimalField(
        label=_("年利率（%）"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        help_text=_("如 4.35；留空按资助项目设定的贷款年利率。"),
    )

    def rate(self) -> Decimal | None:
        percent = self.cleaned_data.get("rate_percent")
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))


class DisbursementForm(forms.Form):
    """已放款: one year of study's payment by the bank."""

    year_of_study = forms.TypedChoiceField(label=_("学年"), coerce=int)
    amount = forms.DecimalField(
        label=_("放款金额（元）"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    disbursed_on = forms.DateField(label=_("放款日期"), widget=DATE)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year_of_study"].choices = [(n, f"第{n}学年") for n in years]


class LoanStatusForm(forms.Form):
    """逾期, 逾期已处理 or 已结清, as the bank reports it."""

    ACTIONS = (
        ("overdue", _("登记逾期")),
        ("overdue_clear", _("逾期已处理")),
        ("settle", _("登记结清")),
    )
    status_action = forms.ChoiceField(label=_("登记"), choices=ACTIONS)
    note = forms.CharField(
        label=_("说明"), max_length=80, required=False, validators=[validate_free_text]
    )
