"""Reading numbers that participants type: full-width digits, "1,000", "50%", "3万" — or a Chinese message.

Writing numbers for participants is :mod:`xinzhi.formats`."""
from __future__ import annotations

import math
import re
import unicodedata

from .errors import InputError
from .formats import format_number

_MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


def parse_number(text, *, name: str = "数值", minimum: float | None = None, maximum: float | None = None,
                 percent: bool = False) -> float:
    """Turn what a participant typed into a float, or raise :class:`InputError` with a Chinese message.

    Accepts full-width digits and signs (１２３，－５), thousands separators ("1,000", "1，000"),
    spaces, a trailing unit word such as 万 or 亿, and a trailing "%". With ``percent=True`` the
    number is read as a percentage either way ("50%" and "50" both give 50.0).
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        raw = unicodedata.normalize("NFKC", str(text or "")).strip()
        cleaned = raw.replace(",", "").replace(" ", "").replace("、", "")
        cleaned = cleaned.replace("−", "-").replace("—", "-")
        if not cleaned:
            raise InputError(f"请填写{name}（现在是空的）。")
        had_percent = cleaned.endswith("%")
        if had_percent:
            cleaned = cleaned[:-1]
        factor = 1.0
        if cleaned and cleaned[-1] in _MULTIPLIERS:
            factor = _MULTIPLIERS[cleaned[-1]]
            cleaned = cleaned[:-1]
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
            raise InputError(f"{name}要填数字，例如 12 或 3.5；“{raw}”不是数字。")
        value = float(cleaned) * factor
        if had_percent and not percent:
            value = value / 100
    if not math.isfinite(value):
        raise InputError(f"{name}必须是一个有限的数字。")
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise InputError(f"{name}不能是负数（你填的是 {format_number(value)}）。")
        raise InputError(f"{name}不能小于 {format_number(minimum)}（你填的是 {format_number(value)}）。")
    if maximum is not None and value > maximum:
        raise InputError(f"{name}不能大于 {format_number(maximum)}（你填的是 {format_number(value)}）。")
    return value
