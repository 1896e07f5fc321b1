"""How pages write amounts, ratios, tiers and policy codes; loaded on every template
(`TEMPLATES` builtins), so no page formats them its own way.

    {{ total|yuan }}           1,825.50
    {{ policy.quota_ratio|percent }}   10%
    {{ entitlement.tier|tier }}        3档
    {{ policy.code|code_label }}       <small class="code">PRE-GRANT</small>
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.safestring import SafeString

from aidsite.lib.money import format_percent, format_yuan

register = template.Library()


@register.filter
def yuan(value: Decimal | int | str | None) -> str:
    return format_yuan(value)


@register.filter
def percent(value: Decimal | int | str | None) -> str:
    return format_percent(value)


@register.filter
def tier(value: int | str | None) -> str:
    return "" if value in (None, "") else f"{value}档"


@register.filter
def code_label(value: str | None) -> SafeString | str:
    """A code kept only as the small secondary label an auditor may need."""
    return format_html('<small class="code">{}</small>', value) if value else ""


@register.filter
def field_label(name: str, obj: object) -> str:
    """A model field's Chinese name (history lists name changed fields by attribute)."""
    try:
        return str(obj._meta.get_field(name).verbose_name)  # type: ignore[attr-defined]
    except (AttributeError, FieldDoesNotExist):
        return name


@register.filter
def person_name(user: object) -> str:
    """姓名 in Chinese order (姓 then 名), else the login name as it was typed."""
    name = f"{getattr(user, 'last_name', '')}{getattr(user, 'first_name', '')}".strip()
    return name or str(user.get_username())  # type: ignore[attr-defined]
