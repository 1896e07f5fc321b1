"""`{{ visit.family_feedback|mask_personal:user|linebreaksbr }}` (SECURITY D1).

Full text only for a user with the reveal permission; no user (a background job
without one) means masked. Masking happens on output only.
"""

from __future__ import annotations

from typing import Any

from django import template

from aidsite.free_text import mask_free_text

register = template.Library()


@register.filter
def mask_personal(value: Any, user: Any = None) -> Any:
    return mask_free_text(value, user)
