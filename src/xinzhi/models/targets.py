"""What a growth target such as “15% a year” means over several years: compounding.

A rate g (in per cent) applied for N years multiplies the starting value by (1 + g/100)^N — it is
multiplied, not added, each year. The doubling time is ln 2 / ln(1 + g/100); the “rule of 70”
(70 / g) is the mental-arithmetic approximation. Pure functions, no plotting.
"""
from __future__ import annotations

import math

from .growth import doubling_time, rule_of_70  # noqa: F401 - part of this module's interface

MAX_YEARS = 200


def _rate(rate_pct: float) -> float:
    if isinstance(rate_pct, bool) or not isinstance(rate_pct, (int, float)) or not math.isfinite(rate_pct):
        raise ValueError(f"rate must be a finite number of per cent, not {rate_pct!r}")
    if rate_pct <= -100:
        raise ValueError("a yearly rate of -100% or less is not a growth rate")
    return rate_pct / 100.0


def _years(years) -> int:
    if isinstance(years, bool) or not isinstance(years, (int, float)) or years != int(years) or not 0 <= years <= MAX_YEARS:
        raise ValueError(f"years must be a whole number from 0 to {MAX_YEARS}, not {years!r}")
    return int(years)


def growth_multiple(rate_pct: float, years: int) -> float:
    """(1 + g)^N: how many times the start value after ``years`` years at ``rate_pct`` % a year."""
    return (1.0 + _rate(rate_pct)) ** _years(years)


def path(rate_pct: float, years: int, start: float = 100.0) -> list[float]:
    """The year-by-year values, year 0 (= ``start``) to year N, compounding every year."""
    g = _rate(rate_pct)
    if not math.isfinite(start):
        raise ValueError("start must be finite")
    return [start * (1.0 + g) ** t for t in range(_years(years) + 1)]


def linear_path(rate_pct: float, years: int, start: float = 100.0) -> list[float]:
    """For comparison: adding g % *of the starting value* each year (no compounding)."""
    g = _rate(rate_pct)
    if not math.isfinite(start):
        raise ValueError("start must be finite")
    return [start * (1.0 + g * t) for t in range(_years(years) + 1)]


def implied_rate(start: float, end: float, years: float) -> float:
    """The constant yearly rate (per cent) that takes ``start`` to ``end`` in ``years`` years."""
    if not (math.isfinite(start) and math.isfinite(end)) or start <= 0 or end <= 0:
        raise ValueError("start and end must be positive and finite")
    if not math.isfinite(years) or years <= 0:
        raise ValueError("years must be > 0")
    return ((end / start) ** (1.0 / years) - 1.0) * 100.0
