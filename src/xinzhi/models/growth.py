"""Growth arithmetic for the whole course: numbers in, numbers out, no plotting.

Rates are in **percent** throughout (7.0 means 7 % a year), because that is how participants read
them in statistical bulletins; shares are in percent too (67.1 means 67.1 %).

* compounding: :func:`compound`, :func:`growth_path`, :func:`linear_path`, :func:`implied_rate`,
  :func:`doubling_time`, :func:`rule_of_70` — what a target such as “15% a year” means over several
  years: the start is multiplied by (1 + g) every year, not added to;
* a part growing faster than the rest: :func:`share_path`, :func:`rest_growth`
* the article's "加号变乘号": :func:`additive_output`, :func:`multiplicative_output`, and the short plank
  (短板) :func:`weakest_link_output`
* Cobb–Douglas: :func:`cobb_douglas`, :func:`growth_decomposition`
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "compound", "growth_path", "linear_path", "implied_rate", "doubling_time", "rule_of_70",
    "share_path", "rest_growth",
    "additive_output", "multiplicative_output",
    "weakest_link_output",
    "cobb_douglas", "growth_decomposition",
]

MAX_YEARS = 200


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return float(value)


def _factor(rate_pct: float) -> float:
    rate_pct = _number(rate_pct, "growth rate")
    if rate_pct <= -100:
        raise ValueError("a growth rate of -100 % or less leaves nothing to grow")
    return 1.0 + rate_pct / 100.0


def _years(years) -> int:
    if isinstance(years, bool) or not isinstance(years, numbers.Real) or years != int(years) \
            or not 0 <= years <= MAX_YEARS:
        raise ValueError(f"years must be a whole number from 0 to {MAX_YEARS}, not {years!r}")
    return int(years)


# ---------------------------------------------------------------------------------------------
# Compounding
# ---------------------------------------------------------------------------------------------

def compound(rate_pct: float, years: float) -> float:
    """How many times bigger after ``years`` years of ``rate_pct`` % growth: (1 + g)^years."""
    return _factor(rate_pct) ** _number(years, "years")


def growth_path(rate_pct: float, years: int, start: float = 1.0) -> np.ndarray:
    """``start`` grown at ``rate_pct`` % a year: values for year 0, 1, …, ``years`` (length years + 1)."""
    factor = _factor(rate_pct)
    return _number(start, "start") * factor ** np.arange(_years(years) + 1, dtype=float)


def linear_path(rate_pct: float, years: int, start: float = 1.0) -> np.ndarray:
    """For comparison: adding g % *of the starting value* each year (no compounding)."""
    g = _factor(rate_pct) - 1.0
    return _number(start, "start") * (1.0 + g * np.arange(_years(years) + 1, dtype=float))


def implied_rate(start: float, end: float, years: float) -> float:
    """The constant yearly rate (%) that takes ``start`` to ``end`` in ``years`` years; −100 when ``end`` is 0."""
    start, end, years = _number(start, "start"), _number(end, "end"), _number(years, "years")
    if start <= 0 or end < 0 or years <= 0:
        raise ValueError("start and years must be positive, end not negative")
    if end == 0:
        return -100.0
    return ((end / start) ** (1.0 / years) - 1.0) * 100.0


def doubling_time(rate_pct: float) -> float:
    """Exact years to double at ``rate_pct`` % a year: ln 2 / ln(1 + g). ``inf`` if the rate is ≤ 0."""
    if _number(rate_pct, "growth rate") <= 0 or _factor(rate_pct) == 1.0:   # 1 + 1e-300 is 1 in floating point
        return math.inf
    return math.log(2.0) / math.log(_factor(rate_pct))


def rule_of_70(rate_pct: float) -> float:
    """The rule of 70: doubling time ≈ 70 / (growth in %). ``inf`` if the rate is ≤ 0."""
    rate_pct = _number(rate_pct, "growth rate")
    return math.inf if rate_pct <= 0 else 70.0 / rate_pct


# ---------------------------------------------------------------------------------------------
# A part (high-tech industry) growing at g1 inside a whole whose rest grows at g0
# ---------------------------------------------------------------------------------------------

def _share_fraction(share_pct: float) -> float:
    share_pct = float(share_pct)
    if not math.isfinite(share_pct) or not 0.0 <= share_pct <= 100.0:
        raise ValueError("a share must lie between 0 and 100 %")
    return share_pct / 100.0


def share_path(share0_pct: float, g1_pct: float, g0_pct: float, years: int) -> np.ndarray:
    """The part's share (%) in year 0 … ``years`` when the part grows g1 % a year and the rest g0 %.

    s_t = s0·(1+g1)^t / (s0·(1+g1)^t + (1−s0)·(1+g0)^t)
    """
    s0 = _share_fraction(share0_pct)
    part = s0 * growth_path(g1_pct, years)
    rest = (1.0 - s0) * growth_path(g0_pct, years)
    return 100.0 * part / (part + rest)


def rest_growth(total_pct: float, part_pct: float, share_prev_pct: float) -> float:
    """Back out the growth (%) of the rest from the growth of the whole and of the part.

    total = s·part + (1 − s)·rest, with s the part's share in the **base (previous) year**, so
    rest = (total − s·part) / (1 − s).
    """
    s = _share_fraction(share_prev_pct)
    if s >= 1.0:
        raise ValueError("if the part is the whole, the rest has no growth")
    return (float(total_pct) - s * float(part_pct)) / (1.0 - s)


# ---------------------------------------------------------------------------------------------
# "加号变乘号"
# ---------------------------------------------------------------------------------------------

def additive_output(industry: float, technology: float) -> float:
    """Output when the two factors simply add up: industry + technology."""
    return float(industry) + float(technology)


def multiplicative_output(industry: float, technology: float) -> float:
    """Output when technology multiplies industry: industry × technology."""
    return float(industry) * float(technology)


def weakest_link_output(industry: float, technology: float) -> float:
    """Output set by the shorter plank (短板, a Leontief production function): min(industry, technology).

    More of the longer plank adds nothing; only raising the shorter one helps.
    """
    return min(float(industry), float(technology))


# ---------------------------------------------------------------------------------------------
# Cobb–Douglas
# ---------------------------------------------------------------------------------------------

def cobb_douglas(A, K, L, alpha: float):
    """Output Y = A · K^α · L^(1−α). Works elementwise on arrays."""
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError("alpha must lie between 0 and 1")
    if any(isinstance(x, (np.ndarray, list, tuple)) for x in (A, K, L)):
        return np.asarray(A, dtype=float) * np.power(np.asarray(K, dtype=float), alpha) \
            * np.power(np.asarray(L, dtype=float), 1.0 - alpha)
    return float(A) * float(K) ** alpha * float(L) ** (1.0 - alpha)


def growth_decomposition(before: tuple[float, float, float], after: tuple[float, float, float],
                         alpha: float) -> dict[str, float]:
    """Split the growth of Cobb–Douglas output between A (TFP), K and L.

    ``before`` and ``after`` are (A, K, L). In logs the split is exact:
    ln(Y1/Y0) = ln(A1/A0) + α·ln(K1/K0) + (1−α)·ln(L1/L0).
    Returns the contributions in percent (100 × log points) under keys ``"A"``, ``"K"``, ``"L"``,
    their sum ``"total_log"``, the actual growth ``"total"`` (%, = 100·(Y1/Y0 − 1)), and each
    factor's share of the growth (``"share_A"`` …, in %; NaN when output does not change).
    """
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError("alpha must lie between 0 and 1")
    (a0, k0, l0), (a1, k1, l1) = [tuple(float(x) for x in v) for v in (before, after)]
    if min(a0, k0, l0, a1, k1, l1) <= 0:
        raise ValueError("A, K and L must be positive")
    parts = {"A": math.log(a1 / a0), "K": alpha * math.log(k1 / k0), "L": (1 - alpha) * math.log(l1 / l0)}
    total_log = sum(parts.values())
    out = {name: 100.0 * value for name, value in parts.items()}
    out["total_log"] = 100.0 * total_log
    out["total"] = 100.0 * (math.exp(total_log) - 1.0)
    for name, value in parts.items():
        out[f"share_{name}"] = 100.0 * value / total_log if abs(total_log) > 1e-9 else math.nan
    return out
