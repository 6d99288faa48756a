"""How many different designs a set of choices allows: the design space is a product.

If a scarf is made by choosing one option on each of several design dimensions (motif, colourway,
layout, symmetry, style …), the number of distinct scarves is the *product* of the numbers of
options — multiplication again, as in the course's formula 被乘数 × 乘数. Such products grow so fast
that they are best read on a log scale: log10 of a product is the sum of the log10 of its factors.

The benchmark is the claim in the seed article (潮新闻, 2024-03-05): “为全世界80亿人每人设计10万条丝巾
且不重样”, i.e. 8×10^9 × 10^5 = 8×10^14 designs.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping

#: The article's claim, as its two factors (80亿人 × 10万条/人) and their product.
CLAIM_PEOPLE = 80 * 10**8          # 80亿人
CLAIM_PER_PERSON = 10 * 10**4      # 10万条
CLAIM_TOTAL = CLAIM_PEOPLE * CLAIM_PER_PERSON   # 8×10^14


def _counts(choices) -> list[int]:
    values = list(choices.values()) if isinstance(choices, Mapping) else list(choices)
    counts = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"number of choices must be a number, not {value!r}")
        if not math.isfinite(value) or value < 1 or value != int(value):
            raise ValueError(f"number of choices must be a whole number ≥ 1, not {value!r}")
        counts.append(int(value))
    return counts


def design_space(choices: Mapping[str, int] | Iterable[int]) -> int:
    """The number of distinct designs: the product of the numbers of choices (exact integer).

    >>> design_space({"纹样": 100, "配色": 20, "构图": 5})
    10000
    An empty set of dimensions allows exactly one design (the empty product).
    """
    return math.prod(_counts(choices))


def log10_design_space(choices: Mapping[str, int] | Iterable[int]) -> float:
    """log10 of the design space, computed as a sum of logs (no overflow, however many dimensions)."""
    return math.fsum(math.log10(c) for c in _counts(choices))


def log10_contributions(choices: Mapping[str, int]) -> dict[str, float]:
    """Each dimension's share of the exponent: log10(choices). They add up to log10_design_space."""
    names = list(choices)
    return {name: math.log10(c) for name, c in zip(names, _counts(choices))}


def claim_total(people: float = CLAIM_PEOPLE, per_person: float = CLAIM_PER_PERSON) -> float:
    """People × designs per person (the article's “80亿人每人10万条” gives 8×10^14)."""
    for value in (people, per_person):
        if not math.isfinite(value) or value < 0:
            raise ValueError("people and designs per person must be finite and ≥ 0")
    return people * per_person


def ratio_to_target(choices, target: float = CLAIM_TOTAL) -> float:
    """How many times the target the design space is (>1: the choices are enough)."""
    if not target > 0:
        raise ValueError("target must be > 0")
    return 10 ** (log10_design_space(choices) - math.log10(target))


def orders_of_magnitude_short(choices, target: float = CLAIM_TOTAL) -> float:
    """How many powers of ten the design space falls short of the target (0 if it is enough)."""
    if not target > 0:
        raise ValueError("target must be > 0")
    return max(0.0, math.log10(target) - log10_design_space(choices))


def dimensions_needed(options_per_dimension: int, target: float = CLAIM_TOTAL) -> int:
    """How many independent dimensions with the same number of options reach ``target``.

    >>> dimensions_needed(10, 8e14)
    15
    """
    if isinstance(options_per_dimension, bool) or options_per_dimension < 2:
        raise ValueError("a dimension needs at least 2 options to multiply anything")
    if not target > 0:
        raise ValueError("target must be > 0")
    if target <= 1:
        return 0
    n = math.ceil(math.log10(target) / math.log10(options_per_dimension) - 1e-12)
    while options_per_dimension ** n < target:   # guard against rounding at exact powers
        n += 1
    return n
