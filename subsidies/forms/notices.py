"""Forms of the notice pages (公示); school choices are scoped to the user."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.text import validate_free_text, validate_name
from students.models import School, Term, Township
from subsidies.forms.shared import PolicyOfTermForm, policies, required_reason, terms
from subsidies.models import AWARDED_STATUSES, Entitlement, Policy
from subsidies.selectors import TermData, default_term
from subsidies.services.notices import (
    DEFAULT_PERIOD_DAYS,
    MAX_PERIOD_DAYS,
    MIN_PERIOD_DAYS,
    default_objection_contact,
)


class SchoolChoiceField(forms.ModelChoiceField):
    # County staff choose among every township's schools: the label says which township.
    show_township = False

    def label_from_instance(self, obj: School) -> str:
        return f"{obj.township.name} · {obj.name}" if self.show_township else obj.name


class NoticeForm(PolicyOfTermForm):
    term = forms.ModelChoiceField(label=_("学期"), queryset=Term.objects.none(), empty_label=None)
    school = SchoolChoiceField(label=_("学校（幼儿园）"), queryset=School.objects.none(), empty_label=_("请选择"))
    policy = forms.ModelChoiceField(
        label=_("资助项目"), queryset=Policy.objects.none(), empty_label=_("请选择"),
        help_text=_("须属于所选学期的学年；按申请办理的项目在批准后列入。"),
    )
    start_date = forms.DateField(
        label=_("公示开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_days = forms.IntegerField(
        label=_("公示期（工作日）"), min_value=MIN_PERIOD_DAYS, max_value=MAX_PERIOD_DAYS,
        initial=DEFAULT_PERIOD_DAYS, widget=forms.NumberInput(attrs={"style": "width: 5em"}),
        help_text=_("不少于 5 个工作日（教财〔2018〕16号），周六、周日不计；跨法定节假日请相应延长。"),
    )
    objection_contact = forms.CharField(validators=[validate_name],
        label=_("异议受理"), max_length=120, required=False, widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("公示期间群众反映意见的单位和电话。"),
    )
    issuing_unit = forms.CharField(validators=[validate_name],
        label=_("公示单位"), max_length=60, required=False, widget=forms.TextInput(attrs={"size": 40}),
        help_text=_("留空则为学校所在乡镇的教育办公室。"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scope = user_scope(user)
        self.fields["term"].queryset = terms()
        self.fields["term"].initial = default_term(actor=user, data=TermData.NOTICES)
        school_field = self.fields["school"]
        school_field.queryset = scope_queryset(
            user, School.objects.select_related("township").order_by("township__name", "name")
        )
        school_field.show_township = scope.everything
        self.fields["policy"].queryset = policies()
        self.fields["start_date"].initial = timezone.localdate()
        self.fields["objection_contact"].initial = default_objection_contact()
        if scope.township_id is not None:
            township = Township.objects.filter(pk=scope.township_id).first()
            if township is not None:
                self.fields["issuing_unit"].initial = township.office_name

    def choice_pairs(self) -> list[tuple[int, int, int]]:
        """(term, school, policy) that have a list to post, in the user's scope: the page's script
        lets school and policy choices filter each other by them (one query)."""
        listed = scope_queryset(
            self.user, Entitlement.objects.filter(status__in=AWARDED_STATUSES, amount__gt=0)
        )
        return list(listed.values_list("term_id", "enrollment__school_id", "policy_id").distinct().order_by())

    def clean_objection_contact(self) -> str:
        return self.cleaned_data["objection_contact"].strip()

    def clean_issuing_unit(self) -> str:
        return self.cleaned_data["issuing_unit"].strip()


class NoticeFilterForm(forms.Form):
    term = forms.ModelChoiceField(
        label=_("学期"), queryset=Term.objects.none(), required=False, empty_label=_("全部学期")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms()


class WithdrawForm(forms.Form):
    reason = forms.CharField(validators=[validate_free_text],
        label=_("撤回原因"), max_length=200, widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("如：名单有误，更正后重新公示。原因记入公示记录。"),
    )

    def clean_reason(self) -> str:
        return required_reason(self.cleaned_data["reason"], _("撤回公示须写明原因。"))
