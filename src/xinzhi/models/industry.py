"""Pure functions behind the two case studies of industries (notebooks 03 丽水 and 04 吉利).

Numbers in, numbers out: no plotting, no data loading. Each function says its formula.

* Purity "nines" (几个9): ``n`` nines means a purity of 1 − 10⁻ⁿ, so the impurity is 10⁻ⁿ of the
  mass, i.e. 10^(6−n) parts per million (ppm); one ppm by mass is one gram per tonne.
* Site choice (因地制宜): a weighted average of the scores a participant gives each place, and how
  the totals move when one weight moves (sensitivity).
* S-curve: a logistic curve ``K / (1 + exp(−k (t − t0)))`` fitted by least squares to a share
  series, with an approximate projection band.
* Lifetime carbon cost: carbon price × (production emissions + emissions per km × km driven).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "impurity_fraction", "impurity_ppm", "purity_percent_text", "impurity_grams",
    "normalised_weights", "weighted_scores", "ranking", "weight_sensitivity", "rank_changes",
    "logistic", "LogisticFit", "fit_logistic", "projection_band",
    "lifetime_emissions_t", "carbon_cost", "CarResult", "compare_cars", "breakeven_km",
]


# ------------------------------------------------------------------------------------------------
# Purity nines
# ------------------------------------------------------------------------------------------------

def _check_nines(nines) -> np.ndarray:
    n = np.asarray(nines, dtype=float)
    if not np.all(np.isfinite(n)) or np.any(n <= 0) or np.any(n > 15):
        raise ValueError("nines must be finite numbers in (0, 15]")
    return n


def impurity_fraction(nines):
    """Share of the mass that is not the metal: 10⁻ⁿ (3 nines = 99.9 % pure → 0.001)."""
    n = _check_nines(nines)
    out = 10.0 ** (-n)
    return float(out) if out.ndim == 0 else out


def impurity_ppm(nines):
    """Impurity in parts per million by mass: 10^(6 − n). 3N → 1000 ppm, 5N → 10 ppm, 7N → 0.1 ppm."""
    n = _check_nines(nines)
    out = 10.0 ** (6.0 - n)
    return float(out) if out.ndim == 0 else out


def purity_percent_text(nines: int) -> str:
    """The purity written out: 3 → "99.9%", 5 → "99.999%" (integer nines only)."""
    if int(nines) != nines or not 1 <= nines <= 15:
        raise ValueError("purity_percent_text needs a whole number of nines between 1 and 15")
    n = int(nines)
    if n == 1:
        return "90%"
    return "9" * min(n, 2) + ("." + "9" * (n - 2) if n > 2 else "") + "%"


def impurity_grams(nines, mass_kg: float):
    """Grams of impurity in ``mass_kg`` kilograms of material: mass × 1000 g/kg × 10⁻ⁿ."""
    if not math.isfinite(mass_kg) or mass_kg < 0:
        raise ValueError("mass must be a finite, non-negative number of kilograms")
    fraction = impurity_fraction(nines)
    return fraction * mass_kg * 1000.0


# ------------------------------------------------------------------------------------------------
# Site choice: weighted scores and sensitivity
# ------------------------------------------------------------------------------------------------

def normalised_weights(weights) -> np.ndarray:
    """Weights scaled to sum to 1. Raises ValueError if any is negative or all are zero."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)):
        raise ValueError("weights must be a non-empty list of finite numbers")
    if np.any(w < 0):
        raise ValueError("weights cannot be negative")
    total = w.sum()
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return w / total


def weighted_scores(weights, scores) -> np.ndarray:
    """Each place's weighted average score: Σᵢ wᵢ·sᵢ / Σᵢ wᵢ.

    ``scores`` has one row per place and one column per factor (the same order as ``weights``).
    The result stays on the scale of the scores (1–5 in the course).
    """
    s = np.asarray(scores, dtype=float)
    w = normalised_weights(weights)
    if s.ndim != 2 or s.shape[1] != w.size:
        raise ValueError("scores must be a table with one column per weight")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite numbers")
    return s @ w


def ranking(totals) -> list[int]:
    """Indices of the places from best to worst; ties keep the original order."""
    t = np.asarray(totals, dtype=float)
    return [int(i) for i in np.argsort(-t, kind="stable")]


def weight_sensitivity(weights, scores, factor: int, grid) -> np.ndarray:
    """Totals for every place as the weight of one factor runs over ``grid`` (others held fixed).

    Returns an array of shape (len(grid), number of places). Where all weights would be zero the
    row is NaN (no ranking is defined there).
    """
    w = np.asarray(weights, dtype=float)
    s = np.asarray(scores, dtype=float)
    if not 0 <= factor < w.size:
        raise ValueError("factor index out of range")
    out = np.full((len(grid), s.shape[0]), np.nan)
    for row, value in enumerate(grid):
        trial = w.copy()
        trial[factor] = value
        if trial.sum() > 0:
            out[row] = weighted_scores(trial, s)
    return out


def rank_changes(weights, scores, factor: int, grid) -> list[float]:
    """Weights (from ``grid``) at which the leading place changes as that factor's weight moves."""
    table = weight_sensitivity(weights, scores, factor, grid)
    changes, previous = [], None
    for value, row in zip(grid, table):
        if np.all(np.isnan(row)):
            continue
        leader = ranking(row)[0]
        if previous is not None and leader != previous:
            changes.append(float(value))
        previous = leader
    return changes


# ------------------------------------------------------------------------------------------------
# S-curve (logistic) fit
# ------------------------------------------------------------------------------------------------

def logistic(t, ceiling: float, midpoint: float, steepness: float):
    """K / (1 + exp(−k (t − t0))): the share rises from 0 towards the ceiling K, half-way at t0."""
    t = np.asarray(t, dtype=float)
    z = np.clip(-steepness * (t - midpoint), -700, 700)
    out = ceiling / (1.0 + np.exp(z))
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class LogisticFit:
    ceiling: float
    midpoint: float
    steepness: float
    covariance: np.ndarray      # 2×2 for (midpoint, steepness)
    residual_sd: float          # √(SSE / (n − 2))
    n: int

    def __call__(self, t):
        return logistic(t, self.ceiling, self.midpoint, self.steepness)


def _gradient(t, ceiling, midpoint, steepness) -> np.ndarray:
    """∂f/∂t0 and ∂f/∂k for f = K / (1 + e^(−k(t−t0))), as columns."""
    f = logistic(t, ceiling, midpoint, steepness)
    g = np.asarray(f) * (1.0 - np.asarray(f) / ceiling)   # = K·σ(1−σ)
    t = np.asarray(t, dtype=float)
    return np.column_stack([-steepness * g, (t - midpoint) * g])


def fit_logistic(years, shares, ceiling: float = 100.0, iterations: int = 200) -> LogisticFit:
    """Least-squares fit of the midpoint t0 and steepness k, with the ceiling K held fixed.

    Starts from the straight-line fit of the logit ln(y / (K − y)) = k (t − t0), then refines by
    Gauss–Newton with step halving. Needs at least three points strictly between 0 and K.
    """
    t = np.asarray(years, dtype=float)
    y = np.asarray(shares, dtype=float)
    if t.shape != y.shape or t.size < 3:
        raise ValueError("need at least three (year, share) points")
    if not (math.isfinite(ceiling) and ceiling > 0):
        raise ValueError("ceiling must be positive")
    if np.any(y <= 0) or np.any(y >= ceiling):
        raise ValueError("every share must lie strictly between 0 and the ceiling")
    logit = np.log(y / (ceiling - y))
    slope, intercept = np.polyfit(t, logit, 1)
    if slope <= 0:
        raise ValueError("the share is not rising: no S-curve to fit")
    params = np.array([-intercept / slope, slope])

    def sse(p):
        return float(np.sum((y - logistic(t, ceiling, p[0], p[1])) ** 2))

    current = sse(params)
    for _ in range(iterations):
        r = y - logistic(t, ceiling, *params)
        jac = _gradient(t, ceiling, *params)
        step, *_ = np.linalg.lstsq(jac, r, rcond=None)
        scale, improved = 1.0, False
        while scale > 1e-6:
            trial = params + scale * step
            if trial[1] > 0 and sse(trial) < current:
                params, current, improved = trial, sse(trial), True
                break
            scale /= 2
        if not improved or np.max(np.abs(scale * step)) < 1e-10:
            break
    dof = max(t.size - 2, 1)
    sigma = math.sqrt(current / dof)
    jac = _gradient(t, ceiling, *params)
    covariance = sigma ** 2 * np.linalg.pinv(jac.T @ jac)
    return LogisticFit(ceiling=float(ceiling), midpoint=float(params[0]), steepness=float(params[1]),
                       covariance=covariance, residual_sd=sigma, n=int(t.size))


def projection_band(fit: LogisticFit, t, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """An approximate band around the fitted curve (delta method plus the residual spread).

    Half-width z·√(gᵀ Σ g + σ²), with g the gradient in (t0, k), Σ their covariance and σ the
    residual standard deviation; clipped to [0, K]. It reflects only how well six points pin down
    the curve — not whether an S-curve with this ceiling is the right model at all.
    """
    t = np.asarray(t, dtype=float)
    centre = np.asarray(fit(t), dtype=float)
    g = _gradient(t, fit.ceiling, fit.midpoint, fit.steepness)
    variance = np.einsum("ij,jk,ik->i", g, fit.covariance, g) + fit.residual_sd ** 2
    half = z * np.sqrt(np.maximum(variance, 0.0))
    return np.clip(centre - half, 0.0, fit.ceiling), np.clip(centre + half, 0.0, fit.ceiling)


# ------------------------------------------------------------------------------------------------
# Lifetime carbon cost
# ------------------------------------------------------------------------------------------------

def lifetime_emissions_t(production_t: float, grams_per_km: float, lifetime_km: float) -> float:
    """Tonnes of CO₂ over a car's life: production + g/km × km ÷ 1,000,000 (grams → tonnes)."""
    for value in (production_t, grams_per_km, lifetime_km):
        if not math.isfinite(value) or value < 0:
            raise ValueError("emissions and distances must be finite and non-negative")
    return production_t + grams_per_km * lifetime_km / 1e6


def carbon_cost(price_per_t: float, tonnes: float) -> float:
    """Carbon price (yuan per tonne of CO₂) × tonnes."""
    if not (math.isfinite(price_per_t) and math.isfinite(tonnes)) or price_per_t < 0 or tonnes < 0:
        raise ValueError("price and tonnes must be finite and non-negative")
    return price_per_t * tonnes


@dataclass(frozen=True)
class CarResult:
    production_t: float
    use_t: float
    total_t: float
    cost: float


def compare_cars(price_per_t: float, lifetime_km: float, petrol: tuple[float, float],
                 electric: tuple[float, float]) -> dict[str, CarResult]:
    """Both cars' lifetime tonnes and carbon cost. ``petrol`` and ``electric`` are
    (production tonnes, grams of CO₂ per km in use)."""
    out = {}
    for name, (production, per_km) in (("petrol", petrol), ("electric", electric)):
        total = lifetime_emissions_t(production, per_km, lifetime_km)
        out[name] = CarResult(production_t=production, use_t=total - production, total_t=total,
                              cost=carbon_cost(price_per_t, total))
    return out


def breakeven_km(petrol: tuple[float, float], electric: tuple[float, float]) -> float | None:
    """Kilometres after which the car that starts with more production emissions has emitted less
    in total: Δproduction ÷ Δ(g/km) × 1,000,000. ``None`` if one car is never better or worse."""
    (p_prod, p_km), (e_prod, e_km) = petrol, electric
    extra_production = e_prod - p_prod
    saving_per_km = p_km - e_km
    if extra_production <= 0 and saving_per_km >= 0:
        return 0.0
    if extra_production > 0 and saving_per_km > 0:
        return extra_production / saving_per_km * 1e6
    return None
