"""Tables for people: the one style every table in the course is shown in.

    from xinzhi.tables import Table
    Table(df, units={"数值": "亿元"}, source="来源：…", notes=["2024 年为初步数。"])

* no index column; text left-aligned, numbers right-aligned (tabular figures, thousands separators,
  the same number of decimals down a column);
* a column's unit in its header, on its own line, never broken (``units``);
* a missing value is shown as "—", and a footnote under the table says what "—" means (``missing``);
* a table wider than the screen scrolls sideways inside its own box (a phone), while the footnotes and
  the source line stay in view;
* the source line and footnotes under the table.

Styles are written on the elements themselves (no ``<style>`` block): they survive the HTML sanitiser of
JupyterLab and Voilà, and look the same inside a widget, in a cell's output and in a saved page.
:attr:`Table.frame` is the data as a plain DataFrame for code (and tests) that reads the numbers.
"""
from __future__ import annotations

import html
import math
import numbers
import re

import pandas as pd

from .marks import mark

__all__ = ["Table", "MISSING", "is_number_text"]

MISSING = "—"
MISSING_NOTE = "“—”表示没有这项数据。"

# A number as the course writes it in text: "67.1", "4,000", "−3.5", "≈8,000", ">500", "15%", "50万", "500以上", "8×10¹⁴".
_NUMBER_TEXT = re.compile(r"^[≈约>≥<≤+\-−]?\s?\d[\d,]*(\.\d+)?(×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s?(万|亿)?(%|‰|以上|左右|余)?$")

_CELL = "padding:4px 10px;border-bottom:1px solid #e0e0e0;vertical-align:top;line-height:1.45;"
_HEAD = ("padding:4px 10px;border-bottom:2px solid #444;vertical-align:bottom;font-weight:bold;"
         "line-height:1.35;background:#f5f5f5;word-break:keep-all;")   # keep-all: "占有率" never breaks inside
_TEXT = "text-align:left;white-space:normal;overflow-wrap:anywhere;"
_SHORT = 12   # text of at most this many characters (a date, a name, 1954—2019) is never broken
_NUMBER = "text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;"
_NOTE = "font-size:0.88em;color:#444;margin:4px 0 0 0;line-height:1.5;"


def is_number_text(value) -> bool:
    """True for a number, or for text that is a number as the course writes one ("≈8,000", "15%")."""
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Number):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.strip()))


def _missing(value) -> bool:
    """No value: None, NaN, or "—" already written. (An empty text cell is blank, not missing.)"""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == MISSING


def _blank(value) -> bool:
    return isinstance(value, str) and not value.strip()


def _decimals(values) -> int:
    """The fewest decimals (at most 4) that show every number of a column as it was rounded."""
    most = 0
    for v in values:
        if isinstance(v, numbers.Integral) or not math.isfinite(float(v)):
            continue
        for places in range(0, 5):
            if abs(round(float(v), places) - float(v)) < 1e-9 * max(1.0, abs(float(v))):
                most = max(most, places)
                break
        else:
            most = 4
    return most


def _is_year_column(column, values) -> bool:
    return "年" in str(column) and all(isinstance(v, numbers.Integral) and 1000 <= v <= 2999 for v in values)


def _format_number(value, decimals: int, grouping: bool = True) -> str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        text = f"{int(value):,}" if grouping else str(int(value))
    else:
        text = f"{float(value):,.{decimals}f}"
    return text.replace("-", "−")


class Table:
    """A DataFrame shown in the course's table style. Display it (last line of a cell) or call :meth:`html`.

    ``units``: column → unit, shown in the header under the column name.
    ``notes``: footnotes shown under the table; ``source``: the source line (shown last).
    ``missing``: what "—" means in this table (a footnote is added only when a cell is missing).
    ``numeric``: columns to treat as numbers even when some cells are text (otherwise detected).
    ``decimals``: column → decimals, for numeric columns that need a fixed precision.
    ``caption``: a short title above the table.
    ``status``: column → (word for True, word for False): a yes/no column shown with a drawn mark
    (:mod:`xinzhi.marks`) before the word.
    """

    def __init__(self, frame: pd.DataFrame, *, units: dict[str, str] | None = None, notes=(), source: str = "",
                 missing: str = MISSING_NOTE, numeric=(), decimals: dict[str, int] | None = None,
                 caption: str = "", status: dict[str, tuple[str, str]] | None = None):
        named = any(name is not None for name in frame.index.names)
        self.frame = frame.reset_index(drop=not named)   # a named index (国家, 年份) is a column like any other
        self.units = dict(units or {})
        self.notes = [n for n in ([notes] if isinstance(notes, str) else list(notes)) if n]
        self.source = source
        self.missing = missing
        self.numeric = set(numeric)
        self.decimals = dict(decimals or {})
        self.caption = caption
        self.status = dict(status or {})
        unknown = (set(self.units) | self.numeric | set(self.decimals) | set(self.status)) - set(self.frame.columns)
        if unknown:
            raise KeyError(f"no such column(s): {sorted(unknown)}")

    # --- what a column is ----------------------------------------------------------------------------
    def is_numeric(self, column) -> bool:
        if column in self.status:
            return False
        if column in self.numeric:
            return True
        present = [v for v in self.frame[column] if not _missing(v) and not _blank(v)]
        return bool(present) and all(is_number_text(v) for v in present)

    def has_missing(self) -> bool:
        return any(_missing(v) for column in self.frame.columns for v in self.frame[column])

    def cell_texts(self) -> list[list[str]]:
        """Every cell as it is shown (numbers formatted, "—" for missing), row by row."""
        columns = []
        for column in self.frame.columns:
            values = list(self.frame[column])
            real = [v for v in values if isinstance(v, numbers.Number) and not isinstance(v, bool) and not _missing(v)]
            places = self.decimals.get(column, _decimals(real))
            grouping = not _is_year_column(column, real)
            shown = []
            for v in values:
                if _missing(v):
                    shown.append(MISSING)
                elif column in self.status:
                    shown.append(self.status[column][0 if v else 1])
                elif isinstance(v, numbers.Number) and not isinstance(v, bool):
                    shown.append(_format_number(v, places, grouping))
                else:
                    shown.append(str(v).replace("-", "−") if is_number_text(v) else str(v))
            columns.append(shown)
        return [list(row) for row in zip(*columns)] if columns else []

    # --- HTML --------------------------------------------------------------------------------------
    def _header(self, column, numeric: bool) -> str:
        name = html.escape(str(column))
        unit = self.units.get(column)
        unit_html = (f"<br><span style='font-weight:normal;white-space:nowrap;color:#444'>（{html.escape(unit)}）</span>"
                     if unit else "")
        align = "text-align:right;" if numeric else "text-align:left;"
        return f"<th scope='col' style='{_HEAD}{align}'>{name}{unit_html}</th>"

    def html(self) -> str:
        numeric = {c: self.is_numeric(c) for c in self.frame.columns}
        head = "".join(self._header(c, numeric[c]) for c in self.frame.columns)
        rows = []
        for row, raw in zip(self.cell_texts(), self.frame.itertuples(index=False)):
            cells = []
            for column, text, value in zip(self.frame.columns, row, raw):
                if numeric[column]:
                    style = _NUMBER
                elif len(text) <= _SHORT:
                    style = _TEXT + "white-space:nowrap;"
                else:
                    style = _TEXT + f"min-width:{min(10, len(text) // 4 + 3)}em;"
                content = html.escape(text)
                if column in self.status and not _missing(value):
                    content = f"<span style='white-space:nowrap'>{mark('ok' if value else 'fail')} {content}</span>"
                cells.append(f"<td style='{_CELL}{style}'>{content}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        caption = (f"<div style='font-weight:bold;margin:0 0 4px 0'>{html.escape(self.caption)}</div>"
                   if self.caption else "")
        notes = list(self.notes)
        if self.has_missing() and self.missing:
            notes.append(self.missing)
        below = "".join(f"<p style='{_NOTE}'>{html.escape(n)}</p>" for n in notes)
        if self.source:
            below += f"<p style='{_NOTE}'>{html.escape(self.source)}</p>"
        return (f"<div class='xinzhi-table' style='max-width:100%;margin:0.4em 0 0.8em 0'>{caption}"
                f"<div class='xinzhi-table-scroll' style='overflow-x:auto;max-width:100%'>"
                f"<table style='border-collapse:collapse;table-layout:auto;margin:0;width:auto;font-size:0.95em'>"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{below}</div>")

    def text(self) -> str:
        """Plain text for viewers that show no HTML: one row a line, cells separated by two spaces."""
        head = [f"{c}（{self.units[c]}）" if c in self.units else str(c) for c in self.frame.columns]
        lines = ["  ".join(head)] + ["  ".join(row) for row in self.cell_texts()]
        notes = self.notes + ([self.missing] if self.has_missing() and self.missing else [])
        return "\n".join(lines + notes + ([self.source] if self.source else []))

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return self.text()
