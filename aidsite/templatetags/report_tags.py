"""Filters for print templates: amounts in figures and in capital numerals."""

from __future__ import annotations

from decimal import Decimal

from django import template

from aidsite.lib.money import amount_in_words as _amount_in_words
from aidsite.templatetags.display import yuan

register = template.Library()


@register.filter
def amount_in_words(value: Decimal | int | str | None) -> str:
    """{{ total|amount_in_words }} → 壹仟零壹元整"""
    if value is None or value == "":
        return ""
    return _amount_in_words(value)


# Print templates load `yuan` from here as well; it is the pages' one money format.
register.filter("yuan", yuan)
