"""Admin list columns written the way every page writes them (money, tiers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from aidsite.lib.money import format_yuan


def money_column(field: str, description: Any) -> Callable[[Any], str]:
    """A list column showing `field` as 1,825.50, sortable by it."""

    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> str:
        return format_yuan(getattr(obj, field))

    column.__name__ = f"{field}_yuan"
    return column


def tier_column(description: Any) -> Callable[[Any], str]:
    @admin.display(description=description, ordering="tier")
    def column(obj: Any) -> str:
        return f"{obj.tier}档" if obj.tier is not None else "—"

    column.__name__ = "tier_label"
    return column


class TierFilter(admin.SimpleListFilter):
    """档次 as 1档, 2档 … instead of bare numbers."""

    title = "档次"
    parameter_name = "tier"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tiers = model_admin.get_queryset(request).exclude(tier=None).values_list("tier", flat=True)
        return [(str(t), f"{t}档") for t in sorted(set(tiers))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(tier=self.value()) if self.value() else queryset
