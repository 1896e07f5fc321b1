"""The form of the page that opens a school year (开设学年) with last year's policies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from students.models import SchoolYear
from students.school_years import current_school_year_name
from subsidies.selectors import years_with_policies


def _next_name(name: str) -> str:
    start = int(name[:4]) + 1
    return f"{start}-{start + 1}"


def openable_years() -> list[str]:
    """School years that could be opened: those without policies, this calendar year and the next, latest first."""
    current = current_school_year_name()
    names = set(SchoolYear.objects.values_list("name", flat=True)) | {current, _next_name(current)}
    names -= set(years_with_policies().values_list("name", flat=True))
    return sorted(names, reverse=True)


class OpenYearForm(forms.Form):
    year = forms.ChoiceField(
        label=_("学年"), error_messages={"invalid_choice": _("该学年已有资助项目或不能开设。")}
    )
    # Where the preview said the policies come from: confirming after it changed is refused.
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = openable_years()
        self.fields["year"].choices = [(name, f"{name}学年") for name in years]
        if not self.initial.get("year"):
            current = current_school_year_name()
            self.initial["year"] = current if current in years else (years[-1] if years else None)
