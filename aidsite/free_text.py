"""ID numbers and phones typed into free text (a visit's 家长反映, notes, reasons): SECURITY D1.

Shown masked to a user without the reveal permission, in full to one with it; a full
view of text that holds such a number is a reveal and goes to the access log (D2),
as the reveal of an ID field does. The stored text is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aidsite.access import can_reveal_personal_data, log_access
from aidsite.logging import mask_text
from aidsite.models import AccessAction


def _may_reveal(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and can_reveal_personal_data(user)


def mask_free_text(value: Any, user: Any = None) -> Any:
    """`value` with ID- and phone-shaped substrings masked unless `user` may reveal them."""
    if value is None or value == "" or _may_reveal(user):
        return value
    # A plain str: never marked safe, so a template still escapes it.
    return mask_text(str.__str__(str(value)))


def free_text_reveal_log(*, user: Any, obj: Any, fields: Iterable[str], what: str) -> bool:
    """Log a reveal if `user` sees, in full, free text of `obj` that holds an ID or phone."""
    if not _may_reveal(user):
        return False
    revealed = [name for name in fields if (text := str(getattr(obj, name) or "")) != mask_text(text)]
    if not revealed:
        return False
    log_access(
        user=user,
        action=AccessAction.REVEAL,
        what=what,
        row_count=1,
        detail={"model": obj._meta.label_lower, "pk": obj.pk, "free_text": revealed},
    )
    return True
