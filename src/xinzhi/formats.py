"""How numbers, qualifiers, statuses and notes are written for participants — one place for each.

    format_number(1964.4)          "1,964.4"      (12.35万, 1.2亿, 3.5×10¹⁴ for the large; from inputs.py)
    amount(1.21e14)                "121万亿"      (chart-safe: no exponent; unit-aware)
    with_unit(120000, "件")        "12万 件"
    signed(-0.25)                  "-0.3"         (for contributions and changes; never "-0.0")
    sci(8e14)                      "$8\\times10^{14}$"  (matplotlib mathtext, for chart labels)
    qualified("500", "超过")        "500以上"      (the qualifier column of data/: 约 / 超过 / 不低于)
    by_year(rows, unit="%")        "2019年4.7%，2020年5.4%"   (a series in a sentence, for alt text)
    year_list([2019, 2020])        "2019、2020"
    clause(row["notes"])           the first clause of a row's note, for a chart's label or source line
    STATUS_ZH["preliminary"]       "初步数"
    message_html("……", "warn")     a note box (left border, role alert/status) for widgets and cells
"""
from __future__ import annotations

import html
import math

from .inputs import format_number   # defined beside parse_number, which reads back whatever it writes
from .marks import mark

__all__ = ["format_number", "amount", "with_unit", "signed", "sci", "qualified", "QUALIFIERS", "by_year",
           "year_list", "clause", "STATUS_ZH", "message_html"]


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

def _trimmed(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def amount(value: float, unit: str = "") -> str:
    """A number for a chart or a page, with 万/亿/万亿 and no exponent (every glyph in the course font).

    When the unit already carries 万 or 亿 (万元, 亿元, 万件 …), the number is written out in full
    (120,000 万元, not 12万 万元).
    """
    if value is None or not math.isfinite(value):
        return "—"
    if 0 < abs(value) < 0.01:
        return f"{value:.2g}"
    scaled_unit = any(mark in (unit or "").strip()[:2] for mark in "万亿")
    if scaled_unit and abs(value) < 1e15:
        return _trimmed(value, 2)
    if abs(value) >= 1e12:
        return _trimmed(value / 1e12, 2) + "万亿"
    return format_number(value)


def with_unit(value: float, unit: str = "") -> str:
    """:func:`amount` followed by its unit: "12万 件", "120,000 万元"."""
    unit = (unit or "").strip()
    return f"{amount(value, unit)} {unit}" if unit else amount(value)


def signed(value: float, digits: int = 1, unit: str = "") -> str:
    """A change with its sign: "+1.2", "-0.3"; what rounds to zero is "+0.0", never "-0.0"; "—" if unknown."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{round(value, digits) + 0.0:+.{digits}f}{unit}"


def sci(value: float) -> str:
    """A number for a chart label in matplotlib's mathtext: 8×10^14 → ``$8\\times10^{14}$`` (glyph-safe)."""
    if value < 1e5:
        return f"{value:,.0f}"
    exponent = int(math.floor(math.log10(value)))
    mantissa = value / 10 ** exponent
    return rf"${mantissa:.2g}\times10^{{{exponent}}}$"


# ---------------------------------------------------------------------------------------------
# The qualifier and status columns of data/
# ---------------------------------------------------------------------------------------------

#: qualifier in data/ -> (said before the number, said after it, symbol on a chart)
QUALIFIERS: dict[str, tuple[str, str, str]] = {
    "约": ("约", "左右", "≈"),
    "超过": ("超过", "以上", ">"),
    "不低于": ("不低于", "以上", "≥"),
    "左右": ("约", "左右", "≈"),
}


def qualified(number: str, qualifier, style: str = "after") -> str:
    """``number`` (already written) with the row's qualifier: "500以上" (after), "超过500" (before), ">500" (symbol)."""
    word = str(qualifier or "").strip()
    if not word or word.lower() == "nan":
        return number
    before, after, symbol = QUALIFIERS.get(word, (word, "", word))
    if style == "before":
        return f"{before}{number}"
    if style == "symbol":
        return f"{symbol}{number}"
    return f"{number}{after}" if after else f"{before}{number}"


#: status in data/ -> how participants read it
STATUS_ZH: dict[str, str] = {
    "final": "正式数", "preliminary": "初步数", "estimate": "预计数", "target": "目标", "computed": "推算数",
}


def year_list(values) -> str:
    """Years as a list in words: "2019、2020" (in the order given, each once)."""
    return "、".join(dict.fromkeys(str(int(y)) for y in values))


def clause(note) -> str:
    """The first clause of a row's note, for a chart: "由公告表格两行相加，占总销量28.9%。" → "由公告表格两行相加"."""
    text = str(note or "").strip()
    if text.lower() == "nan":
        return ""
    for mark in "，。；（":
        text = text.split(mark)[0]
    return text.strip()


def by_year(rows, unit: str = "", digits: int = 1, sep: str = "，") -> str:
    """A series in words, for alt text: "2018年150.1万，2019年136.2万" (rows with year and value columns)."""
    return sep.join(f"{int(y)}年{v:.{digits}f}{unit}" for y, v in zip(rows["year"], rows["value"]))


# ---------------------------------------------------------------------------------------------
# Notes shown to participants
# ---------------------------------------------------------------------------------------------

_NOTE_COLOURS = {"info": "#0072B2", "ok": "#009E73", "warn": "#D55E00"}


def message_html(text: str, kind: str = "info", *, raw: bool = False, css_class: str = "") -> str:
    """A note box (coloured left border) for a widget's message line or a cell's output.

    ``kind``: "info" (blue), "ok" (green, with a tick) or "warn" (orange, with role alert and an exclamation
    mark; the marks are drawn shapes, see marks.py). ``raw=True`` when
    ``text`` is already HTML (links, bold); otherwise it is escaped. Empty text gives an empty string.
    """
    if not text:
        return ""
    colour = _NOTE_COLOURS.get(kind, _NOTE_COLOURS["info"])
    body = text if raw else html.escape(text).replace("\n", "<br>")
    role = "alert" if kind == "warn" else "status"
    shown = f"{mark(kind)} " if kind in ("warn", "ok") else ""
    attribute = f" class='{css_class}'" if css_class else ""
    return (f"<div{attribute} role='{role}' style='border-left:4px solid {colour};padding:4px 10px;"
            f"background:#fafafa;margin:4px 0'>{shown}{body}</div>")
