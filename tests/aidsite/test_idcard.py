import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidsite.lib.idcard import (
    IdNumberError,
    check_id_number,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "360426199101010071"])
def test_it_accepts_the_standard_vectors(number):
    assert check_id_number(number).number == number


def test_it_rejects_a_bad_check_digit():
    with pytest.raises(IdNumberError, match="校验位"):
        check_id_number("110105194912310021")


def test_it_normalises_spaces_full_width_digits_and_lower_case_x():
    assert normalize_id_number(" １１０１０５ 19491231 002x ") == "11010519491231002X"
    assert is_valid_id_number("１１０１０５１９４９１２３１００２ｘ")


def test_it_derives_birth_date_and_sex():
    facts = check_id_number("11010519491231002X")
    assert facts.birth_date == dt.date(1949, 12, 31)
    assert facts.sex == "F"  # 17th digit 2 is even
    assert check_id_number("360426199101010071").sex == "M"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "18 位"),
        ("11010519491331002X", "出生日期不存在"),
        ("1101051949123100A2", "前 17 位"),
        ("110105209912310026", "晚于今天"),
    ],
)
def test_it_explains_what_is_wrong(number, message):
    with pytest.raises(IdNumberError, match=message):
        check_id_number(number)


VALID = ["11010519491231002X", "360426199101010071"]


@given(
    st.sampled_from(VALID),
    st.integers(min_value=0, max_value=17),
    st.integers(min_value=1, max_value=10),
)
def test_changing_any_one_digit_makes_a_valid_number_invalid(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    index = alphabet.index(number[position])
    replacement = alphabet[(index + shift) % len(alphabet)]
    if replacement == number[position]:
        return
    changed = number[:position] + replacement + number[position + 1 :]
    assert not is_valid_id_number(changed)


def test_masks_keep_only_the_edges():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"
