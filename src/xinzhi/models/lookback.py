"""事后看：把一个目标（或预测）和后来的结果放在一起，判断达到、未达到、未到期还是未知。

Reading a target against its outcome, as a pure function: numbers in, a verdict out. The widget
(``widgets/lookback.py``) and the tests use it; the pairs themselves live in ``data/lookback.csv``.

    judge(target, outcome, as_of=2025)           # -> Verdict("met", "达到目标", "…", provisional=False)

A target's qualifier decides what counts: "超过" needs more than the number, "不低于" and "约" (左右)
and no qualifier need at least the number. An outcome written "超过 X" is a lower bound: below the
target it cannot settle the question. Estimates and "左右" outcomes give a provisional verdict.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Figure", "Verdict", "VERDICTS", "judge", "shown", "unit_shown"]

#: verdict code -> (label for a target, label for a forecast)
VERDICTS: dict[str, tuple[str, str]] = {
    "met": ("达到目标", "达到预测"),
    "missed": ("未达到目标", "低于预测"),
    "not_due": ("未到期", "未到期"),
    "unknown": ("结果未知", "结果未知"),
}
_UNIT_SHOWN = {"units": "辆"}
_LOWER_BOUND = {"超过", "不低于"}


@dataclass(frozen=True)
class Figure:
    """One sourced number: a row of data/ reduced to what the judgement needs."""

    value: float
    unit: str
    year: int
    status: str = "final"          # final / preliminary / estimate / target / computed
    qualifier: str = ""            # "" / 约 / 超过 / 不低于
    period: str = "全年"

    @property
    def forecast(self) -> bool:
        """A target row whose status is "estimate" is a forecast (预测), not a goal set by its publisher."""
        return self.status == "estimate"


@dataclass(frozen=True)
class Verdict:
    code: str                      # met / missed / not_due / unknown
    label: str                     # 达到目标 …
    reason: str                    # one Chinese sentence: what was compared with what
    provisional: bool = False      # the outcome is an estimate or "左右": the verdict may change


def unit_shown(unit: str) -> str:
    """The unit as participants read it ("units" in company reports is 辆)."""
    return _UNIT_SHOWN.get(unit, unit)


def shown(value: float, unit: str, qualifier: str = "") -> str:
    """A figure as participants read it: 约5.5%、超过6,000家、300万辆."""
    from ..formats import format_number, qualified

    return qualified(format_number(value), qualifier, "before") + unit_shown(unit)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def judge(target: Figure, outcome: Figure | None, as_of: int,
          convert: Callable[[float, str, str], float] | None = None) -> Verdict:
    """Compare ``outcome`` with ``target``; ``as_of`` is the latest year with published results.

    ``convert(value, from_unit, to_unit)`` puts the outcome into the target's unit (万亿元 → 亿元 …);
    it is needed only when the units differ.
    """
    which = 1 if target.forecast else 0
    goal = shown(target.value, target.unit, target.qualifier)
    if outcome is None:
        if "未注明" in target.period:
            return Verdict("unknown", VERDICTS["unknown"][which], "目标没有写年份，也没有找到可以对照的结果。")
        if target.year > as_of:
            return Verdict("not_due", VERDICTS["not_due"][which], f"{target.year}年到期，还没有结果。")
        return Verdict("unknown", VERDICTS["unknown"][which], f"没有找到{target.year}年的全年结果，无法判断。")

    value = outcome.value
    if outcome.unit != target.unit:
        if convert is None:
            raise ValueError(f"units differ ({outcome.unit} vs {target.unit}) and no converter was given")
        value = float(convert(value, outcome.unit, target.unit))
    got = shown(outcome.value, outcome.unit, outcome.qualifier)
    provisional = outcome.status == "estimate" or outcome.qualifier == "约"
    caveat = "（结果是预计数或“左右”，正式数出来后可能改变）" if provisional else ""

    if outcome.year < target.year:
        if target.unit == "%":
            gap = target.value - value
            progress = (f"还差{gap:.2f}".rstrip("0").rstrip(".") + "个百分点") if gap > 0 else "已达到目标值"
        else:
            progress = f"相当于目标的{100 * value / target.value:.0f}%"
        return Verdict("not_due", VERDICTS["not_due"][which],
                       f"目标是{target.year}年{goal}；{outcome.year}年为{got}，{progress}。", provisional)

    bound = outcome.qualifier in _LOWER_BOUND
    if target.qualifier == "超过":
        met = value > target.value or (bound and _same(value, target.value))
    else:
        met = value > target.value or _same(value, target.value)
    if met:
        return Verdict("met", VERDICTS["met"][which], f"{'预测' if which else '目标'}{goal}，结果{got}{caveat}。",
                       provisional)
    if bound:  # "超过 X" below the target: the true value may still be above it
        return Verdict("unknown", VERDICTS["unknown"][which],
                       f"结果只知道{got}，低于{goal}，不足以判断是否达到。", provisional)
    return Verdict("missed", VERDICTS["missed"][which], f"{'预测' if which else '目标'}{goal}，结果{got}{caveat}。",
                   provisional)
