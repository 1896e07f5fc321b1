"""What the subsidies forms share: the term and township choices, the check that a reason is written."""

from __future__ import annotations

from typing import Any

from django import forms

from aidsite.access import scope_queryset
from students.models import Term, Township


def terms() -> Any:
    """Every term, the latest school year first: the term choices of every page."""
    return Term.objects.select_related("school_year").order_by("-school_year__start_year", "season")


def required_reason(value: str | None, message: Any) -> str:
    """`value` stripped; blank (spaces only) is refused with `message`."""
    reason = (value or "").strip()
    if not reason:
        raise forms.ValidationError(message)
    return reason


def visible_townships(user: Any) -> Any:
    """The townships `user` may choose, by name."""
    return scope_queryset(user, Township.objects.order_by("name"))
