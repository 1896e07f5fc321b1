"""The policy form in words people use: 学段 as ticks, ratios as percentages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from aidsite.lib.money import format_percent

HUNDRED = Decimal(100)


class PercentField(forms.DecimalField):
    """A ratio stored as 0.1000, shown and typed as 10 (per cent)."""

    def __init__(self, **kwargs: Any) -> None:
        for key in ("max_digits", "decimal_places", "max_value", "min_value"):
            kwargs.pop(key, None)
        super().__init__(min_value=Decimal(0), max_value=HUNDRED, decimal_places=2, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_percent(value).rstrip("%")
        return value

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        return None if percent is None else (percent / HUNDRED).quantize(Decimal("0.0001"))

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.clean(data) != initial
        except ValidationError:
            return True


def percent_formfield(db_field: Any, help_text: str) -> PercentField:
    return PercentField(
        required=not db_field.blank, label=f"{db_field.verbose_name}（%）", help_text=help_text
    )


RATIO_HELP = {
    "quota_ratio": "填百分数，如 10 表示 10%；留空为不限名额。",
    "floor_ratio": "填百分数；不低于该比例，低于时提示，不自动增补。",
    "loan_rate": "填百分数，如 4.3 表示年利率 4.3%；签订贷款合同时带入，可在合同中修改。",
}
