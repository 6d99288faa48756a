"""课程版本与“数据截至”月份：每张图的来源行、每个笔记本的开头、打印页都写上，便于引用和核对。

    from xinzhi.edition import show_edition
    show_edition()      # 笔记本开头：课程版本、数据截至哪个月、怎样引用

The course version is ``xinzhi.__version__`` (pyproject.toml reads it from there; CHANGELOG.md has a
section for it). "数据截至 YYYY-MM" is not typed anywhere: it is the month of the latest dated source
row in data/, so adding a year of data moves it by itself.
"""
from __future__ import annotations

import functools
import html
import re

from . import __version__

__all__ = ["data_as_of", "stamp", "with_stamp", "citation", "show_edition"]

COURSE_TITLE = "新质生产力：浙江实践"
_MONTH = re.compile(r"^(\d{4})-(\d{2})")


@functools.lru_cache(maxsize=4)
def _latest_month(_key: tuple) -> str:
    from .data import column_text, fields, list_datasets

    months = []
    for name in list_datasets():   # only the date column is read: every notebook shows this line first
        if {"date", "quote"} <= set(fields(name)):  # rows with a dated, quoted source
            months += [m.group(0) for m in map(_MONTH.match, column_text(name, "date")) if m]
    return max(months) if months else ""


def data_as_of() -> str:
    """The month (YYYY-MM) of the newest dated source in data/."""
    from .data import data_dir

    folder = data_dir()
    key = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.csv"))) + (str(folder),)
    return _latest_month(key)


def stamp() -> str:
    """课程版本1.1.0·数据截至2026-02 (no spaces, so chart wrapping never loses a character)."""
    return f"课程版本{__version__}·数据截至{data_as_of()}"


def with_stamp(text: str) -> str:
    """A chart's source line followed by the stamp, so a printed or copied chart can be cited."""
    return f"{text}｜{stamp()}" if text else stamp()


def citation() -> str:
    return f"《{COURSE_TITLE}》教学笔记本，课程版本 {__version__}，数据截至 {data_as_of()}。"


def show_edition() -> None:
    """A small grey line for the top of a notebook: version, data month, how to cite."""
    from IPython.display import HTML, display

    display(HTML(f"<div style='color:#444;font-size:0.9em;border-left:3px solid #56B4E9;padding-left:8px'>"
                 f"课程版本 {html.escape(__version__)} · 数据截至 {html.escape(data_as_of())}"
                 f"（图中数据的最新来源月份）<br>引用：{html.escape(citation())}</div>"))
