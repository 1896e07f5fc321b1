"""Free text on output: ID numbers and phones someone typed into it are masked (SECURITY D1).

`{{ visit.family_feedback|mask_personal:user|linebreaksbr }}` — full text only for a
user with the reveal permission; no user (a background job without one) means masked.
Masking happens on output only: the stored text is never changed.
"""

from __future__ import annotations

from typing import Any

from django import template

from aidsite.access import can_reveal_personal_data
from aidsite.logging import mask_text

register = template.Library()


def mask_free_text(value: Any, user: Any = None) -> Any:
    """`value` with ID- and phone-shaped substrings masked unless `user` may reveal them."""
    if value is None or value == "":
        return value
    if user is not None and getattr(user, "is_authenticated", False) and can_reveal_personal_data(user):
        return value
    # A plain str: never marked safe, so the template still escapes it.
    return mask_text(str.__str__(str(value)))


@register.filter
def mask_personal(value: Any, user: Any = None) -> Any:
    return mask_free_text(value, user)
