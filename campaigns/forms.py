"""The portal's forms. They only parse input; the services in this app validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.lib.text import validate_free_text, validate_name
from campaigns.models import (
    CardStep,
    Channel,
    ContactMode,
    PhaseKind,
    VisitAction,
)
from campaigns.photos import photo_errors


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos, each checked to be a real image within the size limit."""

    widget = MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(PhotosField, self).clean(f, initial) for f in files]
        cleaned = [f for f in cleaned if f]
        errors = photo_errors(cleaned)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChildChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # The name is enough to tell siblings apart; the ID number stays off the form.
        return obj.name


class VisitForm(forms.Form):
    children = ChildChoiceField(
        label=_("走访幼儿"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    visited_at = forms.DateTimeField(label=_("走访时间"), widget=_datetime_input())
    led_by = forms.CharField(validators=[validate_name], label=_("带队人"), max_length=30)
    participants = forms.CharField(validators=[validate_free_text],
        label=_("参加人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：全园教师、村扶贫专干王某"}),
    )
    actions = forms.MultipleChoiceField(
        label=_("走访内容"),
        choices=VisitAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_actions = forms.CharField(validators=[validate_free_text],
        label=_("其他内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    family_feedback = forms.CharField(validators=[validate_free_text],
        label=_("家长反映"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    teacher_evaluation = forms.CharField(validators=[validate_free_text],
        label=_("教师评语"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_needed = forms.BooleanField(label=_("需要跟进"), required=False)
    follow_up = forms.CharField(validators=[validate_free_text],
        label=_("跟进事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=_("照片"))

    def __init__(self, *args: Any, children_queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children_queryset

    def clean_visited_at(self) -> Any:
        visited_at = self.cleaned_data["visited_at"]
        if visited_at > timezone.now():
            raise forms.ValidationError(_("走访时间不能晚于现在，请填写实际走访的时间。"))
        return visited_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("follow_up_needed") and not (cleaned.get("follow_up") or "").strip():
            self.add_error("follow_up", _("需要跟进时请写明跟进事项。"))
        return cleaned


class ActivityForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("宣传活动"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("日期"), widget=_date_input())
    phase = forms.ChoiceField(label=_("阶段"), choices=PhaseKind.choices)
    channel = forms.ChoiceField(label=_("宣传形式"), choices=Channel.choices)
    audience = forms.CharField(validators=[validate_name],
        label=_("对象"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：全体家长、全园教师"}),
    )
    reach = forms.IntegerField(
        label=_("覆盖人数"),
        min_value=1,
        max_value=100000,
        help_text=_("参加或收到这次宣传的人数"),
        error_messages={
            "required": _("请填写覆盖人数（参加或收到宣传的人数，至少 1 人）。"),
            "min_value": _("请填写覆盖人数（参加或收到宣传的人数，至少 1 人）。"),
            "invalid": _("覆盖人数请填写整数。"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "如：45"}),
    )
    notes = forms.CharField(
        validators=[validate_free_text],
        label=_("活动内容"),
        error_messages={"required": _("请填写活动内容，如宣传了哪些政策、怎样宣传的。")},
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：召开家长会，讲解学前教育资助政策和申请办法"}),
    )
    photos = PhotosField(label=_("照片"))

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class SummaryForm(forms.Form):
    text = forms.CharField(validators=[validate_free_text], label=_("活动总结"), widget=forms.Textarea(attrs={"rows": 10}))


class CardStepForm(forms.Form):
    step = forms.ChoiceField(choices=CardStep.choices)
    by = forms.CharField(validators=[validate_name], label=_("经办人"), max_length=30)
    on = forms.DateField(label=_("日期"), widget=_date_input())


class ContactForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=_date_input())
    teacher = forms.CharField(validators=[validate_name], label=_("教师"), max_length=30)
    mode = forms.ChoiceField(label=_("方式"), choices=ContactMode.choices)
    content = forms.CharField(validators=[validate_free_text], label=_("帮扶内容"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(validators=[validate_free_text],
        label=_("效果"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
