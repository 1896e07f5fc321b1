"""What the subsidies forms share: the term, policy and township choices; a written reason; a policy of the term."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from aidsite.access import scope_queryset
from students.models import SchoolYear, Term, Township
from subsidies.models import LOCKED_STATUSES, Entitlement, Policy
from subsidies.selectors import year_has_policies


def terms() -> Any:
    """Every term, the latest school year first: the term choices of every page."""
    return Term.objects.select_related("school_year").order_by("-school_year__start_year", "season")


def policies() -> Any:
    """The policies a term's list computes, and those by application once an application was
    approved (their approved entitlements are paid and published like computed aid)."""
    granted = Entitlement.objects.filter(policy=OuterRef("pk"), status__in=LOCKED_STATUSES)
    return Policy.objects.select_related("school_year").filter(Q(by_application=False) | Exists(granted))


def required_reason(value: str | None, message: Any) -> str:
    """`value` stripped; blank (spaces only) is refused with `message`."""
    reason = (value or "").strip()
    if not reason:
        raise forms.ValidationError(message)
    return reason


def visible_townships(user: Any) -> Any:
    """The townships `user` may choose, by name."""
    return scope_queryset(user, Township.objects.order_by("name"))


def no_policies_message(school_year: SchoolYear) -> str:
    """What a page says of a school year nobody has given its policies yet."""
    return f"{school_year.name}学年尚未设置资助项目。"


def check_year_has_policies(form: forms.Form, field: str, school_year: SchoolYear | None) -> bool:
    """Refuse a school year without policies on `field` (its lists and files would be empty)."""
    if school_year is None or year_has_policies(school_year):
        return True
    form.add_error(field, no_policies_message(school_year))
    # The page shows the notice (with the link to open the year) in place of this field's error.
    form.year_without_policies = (field, school_year)  # type: ignore[attr-defined]
    return False


class PolicyOfTermForm(forms.Form):
    """A form with a `term` and a `policy`: the term's year has policies, the policy is one of them."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        term, policy = data.get("term"), data.get("policy")
        if term is not None and not check_year_has_policies(self, "term", term.school_year):
            return data
        if term is not None and policy is not None and policy.school_year_id != term.school_year_id:
            self.add_error("policy", _("该资助项目不属于所选学期的学年。"))
        return data
