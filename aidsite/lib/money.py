"""Money as it is written on Chinese financial forms.

Totals on notices, sign-off sheets and workbooks carry the amount in capital
numerals (大写金额) as well as in figures, the way 《会计基础工作规范》 asks
for on vouchers: 壹仟零壹元整, 壹仟捌佰贰拾伍元伍角. cn2an does the spelling;
this module fixes the rounding and refuses what cannot be an amount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

CENT = Decimal("0.01")


def amount_in_words(amount: Decimal | int | str) -> str:
    """Capital-numeral form of an amount in yuan, rounded half-up to the fen.

    Floats are refused: they are not money here, and `Decimal(0.1)` would
    silently carry a binary fraction.
    """
    if isinstance(amount, float | bool):
        raise TypeError("amount_in_words takes a Decimal, not a float")
    try:
        value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    if value < 0:
        # Corrections are separate reversal entries; a form never prints a
        # negative total in words.
        raise ValueError(f"negative amount: {value}")
    return cn2an.an2cn(format(value, "f"), "rmb")


def format_yuan(amount: Decimal | int | str | None) -> str:
    """The one way pages write an amount: 1,825.50 (thousands separated, two decimals)."""
    if amount is None or amount == "":
        return ""
    return f"{Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_percent(ratio: Decimal | int | str | None) -> str:
    """A ratio stored as 0.1000 as people write it: 10%, 12.5% (no trailing zeros)."""
    if ratio is None or ratio == "":
        return ""
    percent = (Decimal(ratio) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{percent:f}%"
