"""The capstone's formula (notebook 08): numbers in, numbers out, no plotting.

A participant's own formula, in the article's words (潮新闻, 2024-03-05):

    目标产出 = 今天的产出 × (1 + 被乘数扩大) × (1 + 乘数提升 × 融合程度)

* 被乘数 (the industrial carrier) grows by ``carrier_pct`` %;
* 乘数 (science and technology, new tools) raises output per unit of carrier by ``tech_pct`` %
  where it is fully applied;
* 乘号 (deep integration, institutions) is the share ``fusion_pct`` % of the carrier the new tools
  actually reach. With 0 % the multiplier never gets in.

"做加法" stacks the two improvements side by side: 今天 × (1 + 被乘数扩大 + 乘数提升 × 融合程度).
The difference between the two, 今天 × 被乘数扩大 × 乘数提升 × 融合程度, is what multiplying adds:
the carrier's growth also gets the new tools (the cross term). Percentages are in percent (30 = 30 %).
Every number is the participant's own assumption; nothing here is data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .growth import doubling_time, implied_rate

__all__ = ["LIMITS", "Formula", "Outcome", "outcome"]

#: Allowed ranges of the inputs: (minimum, maximum).
LIMITS = {
    "base": (0.01, 1e12),          # today's output, in the participant's own unit
    "carrier_pct": (-100.0, 1000.0),
    "tech_pct": (0.0, 1000.0),
    "fusion_pct": (0.0, 100.0),
    "years": (1, 30),
}


@dataclass(frozen=True)
class Formula:
    base: float
    carrier_pct: float
    tech_pct: float
    fusion_pct: float
    years: int

    def __post_init__(self):
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
                raise ValueError(f"{name}={value!r} is outside {low}…{high}")


@dataclass(frozen=True)
class Outcome:
    today: float
    carrier_step: float      # 被乘数扩大带来的增量
    tech_step: float         # 乘数（经乘号）带来的增量
    cross_step: float        # 相乘多出的部分（交叉项）
    additive: float          # 做加法的结果
    multiplicative: float    # 做乘法的结果
    effective_multiplier: float   # 1 + 乘数提升 × 融合程度
    annual_pct: float        # 相当于每年增长多少（%）；产出归零时为 -100
    doubling: float          # 按这个年增速翻一番要几年（精确值）；不增长时为 inf
    years: int

    @property
    def gain_pct(self) -> float:
        """How much bigger than today (%) with multiplication."""
        return (self.multiplicative / self.today - 1.0) * 100.0


def outcome(formula: Formula) -> Outcome:
    """Both ways of combining the parts, the cross term, and the yearly growth they imply."""
    c = formula.carrier_pct / 100.0
    t = formula.tech_pct / 100.0 * formula.fusion_pct / 100.0
    base = float(formula.base)
    additive = base * (1.0 + c + t)
    multiplicative = base * (1.0 + c) * (1.0 + t)
    annual = implied_rate(base, multiplicative, formula.years)
    return Outcome(today=base, carrier_step=base * c, tech_step=base * t, cross_step=base * c * t,
                   additive=additive, multiplicative=multiplicative, effective_multiplier=1.0 + t,
                   annual_pct=annual, doubling=doubling_time(annual), years=int(formula.years))
