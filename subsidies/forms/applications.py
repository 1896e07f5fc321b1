"""Forms of the application pages (/aid/applications/): the list's filters, a new application,
its evidence, the township's 初审 and the county's 审核. Choices are scoped to the user and
show policy names, never codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.idcard import normalize_id_number
from aidsite.lib.text import validate_free_text
from students.models import HouseholdMember, SchoolYear, Student, Term, Township
from subsidies.forms.aid import ListFilterForm
from subsidies.forms.shared import visible_townships
from subsidies.models import ApplicationStatus, DegreeLevel, EvidenceKind, Policy
from subsidies.models.applications import validate_evidence
from subsidies.selectors.application_lists import (
    application_policies,
    application_years,
    default_application_year,
)
from subsidies.selectors.applications import applicant_find


class PolicyNameField(forms.ModelChoiceField):
    """A policy chosen by its name (资助项目名称); the code is no label."""

    def label_from_instance(self, obj: Policy) -> str:
        return obj.name


def _selected_year(data: Any) -> SchoolYear | None:
    raw = str((data or {}).get("year") or "")
    if raw.isdigit():
        found = application_years().filter(pk=int(raw)).first()
        if found is not None:
            return found
    return default_application_year()


class ApplicationFilterForm(forms.Form):
    """资助申请 filters: school year, policy, status, township (county-wide roles), name or ID number."""

    year = forms.ModelChoiceField(
        label=_("学年"), queryset=SchoolYear.objects.none(), empty_label=None
    )
    policy = PolicyNameField(
        label=_("资助项目"),
        queryset=Policy.objects.none(),
        required=False,
        empty_label=_("全部项目"),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ApplicationStatus.choices]
    )
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全县")
    )
    q = ListFilterForm.base_fields["q"]

    def __init__(self, data: Any = None, *, user: Any) -> None:
        data = data.copy() if data is not None else {}
        self.user = user
        self.school_year = _selected_year(data)
        if self.school_year is not None and not data.get("year"):
            data["year"] = str(self.school_year.pk)
        super().__init__(data)
        self.fields["year"].queryset = application_years()
        self.fields["policy"].queryset = application_policies(self.school_year)
        if user_scope(user).township_id is not None:
            del self.fields["township"]
        else:
            self.fields["township"].queryset = visible_townships(user)

    # The search box takes a name, the last digits or the full number, as on 资助名单.
    clean_q = ListFilterForm.clean_q
    search = ListFilterForm.search

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `application_list` (the year alone when the filters are invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        policy = data.get("policy")
        return {
            "policy_id": policy.pk if policy else None,
            "status": data.get("status") or None,
            "township": data.get("township"),
            **self.search(),
        }


def _partner_choices(policies: Any) -> list[tuple[str, str]]:
    names: list[str] = []
    for policy in policies:
        names += [n for n in policy.partner_list if n not in names]
    return [("", "—")] + [(n, n) for n in names]


class ApplicationForm(forms.Form):
    """录入资助申请: the applicant by ID number, the policy by name, what the policy needs."""

    id_number = forms.CharField(label=_("申请人身份证号"), max_length=30)
    policy = PolicyNameField(label=_("资助项目"), queryset=Policy.objects.none(), empty_label=None)
    term = forms.ModelChoiceField(
        label=_("学期"), queryset=Term.objects.none(), required=False, empty_label=None,
        help_text=_("保教费、学费减免按学期申请；大学生资助为一次性资助，不选学期。"),
    )  # fmt: skip
    amount_requested = forms.DecimalField(
        label=_("申请金额（元）"), max_digits=10, decimal_places=2, min_value=0
    )
    applied_on = forms.DateField(
        label=_("申请日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    college = forms.CharField(label=_("录取院校"), max_length=60, required=False)
    degree_level = forms.ChoiceField(
        label=_("学历层次"), required=False, choices=[("", "—"), *DegreeLevel.choices]
    )
    entry_year = forms.IntegerField(
        label=_("入学年份"), required=False, min_value=1990, max_value=2100
    )
    program_years = forms.IntegerField(
        label=_("学制（年）"), required=False, min_value=1, max_value=8
    )
    tuition_per_year = forms.DecimalField(
        label=_("学费（元/年）"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    accommodation_per_year = forms.DecimalField(
        label=_("住宿费（元/年）"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    partner = forms.ChoiceField(label=_("资助单位"), required=False)
    exception_reason = forms.CharField(
        label=_("破格受理理由"), max_length=200, required=False, validators=[validate_free_text],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("申请人不符合项目条件而确需受理时填写，审核人将看到此理由和不符合的条件。"),
    )  # fmt: skip

    COLLEGE_FIELDS = (
        "college", "degree_level", "entry_year", "program_years", "tuition_per_year", "accommodation_per_year",
    )  # fmt: skip

    def __init__(
        self, *args: Any, user: Any, school_year: SchoolYear | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.school_year = school_year
        policies = application_policies(school_year).prefetch_related("categories")
        self.fields["policy"].queryset = policies
        self.fields["term"].queryset = Term.objects.filter(school_year=school_year).order_by(
            "start_date"
        )
        self.fields["partner"].choices = _partner_choices(policies)
        self.fields["applied_on"].initial = timezone.localdate()
        self.applicant: Student | HouseholdMember | None = None

    def policy_options(self) -> list[dict[str, Any]]:
        """What the page's script needs of each policy: college fields, partners, a term."""
        return [
            {"pk": p.pk, "college": p.is_one_off, "partners": p.partner_list}
            for p in self.fields["policy"].queryset
        ]

    def clean_id_number(self) -> str:
        number = normalize_id_number(self.cleaned_data["id_number"])
        holder = applicant_find(number)
        # Someone outside the user's township reads as not found: the page discloses no one.
        if (
            holder is None
            or not scope_queryset(self.user, type(holder).objects.filter(pk=holder.pk)).exists()
        ):
            raise forms.ValidationError(
                _(
                    "登记系统中没有此身份证号（或不在本乡镇）。请先在学生或家庭成员名册中登记申请人。"
                )
            )
        self.applicant = holder
        return number

    def clean_applied_on(self) -> dt.date:
        day = self.cleaned_data["applied_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("申请日期不能晚于今天。"))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        policy = data.get("policy")
        if policy is not None and not policy.is_one_off and data.get("term") is None:
            self.add_error("term", _("请选择申请的学期。"))
        if policy is not None and policy.is_one_off:
            data["term"] = None
        return data


class EvidenceForm(forms.Form):
    """One file of evidence with its kind (录取通知书, 特困证明, 收费票据…): a photo, scan or PDF."""

    kind = forms.ChoiceField(
        label=_("材料类别"), choices=[("", "—"), *EvidenceKind.choices], required=False
    )
    file = forms.FileField(
        label=_("文件"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,application/pdf"}),
    )  # fmt: skip

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            validate_evidence(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("file") and not data.get("kind"):
            self.add_error("kind", _("请选择材料类别。"))
        return data


EvidenceFormSet = forms.formset_factory(EvidenceForm, extra=3, max_num=6)


def evidence_items(formset: Any) -> list[tuple[str, Any]]:
    """(kind, file) of each filled row of a valid formset."""
    return [
        (f.cleaned_data["kind"], f.cleaned_data["file"])
        for f in formset
        if f.cleaned_data.get("file")
    ]


class CheckForm(forms.Form):
    """初审 (township): pass to the county, or refuse with the reason."""

    passed = forms.TypedChoiceField(
        choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(
        label=_("初审意见"), max_length=200, required=False, validators=[validate_free_text],
        widget=forms.TextInput(attrs={"size": 50}),
    )  # fmt: skip


class DecideForm(forms.Form):
    """审核 (county): approve (the amount defaults to the rules' amount) or refuse with the reason."""

    approve = forms.TypedChoiceField(
        choices=[("1", "批准"), ("0", "不予批准")], coerce=lambda v: v == "1"
    )
    amount = forms.DecimalField(
        label=_("批准金额（元）"), required=False, max_digits=10, decimal_places=2, min_value=0
    )
    decision_reason = forms.CharField(
        label=_("审核意见"), max_length=200, required=False, validators=[validate_free_text],
        widget=forms.TextInput(attrs={"size": 50}), help_text=_("不予批准须写明理由。"),
    )  # fmt: skip
