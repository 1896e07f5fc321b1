"""The omission report's export-centre form: the term and (optionally) the township, scoped to the user."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from students.models import Term, Township
from subsidies.exports.omissions import report_title
from subsidies.forms.shared import terms, visible_townships


class OmissionExportForm(forms.Form):
    term = forms.ModelChoiceField(label=_("学期"), queryset=Term.objects.none(), empty_label=None)
    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=Township.objects.none(),
        required=False,
        empty_label=_("全部（我可见的）"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms()
        self.fields["township"].queryset = visible_townships(user)

    def parameters(self) -> dict[str, Any]:
        township = self.cleaned_data.get("township")
        return {"term": self.cleaned_data["term"].pk, "township": township.pk if township else None}

    def title(self) -> str:
        return report_title(self.cleaned_data["term"], self.cleaned_data.get("township"))
