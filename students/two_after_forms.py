"""Forms of the 两后生 page (/dropouts/two-after/): the year and township in view, an offer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidsite.lib.text import validate_free_text
from students.dropout_forms import DropoutScopeForm
from students.models import OfferOutcome, School, SchoolYear, Stage, Township
from students.two_after import NOT_OFFERED, two_after_default_year

OUTCOME_FILTER = [("", _("全部")), (NOT_OFFERED, _("未告知")), *OfferOutcome.choices]


class TwoAfterScopeForm(DropoutScopeForm):
    """The year the students finished, the township (county-wide roles), the outcome; always bound."""

    outcome = forms.ChoiceField(label=_("告知结果"), choices=OUTCOME_FILTER, required=False)

    def __init__(self, data: Any, *, user: Any) -> None:
        if not data.get("year"):
            # The picker shows the year the list is for, not the newest year it offers.
            default = two_after_default_year()
            data = data.copy()
            data["year"] = default.pk if default is not None else ""
        super().__init__(data, user=user)
        del self.fields["village"]
        self.fields["year"].label = _("毕业学年")

    def two_after_selection(self) -> tuple[SchoolYear | None, Township | None, str]:
        """The year (by default the one that ended last), the township and the outcome asked for."""
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        year = data.get("year") or two_after_default_year()
        return year, self.fixed_township or data.get("township"), data.get("outcome") or ""


class OfferForm(forms.Form):
    """The vocational school's offer and what came of it."""

    vocational_school = forms.ModelChoiceField(
        label=_("职业学校"),
        queryset=School.objects.filter(stages__contains=Stage.VOCATIONAL)
        .select_related("township")
        .order_by("township__name", "name"),
        help_text=_("开设中职学段的学校，如县职业中专"),
    )
    offered_on = forms.DateField(
        label=_("告知日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        help_text=_("告知学生及家长可免费注册入学、免除学费的日期"),
    )
    outcome = forms.ChoiceField(label=_("结果"), choices=OfferOutcome.choices)
    note = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        validators=[validate_free_text],
        help_text=_("结果为“其他”时必填，如外出务工、参军、复读"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["vocational_school"]
        field.label_from_instance = lambda s: f"{s.township.name} {s.name}"
        if field.queryset.count() == 1:
            field.initial = field.queryset.first()
