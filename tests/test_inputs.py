from __future__ import annotations

import pytest

from xinzhi.errors import InputError
from xinzhi.formats import format_number
from xinzhi.inputs import parse_number


@pytest.mark.parametrize("typed, expected", [
    ("12", 12.0), ("１２", 12.0), ("1,000", 1000.0), ("1，000", 1000.0), (" 3.5 ", 3.5), ("50%", 0.5),
    ("3万", 30000.0), ("1e3", 1000.0), ("－5", -5.0), (7, 7.0), ("0.5亿", 5e7),
])
def test_reads_what_people_type(typed, expected):
    assert parse_number(typed) == pytest.approx(expected)


def test_percent_fields_accept_both_forms():
    assert parse_number("50%", percent=True) == 50
    assert parse_number("50", percent=True) == 50


@pytest.mark.parametrize("typed, fragment", [
    ("", "空"), ("   ", "空"), ("abc", "不是数字"), ("NaN", "不是数字"), ("1e999", "有限"), ("inf", "不是数字"),
    ("-5", "负数"), ("1e30", "不能大于"),
])
def test_refuses_with_a_chinese_message(typed, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_number(typed, name="价格", minimum=0, maximum=1e6)


def test_format_number():
    assert format_number(1234) == "1,234"
    assert format_number(8e14).startswith("8")
    assert format_number(2.5e8) == "2.5亿"
