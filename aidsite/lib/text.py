"""What typed text may hold: the one control-character rule every floor uses (SECURITY B4, B5).

The importer, the models' validators and the forms share it, so a name refused
in a workbook is refused in the admin and the portal too. PostgreSQL rejects
NUL outright, and openpyxl refuses to write any C0 control character, so one
stored character would otherwise break every export that holds the row.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls and DEL, but tab and line breaks, which free text may hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def has_control_characters(text: str, *, line_breaks: bool = True) -> bool:
    """NUL and other control characters; tab and line breaks count only when `line_breaks` is False."""
    if _CONTROL.search(text) is not None:
        return True
    return not line_breaks and _LINE_BREAKS.search(text) is not None


def validate_name(value: str) -> None:
    """Names and other one-line text (姓名、学校、村名、年级…): no control character, not even a line break."""
    if has_control_characters(value, line_breaks=False):
        raise ValidationError(
            _("不能含有换行、制表符或其他不可见的控制字符（如 NUL），请删除后重新填写。"),
            code="control_characters",
        )


def validate_free_text(value: str) -> None:
    """Free text (备注、家长反映…): line breaks and tabs are fine, other control characters are not."""
    if has_control_characters(value):
        raise ValidationError(
            _("含有不可见的控制字符（如 NUL），请删除后重新填写。"), code="control_characters"
        )


def printable(text: str) -> str:
    """`text` with each control character (but tab and line breaks) shown as �, for writers.

    Rows stored before the validators existed, or written by raw SQL, must still
    export: a spreadsheet cannot hold these characters, and a replacement mark
    shows the reader where one was.
    """
    return _CONTROL.sub(REPLACEMENT, text)
