"""Form fields shared by the registry's and the policies' admin forms."""

from __future__ import annotations

from typing import Any

from django import forms

from students.models import Stage


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        return [code for code in value.split(",") if code]
    return list(value or [])


class StagesField(forms.MultipleChoiceField):
    """学段 as ticks with their Chinese names, stored as the comma-separated codes of `Stage`.

    A school's and a policy's `stages` are text columns; typed by hand they showed
    (and took) raw codes such as `kindergarten`.
    """

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=Stage.choices, **kwargs)

    def prepare_value(self, value: Any) -> list[str]:
        return _codes(value)

    def clean(self, value: Any) -> str:
        chosen = set(super().clean(value))
        return ",".join(code for code in Stage.values if code in chosen)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return set(_codes(initial)) != set(_codes(data))


def stages_formfield(db_field: Any) -> StagesField:
    return StagesField(
        required=not db_field.blank, label=db_field.verbose_name, help_text=db_field.help_text
    )
