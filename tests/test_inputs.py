from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from xinzhi.errors import InputError
from xinzhi.formats import format_number
from xinzhi.inputs import parse_number


@pytest.mark.parametrize("typed, expected", [
    ("12", 12.0), ("１２", 12.0), ("1,000", 1000.0), ("1，000", 1000.0), (" 3.5 ", 3.5), ("3万", 30000.0),
    ("1e3", 1000.0), ("－5", -5.0), (7, 7.0), ("0.5亿", 5e7), ("12,345.6", 12345.6), ("1,234,567", 1234567.0),
    ("1 000", 1000.0), ("2千万", 2e7), ("1.5万亿", 1.5e12), ("3。5", 3.5), ("- 5", -5.0), ("＋5", 5.0),
    # powers of ten, as the course prints them and as people type them
    ("10¹⁵", 1e15), ("3.5×10¹⁴", 3.5e14), ("-3.5×10¹⁴", -3.5e14), ("10⁻³", 1e-3), ("3.5x10^14", 3.5e14),
    ("3.5 × 10 ^ 14", 3.5e14), ("3.5*10**14", 3.5e14), ("10^15", 1e15), ("１０¹⁵", 1e15),
])
def test_reads_what_people_type(typed, expected):
    assert parse_number(typed) == pytest.approx(expected, rel=1e-15)


def test_percent_fields_accept_both_forms():
    assert parse_number("50%", percent=True) == 50
    assert parse_number("50", percent=True) == 50
    assert parse_number("７.５％", percent=True) == 7.5


@pytest.mark.parametrize("typed, fragment", [
    ("", "空"), ("   ", "空"), ("abc", "不是数字"), ("NaN", "不是数字"), ("1e999", "有限"), ("inf", "不是数字"),
    ("-5", "负数"), ("1e30", "不能大于"), ("10^999", "有限"), ("1e99999999999999", "有限"), ("%", "不是数字"),
])
def test_refuses_with_a_chinese_message(typed, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_number(typed, name="价格", minimum=0, maximum=1e6)


@pytest.mark.parametrize("typed, offers", [
    ("1,2", ["1.2", "12"]), ("7,5", ["7.5", "75"]), ("1500838,5", ["1500838.5", "15008385"]),
    ("1，5", ["1.5", "15"]), ("1,0000", ["1.0000", "10000"]), ("1 5", ["1.5", "15"]), ("1,23,456", []),
    ("1.000,5", []), ("12,345.6,7", []),
])
def test_a_comma_that_is_not_a_thousands_separator_is_asked_about(typed, offers):
    with pytest.raises(InputError, match="看不明白") as caught:
        parse_number(typed, name="“目标”")
    assert all(offer in str(caught.value) for offer in offers), str(caught.value)
    with pytest.raises(InputError, match="看不明白"):
        parse_number(f"{typed}%", percent=True)    # "7,5%" in a percentage box: 7.5 % or 75 %?


@pytest.mark.parametrize("typed", ["5²", "310¹⁵", "10¹⁵⁵x"])
def test_superscripts_are_never_read_as_digits(typed):
    with pytest.raises(InputError):
        parse_number(typed)


def test_percent_in_a_box_that_is_not_a_percentage_is_asked_about():
    with pytest.raises(InputError, match="不是百分数") as caught:
        parse_number("5%", name="“今天的产出”")
    assert "0.05" in str(caught.value)
    with pytest.raises(InputError, match="看不明白"):
        parse_number("7,5%", name="“今天的产出”")


def test_minus_zero_is_zero():
    value = parse_number("-0", percent=True)
    assert value == 0 and math.copysign(1, value) == 1
    assert f"{value:g}%" == "0%"
    assert format_number(-0.0) == format_number(-0.001) == "0"


def test_limits_say_percent_in_a_percentage_box():
    with pytest.raises(InputError, match=r"不能大于 100%（你填的是 150%）"):
        parse_number("150", percent=True, maximum=100)


def test_format_number():
    assert format_number(1234) == "1,234"
    assert format_number(8e14) == "8×10¹⁴"
    assert format_number(2.5e8) == "2.5亿"
    assert format_number(123456) == "12.35万"
    assert format_number(12345.6) == "12,345.6"
    assert format_number(9.96e14) == "1×10¹⁵"          # never "10×10¹⁴"
    assert format_number(99_999_999.9) == "1亿"        # never "10,000万"
    assert format_number(1e10, digits=0) == "100亿"    # never "1亿"
    assert format_number(float("nan")) == "—"


def _half_step(text: str, digits: int) -> float:
    """Half a unit of the last digit ``format_number`` kept in ``text``."""
    power = re.search(r"×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$", text)
    if power:
        exponent = int(power.group(1).translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        return 0.5 * 10.0 ** (exponent - (max(1, digits) - 1))
    scale = 1e8 if text.endswith("亿") else 1e4 if text.endswith("万") else 1.0
    return 0.5 * 10.0 ** -digits * scale


def _beyond_floats(text: str) -> bool:
    mantissa, _, power = text.lstrip("-").partition("×10")
    if not power:
        return False
    exponent = int(power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    return Decimal(mantissa).scaleb(exponent) >= Decimal(2) ** 1024 - Decimal(2) ** 970   # rounds to inf


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=0, max_value=6))
@example(9.96e14, 2)
@example(99_999.999, 2)
@example(-0.004, 2)
@example(1.7976931348623157e308, 2)
@example(5e-324, 2)
def test_every_printed_number_reads_back_as_the_same_number(x, digits):
    text = format_number(x, digits)
    if _beyond_floats(text):   # the largest float, 1.797…×10³⁰⁸, printed as 1.8×10³⁰⁸
        with pytest.raises(InputError, match="有限"):
            parse_number(text)
        return
    back = parse_number(text)
    assert abs(back - x) <= _half_step(text, digits) * (1 + 1e-9) + abs(x) * 1e-15, (x, text, back)
    assert format_number(back, digits) == text, "reading and printing again changes nothing"


def test_per_mille_is_turned_into_what_the_box_reads():
    with pytest.raises(InputError, match="就是 0.5%"):
        parse_number("5‰", percent=True)
    with pytest.raises(InputError, match="就是 0.005"):
        parse_number("5‰")


def test_a_pasted_page_is_quoted_short_in_the_message():
    with pytest.raises(InputError) as caught:
        parse_number("1×" * 50_000)
    assert len(str(caught.value)) < 120
