"""Forms of the ledger pages and of the ledger kinds in the export centre; choices are scoped to the user."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.text import validate_free_text
from students.models import School, SchoolYear, Term, Township
from students.places import place_or_own
from subsidies.exports.aid import export_title
from subsidies.forms.shared import (
    PolicyOfTermForm,
    check_year_has_policies,
    policies,
    required_reason,
    terms,
    visible_townships,
)
from subsidies.models import PaymentMethod, Policy
from subsidies.selectors import (
    LedgerFilter,
    TermData,
    conflicts_title,
    default_school_year,
    default_term,
    funds_title,
)


class _TermForm(PolicyOfTermForm):
    term = forms.ModelChoiceField(label=_("学期"), queryset=Term.objects.none(), empty_label=None)
    policy = forms.ModelChoiceField(
        label=_("资助项目"), queryset=Policy.objects.none(), required=False, empty_label=_("全部项目")
    )
    # Which terms hold data for the form: it opens on the latest of them (subsidies.selectors.terms).
    term_data = TermData.LEDGER

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["term"].queryset = terms()
        self.fields["policy"].queryset = policies()
        self.default_term = default_term(actor=user, data=self.term_data)
        self.fields["term"].initial = self.default_term


class BatchPrepareForm(_TermForm):
    term_data = TermData.PREPARE

    township = forms.ModelChoiceField(label=_("乡镇"), queryset=Township.objects.none(), empty_label=None)
    default_method = forms.ChoiceField(
        label=_("未登记收款账户的学生按"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.BANK_CARD,
        help_text=_("已登记收款账户的学生按其账户发放；选一卡通时，未登记账号的学生不编入批次并列出。"),
    )
    note = forms.CharField(validators=[validate_free_text], label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["policy"].required = True
        self.fields["policy"].empty_label = None
        if self.default_term is not None:
            # The default term's first policy, not the first of every year's.
            self.fields["policy"].initial = (
                policies().filter(school_year_id=self.default_term.school_year_id).order_by("order", "code").first()
            )
        self.fields["township"].queryset = visible_townships(user)
        scope = user_scope(user)
        if scope.township_id is not None:
            self.fields["township"].initial = scope.township_id


class ReverseForm(forms.Form):
    reason = forms.CharField(validators=[validate_free_text], label=_("冲销原因"), max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    reissue = forms.BooleanField(
        label=_("需重新发放"), required=False, initial=True,
        help_text=_("勾选后，该生的资助在下一批次中重新发放；不勾选则此项资助就此结束。"),
    )

    def clean_reason(self) -> str:
        return required_reason(self.cleaned_data["reason"], _("冲销须写明原因。"))


class BankUploadForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件过大。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("只接受 .xlsx 格式的 Excel 文件。"))
        return upload


class ConflictFilterForm(_TermForm):
    pass


class FundsFilterForm(forms.Form):
    school_year = forms.ModelChoiceField(label=_("学年"), queryset=SchoolYear.objects.all(), empty_label=None)
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全部（我可见的）")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["township"].queryset = visible_townships(user)
        self.default_year = default_school_year(actor=user, data=TermData.LEDGER)
        self.fields["school_year"].initial = self.default_year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_year_has_policies(self, "school_year", data.get("school_year"))
        return data


# ---------------------------------------------------------------------------
# Export centre forms: `parameters()` and `title()` as aidsite.export_jobs expects


class LedgerExportForm(_TermForm):
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全部（我可见的）")
    )
    school = forms.ModelChoiceField(
        label=_("学校"), queryset=School.objects.none(), required=False, empty_label=_("全部（我可见的）")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["township"].queryset = visible_townships(user)
        self.fields["school"].queryset = scope_queryset(user, School.objects.order_by("name"))

    def parameters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "term": data["term"].pk,
            "policy": data["policy"].pk if data.get("policy") else None,
            "township": data["township"].pk if data.get("township") else None,
            "school": data["school"].pk if data.get("school") else None,
        }

    def title(self) -> str:
        data = self.cleaned_data
        return LedgerFilter.for_actor(
            self.user, term=data["term"], township=data.get("township"), school=data.get("school"),
            policy=data.get("policy"),
        ).title()  # fmt: skip


class AidListExportForm(_TermForm):
    """资助名单 in the export centre: the term (opening on the one with a list), the township, the policy."""

    term_data = TermData.AID

    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全部（我可见的）")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["township"].queryset = visible_townships(user)

    def parameters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "term": data["term"].pk,
            "policy": data["policy"].code if data.get("policy") else None,
            "township": data["township"].pk if data.get("township") else None,
        }

    def title(self) -> str:
        data = self.cleaned_data
        policy = data.get("policy")
        township, _school = place_or_own(self.user, data.get("township"))
        return export_title(term=data["term"], township=township, policy_code=policy.code if policy else None)


class FundsExportForm(FundsFilterForm):
    def parameters(self) -> dict[str, Any]:
        township = self.cleaned_data.get("township")
        return {"school_year": self.cleaned_data["school_year"].pk, "township": township.pk if township else None}

    def title(self) -> str:
        township, _school = place_or_own(self.user, self.cleaned_data.get("township"))
        return funds_title(township, self.cleaned_data["school_year"])


class ConflictExportForm(_TermForm):
    def parameters(self) -> dict[str, Any]:
        policy = self.cleaned_data.get("policy")
        return {"term": self.cleaned_data["term"].pk, "policy": policy.pk if policy else None}

    def title(self) -> str:
        return conflicts_title(
            self.user, self.cleaned_data["term"], self.cleaned_data.get("policy")
        )
