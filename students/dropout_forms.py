"""Forms of the 控辍保学 pages (/dropouts/): the year and place in view, a contact, a closing.

Township staff never choose a township (theirs is fixed); county-wide roles may pick one
or leave it for the whole county. Villages are those of the chosen township.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset, user_scope
from aidsite.lib.text import validate_free_text
from students.models import (
    ContactMode,
    DropoutOutcome,
    School,
    SchoolYear,
    Stage,
    Township,
    Village,
)
from students.omissions import current_school_year

LISTS = (("dropouts", _("疑似失学辍学")), ("preschool", _("适龄未入园")))
COMPULSORY_STAGES = [
    (Stage.PRIMARY.value, Stage.PRIMARY.label),
    (Stage.JUNIOR.value, Stage.JUNIOR.label),
    (Stage.SPECIAL.value, Stage.SPECIAL.label),
]


class DropoutScopeForm(forms.Form):
    """The school year, township (county-wide roles) and village a list is about; always bound."""

    year = forms.ModelChoiceField(
        label=_("学年"), queryset=SchoolYear.objects.all(), empty_label=None, required=False
    )
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False, empty_label=_("全县")
    )
    village = forms.ModelChoiceField(
        label=_("村（社区）"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("全部"),
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        scope = user_scope(user)
        self.fixed_township = (
            Township.objects.filter(pk=scope.township_id).first() if not scope.everything else None
        )
        if self.fixed_township is not None:
            del self.fields["township"]
        else:
            self.fields["township"].queryset = scope_queryset(user, Township.objects.all())
        township = self._chosen_township()
        villages = scope_queryset(user, Village.objects.select_related("township"))
        if township is not None:
            villages = villages.filter(township=township)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda v: (
            v.name if township is not None else str(v)
        )

    def _chosen_township(self) -> Township | None:
        if self.fixed_township is not None:
            return self.fixed_township
        field = self.fields["township"]
        try:
            return field.clean(self.data.get("township"))
        except forms.ValidationError:
            return None

    def selection(self) -> tuple[SchoolYear | None, Township | None, Village | None]:
        """The year (the current one by default), township and village asked for, if valid."""
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        year = data.get("year") or current_school_year()
        township = self.fixed_township or data.get("township")
        return year, township, data.get("village")


class ContactForm(forms.Form):
    """One contact of the follow-up (劝返记录)."""

    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    by = forms.CharField(
        label=_("联系人"), max_length=30, help_text=_("上门或联系的工作人员、教师")
    )
    mode = forms.ChoiceField(label=_("方式"), choices=ContactMode.choices)
    content = forms.CharField(
        label=_("情况"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        validators=[validate_free_text],
        help_text=_("未入学原因、家长意见、约定事项"),
    )
    responsible = forms.CharField(
        label=_("责任人"),
        max_length=30,
        required=False,
        help_text=_("包保责任人（如村干部、教师）；留空则不变"),
    )


class CloseForm(forms.Form):
    """The outcome that closes a case, its date and evidence, and what the outcome needs."""

    outcome = forms.ChoiceField(
        label=_("结果"), choices=[("", "---------"), *DropoutOutcome.choices]
    )
    outcome_date = forms.DateField(
        label=_("结果日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    evidence = forms.CharField(
        label=_("佐证说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        validators=[validate_free_text],
        help_text=_("如返校证明、外地学校就读证明、医院诊断、户籍迁出证明"),
    )
    school = forms.ModelChoiceField(
        label=_("返校学校"),
        queryset=School.objects.select_related("township"),
        required=False,
        help_text=_("已返校时选择：保存后即在该校建立本学年在读学籍"),
    )
    stage = forms.ChoiceField(
        label=_("学段"), choices=[("", "---------"), *COMPULSORY_STAGES], required=False
    )
    grade = forms.CharField(label=_("年级"), max_length=20, required=False)
    elsewhere_school = forms.CharField(
        label=_("就读学校"), max_length=60, required=False, help_text=_("外地就读时填写")
    )
    elsewhere_place = forms.CharField(
        label=_("就读地"),
        max_length=60,
        required=False,
        help_text=_("外地就读时填写，如某省某市某县"),
    )

    def __init__(self, *args: Any, expected_stage: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        field.queryset = field.queryset.filter(
            Q(stages__contains=Stage.PRIMARY)
            | Q(stages__contains=Stage.JUNIOR)
            | Q(stages__contains=Stage.SPECIAL)
        ).order_by("township__name", "name")
        field.label_from_instance = lambda s: f"{s.township.name} {s.name}"
        if expected_stage:
            self.fields["stage"].initial = expected_stage
