"""Forms of the donor pages: the pairing form (each shape in one form), the 社会资助 batch, the donor statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.text import validate_free_text
from students.models import SchoolYear, Student, Term, Township
from subsidies.forms.shared import visible_townships
from subsidies.models import MONEY, BatchKind, Donor, PairingShape, PaymentMethod
from subsidies.reports.donor_statement import donor_statement_title


class PairingForm(forms.Form):
    """登记结对资助: the shape, then the donors (several only for 多对一) and the students
    (several only for 一对多), chosen from the township's donors and enrolled students."""

    township = forms.ModelChoiceField(label=_("乡镇"), queryset=None)
    shape = forms.ChoiceField(
        label=_("结对方式"), choices=PairingShape.choices, widget=forms.RadioSelect
    )
    donors = forms.ModelMultipleChoiceField(
        label=_("资助方"),
        queryset=None,
        help_text=_("一对一、一对多选一个资助方；多对一选两个或以上。"),
    )
    students = forms.ModelMultipleChoiceField(
        label=_("受助学生"),
        queryset=None,
        help_text=_("一对一、多对一选一名学生；一对多选两名或以上。"),
    )
    from_year = forms.ModelChoiceField(label=_("起始学年"), queryset=SchoolYear.objects.all())
    to_year = forms.ModelChoiceField(label=_("截止学年"), queryset=SchoolYear.objects.all())
    amount = forms.DecimalField(
        label=_("每生每学期资助（元）"),
        min_value=Decimal("0.01"),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
    )
    shares = forms.CharField(
        label=_("各资助方出资（元，多对一）"),
        required=False,
        help_text=_("按所选资助方的顺序填写，用逗号分隔；留空则平均分摊。"),
    )
    note = forms.CharField(
        label=_("备注"), max_length=200, required=False, validators=[validate_free_text]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["township"].queryset = visible_townships(user)
        self.fields["donors"].queryset = scope_queryset(
            user, Donor.objects.select_related("township")
        )
        self.fields["students"].queryset = scope_queryset(user, Student.objects.all()).order_by(
            "name", "pk"
        )
        self.fields["students"].label_from_instance = lambda s: f"{s.name}（{s.masked_id_number}）"
        if self.fields["township"].queryset.count() == 1:
            self.fields["township"].initial = self.fields["township"].queryset.get()

    def clean_shares(self) -> list[Decimal | None]:
        raw = (self.cleaned_data.get("shares") or "").replace("，", ",").strip()
        if not raw:
            return []
        try:
            return [Decimal(part.strip()) for part in raw.split(",")]
        except ArithmeticError as exc:
            raise forms.ValidationError(_("出资金额应为数字，用逗号分隔。")) from exc

    def donor_shares(self) -> list[tuple[Donor, Decimal | None]]:
        donors = list(self.cleaned_data["donors"])
        shares = self.cleaned_data.get("shares") or []
        if shares and len(shares) != len(donors):
            raise forms.ValidationError(_("出资金额的个数应与所选资助方的个数相同。"))
        return list(zip(donors, shares or [None] * len(donors), strict=True))


class DonationBatchForm(forms.Form):
    """编制社会资助批次: the term and township, money received (from donors) or paid (to students)."""

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


class DonorStatementForm(forms.Form):
    """资助方捐赠明细 in the export centre: the donor, optionally one school year, an optional letter."""

    donor = forms.ModelChoiceField(label=_("资助方"), queryset=None)
    school_year = forms.ModelChoiceField(
        label=_("学年"),
        queryset=SchoolYear.objects.all(),
        required=False,
        empty_label=_("全部学年"),
    )
    letter = forms.CharField(
        label=_("感谢信（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_free_text],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["donor"].queryset = scope_queryset(
            user, Donor.objects.select_related("township")
        )

    def parameters(self) -> dict[str, Any]:
        year = self.cleaned_data.get("school_year")
        return {
            "donor": self.cleaned_data["donor"].pk,
            "school_year": year.pk if year else None,
            "letter": self.cleaned_data.get("letter", ""),
        }

    def title(self) -> str:
        return donor_statement_title(
            self.cleaned_data["donor"], self.cleaned_data.get("school_year")
        )
