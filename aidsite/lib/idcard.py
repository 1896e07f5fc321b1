"""Resident ID numbers (公民身份号码, GB 11643-1999) and masking of personal data.

The check digit is ISO 7064 MOD 11-2, computed by python-stdnum. The region
code is deliberately not checked against a table: county codes are renamed
and merged, and a child born before a merge keeps the old code for life.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from stdnum.cn import ric

ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_WHITESPACE = re.compile(r"\s+")


class IdNumberError(ValueError):
    """An ID number that cannot belong to anyone; the message is shown to users."""


@dataclass(frozen=True)
class IdCardFacts:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F", the codes the registry stores

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def normalize_id_number(raw: object) -> str:
    """Full-width digits to ASCII (NFKC), spaces of every kind removed, x upper-cased."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else ""))
    return _WHITESPACE.sub("", text).upper()


def check_id_number(raw: object, *, today: dt.date | None = None) -> IdCardFacts:
    """Return the facts an ID number carries, or raise IdNumberError saying what is wrong."""
    number = normalize_id_number(raw)
    if not number:
        raise IdNumberError("身份证号为空")
    if "\x00" in number:
        raise IdNumberError("身份证号含有非法字符")
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为 18 位，实为 {len(number)} 位")
    if not ID_PATTERN.match(number):
        raise IdNumberError("身份证号前 17 位应为数字，末位为数字或 X")
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdNumberError("身份证号中的出生日期不存在") from exc
    today = today or dt.date.today()
    if birth_date > today:
        raise IdNumberError("身份证号中的出生日期晚于今天")
    if birth_date.year < 1900:
        raise IdNumberError("身份证号中的出生日期不合理")
    if ric.calc_check_digit(number) != number[-1]:
        raise IdNumberError("身份证号校验位错误")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdCardFacts(number=number, birth_date=birth_date, sex=sex)


def is_valid_id_number(raw: object) -> bool:
    try:
        check_id_number(raw)
    except IdNumberError:
        return False
    return True


def validate_id_number(value: str) -> None:
    """Django validator: the stored value must already be normalised and valid."""
    try:
        facts = check_id_number(value)
    except IdNumberError as exc:
        raise ValidationError(str(exc), code="invalid_id_number") from exc
    if facts.number != value:
        raise ValidationError("身份证号格式未规范化", code="invalid_id_number")


def complete_id_number(first17: str) -> str:
    """The full 18-character number for 17 digits (used by the demo generator)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def mask_id_number(number: str | None) -> str:
    """`3708**********123X`: the region prefix and the last four stay visible."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    """`138****5678`; a landline (7 to 10 digits) keeps only its last two, so that at least
    half of it is always hidden; anything shorter is hidden whole."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    if len(phone) < 11:
        return "*" * (len(phone) - 2) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(account: str | None) -> str:
    """Bank accounts keep their last four digits."""
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:]
