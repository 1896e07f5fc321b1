from decimal import Decimal

import pytest

from aidsite.lib.money import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("1001"), "壹仟零壹元整"),
        (Decimal("1825.5"), "壹仟捌佰贰拾伍元伍角"),
        (Decimal("1825.50"), "壹仟捌佰贰拾伍元伍角"),
        (Decimal("0.05"), "伍分"),
        (Decimal("0"), "零元整"),
        (Decimal("10.05"), "壹拾元零伍分"),
        (Decimal("1010"), "壹仟零壹拾元整"),
        (Decimal("100010"), "壹拾万零壹拾元整"),
        (Decimal("3.14"), "叁元壹角肆分"),
        (Decimal("1000000.01"), "壹佰万元零壹分"),
        (2500, "贰仟伍佰元整"),
        ("625.00", "陆佰贰拾伍元整"),
    ],
)
def test_it_writes_amounts_in_capital_numerals(amount, words):
    assert amount_in_words(amount) == words


def test_it_rounds_half_up_to_the_fen():
    assert amount_in_words(Decimal("0.125")) == "壹角叁分"
    assert amount_in_words(Decimal("99.994")) == "玖拾玖元玖角玖分"


def test_it_refuses_floats_and_negative_amounts():
    with pytest.raises(TypeError):
        amount_in_words(1825.5)
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))
    with pytest.raises(ValueError):
        amount_in_words("abc")
