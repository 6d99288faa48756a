"""The course's one table style: no index, text left and numbers right, units in the header, "—" with a
footnote instead of NaN, and a box that scrolls sideways on a phone. Every table the notebooks show is checked."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import xinzhi.widgets
from xinzhi import envcheck
from xinzhi.tables import MISSING, Table


class Cells(HTMLParser):
    """Header and body cells of a rendered table: (text, style) each."""

    def __init__(self):
        super().__init__()
        self.head, self.rows, self._cell, self._in = [], [], None, None
        self.scroll = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "overflow-x:auto" in (attrs.get("style") or "").replace(" ", ""):
            self.scroll = True
        if tag == "tr":
            self.rows.append([])
        if tag in ("th", "td"):
            self._in, self._cell = tag, ["", attrs.get("style") or ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            cell = (self._cell[0].strip(), self._cell[1])
            (self.head if tag == "th" else self.rows[-1]).append(cell)
            self._cell = None


def parse(table: Table) -> Cells:
    cells = Cells()
    cells.feed(table.html())
    cells.rows = [r for r in cells.rows if r]
    return cells


def course_tables():
    """Every function in xinzhi.widgets.* that returns a Table, called with its defaults."""
    found = []
    for module in pkgutil.iter_modules(xinzhi.widgets.__path__):
        mod = importlib.import_module(f"xinzhi.widgets.{module.name}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            public = not name.startswith("_")
            if public and fn.__module__ == mod.__name__ and inspect.signature(fn).return_annotation in ("Table", Table):
                found.append(pytest.param(fn, id=f"{module.name}.{name}"))
    return found


TABLES = course_tables()


def test_the_course_shows_its_tables_in_the_course_style():
    assert len(TABLES) >= 15, [p.id for p in TABLES]


@pytest.mark.parametrize("make", TABLES)
def test_every_course_table(make):
    table = make()
    cells = parse(table)
    assert cells.scroll, "a wide table must scroll inside its own box"
    header = [text for text, _ in cells.head]
    expected = [f"{c}（{table.units[c]}）" if c in table.units else str(c) for c in table.frame.columns]
    assert header == expected, "one header per column, no index column, units in the header"
    shown = table.html()
    for bad in ("NaN", "nan<", ">None<", "<NA>", "NaT"):
        assert bad not in shown, f"{bad!r} shown in a table"
    for row in cells.rows:
        for (text, style), column in zip(row, table.frame.columns):
            wanted = "text-align:right" if table.is_numeric(column) else "text-align:left"
            assert wanted in style.replace(" ", ""), f"{column}: “{text}” is not aligned {wanted}"
    if any(text == MISSING for row in cells.rows for text, _ in row):
        assert table.missing and table.missing in shown, "“—” needs a footnote saying what it means"


def test_numbers_are_right_aligned_with_one_precision_a_column_and_units_in_the_header():
    table = Table(pd.DataFrame({"地区": ["甲", "乙"], "年份": [2023, 2024], "产值": [1964.4, 12345.0],
                                "增速": [7.5, np.nan]}), units={"产值": "亿元", "增速": "%"})
    cells = parse(table)
    assert [t for t, _ in cells.head] == ["地区", "年份", "产值（亿元）", "增速（%）"]
    assert [t for t, _ in cells.rows[0]] == ["甲", "2023", "1,964.4", "7.5"]
    assert [t for t, _ in cells.rows[1]] == ["乙", "2024", "12,345.0", MISSING]
    assert "text-align:left" in cells.rows[0][0][1] and "text-align:right" in cells.rows[0][2][1]
    assert "表示没有这项数据" in table.html(), "a missing value gets a footnote"
    assert "white-space:nowrap" in re.search(r"<th[^>]*>产值.*?</th>", table.html()).group(0), "the unit never breaks"


def test_a_named_index_becomes_a_column_and_an_unnamed_one_disappears():
    named = Table(pd.DataFrame({"值": [1, 2]}, index=pd.Index(["中国", "美国"], name="国家")))
    assert list(named.frame.columns) == ["国家", "值"]
    unnamed = Table(pd.DataFrame({"值": [1, 2]}, index=[7, 9]))
    assert list(unnamed.frame.columns) == ["值"]


def test_numbers_written_as_text_count_as_numbers_and_text_does_not():
    table = Table(pd.DataFrame({"数值": ["≈8,000", "500以上", "8×10¹⁴", "67.1%"], "说明": ["a", "b", "c", "2024-03-05"]}))
    assert table.is_numeric("数值") and not table.is_numeric("说明")


def test_a_yes_no_column_is_drawn_with_marks_not_emoji():
    table = Table(pd.DataFrame({"项目": ["甲", "乙"], "通过？": [True, False]}), status={"通过？": ("通过", "未通过")})
    shown = table.html()
    assert "xinzhi-mark-ok" in shown and "xinzhi-mark-fail" in shown
    assert not re.search("[\u2705\u274c\u26a0]", shown)


def test_environment_check_draws_its_marks():
    checks = [envcheck.Check("甲", True, "好"), envcheck.Check("乙", False, "坏", "重装")]
    shown = envcheck.report(checks)
    assert "xinzhi-mark-ok" in shown and "xinzhi-mark-fail" in shown and "重装" in shown
    assert not re.search("[\u2705\u274c\u26a0]", shown), "emoji need an emoji font; draw the marks"


def test_unknown_columns_are_refused():
    with pytest.raises(KeyError):
        Table(pd.DataFrame({"a": [1]}), units={"b": "元"})
