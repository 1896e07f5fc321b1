"""What the subsidies forms share: the term, policy and township choices; a written reason; a policy of the term."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from students.models import Term, Township
from subsidies.models import Policy


def terms() -> Any:
    """Every term, the latest school year first: the term choices of every page."""
    return Term.objects.select_related("school_year").order_by("-school_year__start_year", "season")


def policies() -> Any:
    """The policies a term's list computes (those by application are handled elsewhere)."""
    return Policy.objects.select_related("school_year").filter(by_application=False)


def required_reason(value: str | None, message: Any) -> str:
    """`value` stripped; blank (spaces only) is refused with `message`."""
    reason = (value or "").strip()
    if not reason:
        raise forms.ValidationError(message)
    return reason


def visible_townships(user: Any) -> Any:
    """The townships `user` may choose, by name."""
    return scope_queryset(user, Township.objects.order_by("name"))


class PolicyOfTermForm(forms.Form):
    """A form with a `term` and a `policy`: the policy must be one of the term's school year."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        term, policy = data.get("term"), data.get("policy")
        if term is not None and policy is not None and policy.school_year_id != term.school_year_id:
            self.add_error("policy", _("该资助项目不属于所选学期的学年。"))
        return data
