"""The ID check, masking and money formatting at their edges (what `make mutants` found unpinned)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aidsite.lib.idcard import (
    IdNumberError,
    check_id_number,
    complete_id_number,
    mask_account,
    mask_id_number,
    mask_phone,
    validate_id_number,
)
from aidsite.lib.money import amount_in_words, format_percent, format_yuan

NUMBER = "11010519491231002X"  # born 1949-12-31, a woman


def test_age_counts_a_birthday_only_once_it_has_come():
    facts = check_id_number(NUMBER)
    assert facts.age_on(dt.date(2022, 12, 30)) == 72
    assert facts.age_on(dt.date(2022, 12, 31)) == 73
    assert facts.age_on(dt.date(2023, 1, 1)) == 73


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "身份证号为空"),
        (None, "身份证号为空"),
        ("11010519491231\x00002", "身份证号含有非法字符"),
        ("1101051949123100", "身份证号应为 18 位，实为 16 位"),
        ("110105189912310023", "身份证号中的出生日期不合理"),
        ("1101051949123100A2", "身份证号前 17 位应为数字，末位为数字或 X"),
        ("11010519491331002X", "身份证号中的出生日期不存在"),
        ("110105209912310026", "身份证号中的出生日期晚于今天"),
    ],
)
def test_each_refusal_says_what_is_wrong(raw, message):
    with pytest.raises(IdNumberError) as refused:
        check_id_number(raw)
    assert str(refused.value) == message


def test_the_year_1900_is_the_earliest_accepted():
    assert check_id_number(complete_id_number("11010519000101002")).birth_date == dt.date(
        1900, 1, 1
    )


@pytest.mark.parametrize(
    ("digit", "sex"), [("1", "M"), ("2", "F"), ("4", "F"), ("7", "M"), ("8", "F"), ("9", "M")]
)
def test_the_seventeenth_digit_odd_is_a_man_even_a_woman(digit, sex):
    assert check_id_number(complete_id_number(f"1101051949123100{digit}")).sex == sex


def test_a_child_born_today_is_accepted_and_one_born_tomorrow_is_not():
    birthday = dt.date(1949, 12, 31)
    assert check_id_number(NUMBER, today=birthday).birth_date == birthday
    with pytest.raises(IdNumberError, match="晚于今天"):
        check_id_number(NUMBER, today=birthday - dt.timedelta(days=1))


def test_the_validator_wants_a_valid_number_already_normalised():
    validate_id_number(NUMBER)
    with pytest.raises(ValidationError) as lower_x:
        validate_id_number(NUMBER.lower())
    assert (
        lower_x.value.messages == ["身份证号格式未规范化"]
        and lower_x.value.code == "invalid_id_number"
    )
    with pytest.raises(ValidationError) as bad:
        validate_id_number("110105194912310021")
    assert bad.value.messages == ["身份证号校验位错误"] and bad.value.code == "invalid_id_number"


def test_seventeen_digits_are_completed_with_their_check_digit():
    assert complete_id_number(NUMBER[:17]) == NUMBER
    assert complete_id_number("36042619910101007") == "360426199101010071"


def test_masks_hide_short_values_whole_and_keep_the_edges_of_long_ones():
    assert mask_id_number(None) == mask_id_number("") == ""
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("123456789") == "1234*6789"
    assert mask_phone(None) == mask_phone("") == ""
    assert mask_phone("123456") == "******"
    # A landline is not a mobile: at least half stays hidden.
    assert mask_phone("87654321") == "******21"
    assert mask_phone("8765432") == "*****32"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_account(None) == mask_account("") == ""
    assert mask_account("123") == "123"
    assert mask_account("6222021234567890") == "************7890"


def test_amounts_in_words_refuse_with_a_message_that_names_the_problem():
    with pytest.raises(TypeError) as floated:
        amount_in_words(1825.5)
    assert str(floated.value) == "amount_in_words takes a Decimal, not a float"
    with pytest.raises(TypeError):
        amount_in_words(True)
    with pytest.raises(ValueError) as garbage:
        amount_in_words("abc")
    assert str(garbage.value) == "not an amount: 'abc'"
    with pytest.raises(ValueError) as negative:
        amount_in_words(Decimal("-0.01"))
    assert str(negative.value) == "negative amount: -0.01"
    assert amount_in_words(Decimal("0.004")) == "零元整"
    assert amount_in_words(Decimal("0.005")) == "壹分"


def test_pages_write_yuan_with_thousands_and_two_decimals():
    assert format_yuan(None) == format_yuan("") == ""
    assert format_yuan(Decimal("1825.5")) == "1,825.50"
    assert format_yuan("1234567") == "1,234,567.00"
    assert format_yuan(Decimal("0.005")) == "0.01"
    assert format_yuan(Decimal("2.675")) == "2.68"
    assert format_yuan(0) == "0.00"


def test_ratios_are_written_as_people_write_percentages():
    assert format_percent(None) == format_percent("") == ""
    assert format_percent(Decimal("0.1000")) == "10%"
    assert format_percent("0.125") == "12.5%"
    assert format_percent(Decimal("0.15")) == "15%"
    assert format_percent(Decimal("0.00005")) == "0.01%"
    assert format_percent(1) == "100%"
    assert format_percent(0) == "0%"
