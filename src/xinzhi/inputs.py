"""Reading numbers that participants type, and writing numbers they can type back.

:func:`parse_number` reads full-width digits, "12,345.6", "50%", "3万", "1.2亿", "3.5×10¹⁴" — everything
:func:`format_number` prints — and asks in Chinese when a text could mean two things ("7,5": 7.5 or 75?)
instead of guessing.
"""
from __future__ import annotations

import math
import re
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

from .errors import InputError

# Unit words a number may end with; several multiply ("千万" = 10⁷, "万亿" = 10¹²).
_MULTIPLIERS = {"十": 1, "百": 2, "千": 3, "万": 4, "亿": 8}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# Full-width ASCII (１２３，－５．５％) to ASCII; the many dashes and spaces to one of each. Not NFKC, which
# would also turn 10¹⁵ into 1015.
_PLAIN = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_PLAIN.update({ord(ch): "-" for ch in "−–—﹣"})
_PLAIN.update({ord(ch): " " for ch in "\u00a0\u2009\u202f\u3000\t"})
_PLAIN.update({ord(ch): "×" for ch in "xX*·✕✖"})
_PLAIN.update({ord("，"): ","})
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: A number whose integer part is split into groups of three by commas (or by spaces): 12,345.6 / 1 000.
#: The only way a comma may appear in a number, here and in the data files.
THOUSANDS = re.compile(r"[+-]?\d{1,3}(?P<sep>[, ])\d{3}((?P=sep)\d{3})*(\.\d*)?")
_POWER = re.compile(rf"(?:(?P<mantissa>.+?)\s*×\s*|(?P<sign>[+-]?))10\s*"
                    rf"(?:(?:\^|××)\s*(?P<exp>[+-]?\d+)|(?P<sup>[⁺⁻]?[{_SUPERSCRIPTS}]+))")
_WIDE = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN)
_LIMIT = 10 ** 6   # powers of ten beyond this are infinite (or zero) for a float anyway


def parse_number(text, *, name: str = "数值", minimum: float | None = None, maximum: float | None = None,
                 percent: bool = False) -> float:
    """Turn what a participant typed into a float, or raise :class:`InputError` with a Chinese message.

    Reads full-width digits and signs (１２３，－５), thousands separators in groups of three ("12,345.6",
    "1，000", "1 000"), a unit word (3万, 1.2亿, 2千万, 1.5万亿), powers of ten (3.5×10¹⁴, 10^15, 1e15) and,
    in a percentage box (``percent=True``), an optional "%" ("50%" and "50" both give 50.0).

    Asks instead of guessing: a comma that does not separate groups of three ("7,5", "1500838,5") and a
    "%" in a box that is not a percentage both give a message that says what to type.
    """
    unit = "%" if percent else ""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        value = _read(str(text if text is not None else ""), name, percent)
    if not math.isfinite(value):
        raise InputError(f"{name}必须是一个有限的数字。")
    value += 0.0  # "-0" is 0
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise InputError(f"{name}不能是负数（你填的是 {format_number(value)}{unit}）。")
        raise InputError(f"{name}不能小于 {format_number(minimum)}{unit}（你填的是 {format_number(value)}{unit}）。")
    if maximum is not None and value > maximum:
        raise InputError(f"{name}不能大于 {format_number(maximum)}{unit}（你填的是 {format_number(value)}{unit}）。")
    return value


def _read(raw: str, name: str, percent: bool, shown: str = "") -> float:
    shown = shown or (raw.strip() if len(raw.strip()) <= 40 else raw.strip()[:40] + "…")   # quoted in messages
    text = re.sub(r"(?<=\d)。(?=\d)", ".", raw.translate(_PLAIN)).strip().rstrip("。").strip()
    if not text:
        raise InputError(f"请填写{name}（现在是空的）。")
    if text.endswith("%"):
        text = text[:-1].rstrip()
        if not percent and text:
            share = format_number(_read(text, name, percent=True, shown=shown) / 100, digits=9)
            raise InputError(f"{name}不是百分数，不用写 %。你填的“{shown}”如果是指 {share}，请直接填 {share}。")
    if text.endswith("‰") and text[:-1].strip():
        per_mille = _read(text[:-1], name, percent=True, shown=shown)
        same = f"{format_number(per_mille / 10, digits=9)}%" if percent else format_number(per_mille / 1000, digits=9)
        raise InputError(f"{name}请不要用千分号：“{shown}”就是 {same}，请填 {same}。")
    if "%" in text or "‰" in text:
        raise InputError(f"{name}里的 % 只能写在最后，例如 7.5%。")
    exponent = 0
    match = _POWER.fullmatch(text)
    if match:
        if match["sup"]:
            exp_text = match["sup"].translate(str.maketrans(f"⁺⁻{_SUPERSCRIPTS}", "+-0123456789"))
        else:
            exp_text = match["exp"]
        exponent = _clamped(exp_text)
        text = match["mantissa"].strip() if match["mantissa"] is not None else f"{match['sign']}1"
    elif any(ch in text for ch in _SUPERSCRIPTS + "⁺⁻"):
        raise InputError(f"{name}里的上标“{shown}”看不明白：10 的几次方请写成 10¹⁵、10^15 或 1e15。")
    body = text.rstrip("".join(_MULTIPLIERS)).rstrip()
    for word in text[len(body):].replace(" ", ""):
        exponent += _MULTIPLIERS[word]
    body = re.sub(r"^([+-])\s+", r"\1", body)
    if "," in body or " " in body:
        grouped = THOUSANDS.fullmatch(body)
        if not grouped:
            raise InputError(_separator_question(name, shown, body))
        body = body.replace(grouped["sep"], "")
    if not _NUMBER.fullmatch(body):
        raise InputError(f"{name}要填数字，例如 12、3.5 或 3万；“{shown}”不是数字。")
    number = Decimal(body)
    size = number.adjusted() + exponent if number else 0
    if size > 400:
        return math.inf
    if size < -400:
        return 0.0
    return float(number.scaleb(exponent, _WIDE))


def _clamped(digits: str) -> int:
    """An exponent as an int, without converting a thousand-digit string."""
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-").lstrip("0") or "0"
    return sign * (int(digits) if len(digits) <= 7 else _LIMIT)


def _separator_question(name: str, shown: str, body: str) -> str:
    """What to say about a comma (or space) that is not a thousands separator."""
    mark = "逗号" if "," in body else "空格"
    sign = body[:1] if body[:1] in "+-" else ""
    parts = re.split(r"[, ]", body.lstrip("+-"))
    message = f"{name}里的“{shown}”看不明白：{mark}只用来把整数部分每三位分成一组（例如 12,345.6）。"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return (message + f"如果{mark}是小数点，请写成 {sign}{parts[0]}.{parts[1]}；"
                f"如果是 {sign}{parts[0]}{parts[1]}，请去掉{mark}。")
    return message + f"请去掉多余的{mark}，只填一个数。"


def format_number(value: float, digits: int = 2) -> str:
    """A number as participants read it: 12,345.6 / 12.35万 / 1.2亿 / 3.5×10¹⁴ for the very large.

    ``digits``: decimals kept (trailing zeros dropped); significant digits of ×10ⁿ numbers. Whatever
    it writes, :func:`parse_number` reads back as the same number to that precision.
    """
    if value is None or not math.isfinite(float(value)):
        return "—"
    value = float(value)
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    for scale, word in ((1, ""), (1e4, "万"), (1e8, "亿")):
        text = _fixed(magnitude / scale, digits)
        if float(text.replace(",", "")) < (1e5 if scale == 1 else 1e4):
            return "0" if text == "0" else f"{sign}{text}{word}"
    exponent = math.floor(math.log10(magnitude))
    mantissa = f"{magnitude / 10 ** exponent:.{max(1, digits)}g}"
    if float(mantissa) >= 10:  # 9.96×10¹⁴ rounds to 10×10¹⁴: write 1×10¹⁵
        exponent += 1
        mantissa = f"{magnitude / 10 ** exponent:.{max(1, digits)}g}"
    return f"{sign}{mantissa}×10{_superscript(exponent)}"


def _fixed(number: float, digits: int) -> str:
    text = f"{number:,.{max(0, digits)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
