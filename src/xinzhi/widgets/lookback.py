"""Notebook 02, 事后看：the article's and the governments' targets beside what the years turned out to be.

    from xinzhi.widgets.lookback import LookBack, show_lookback_table
    show_lookback_table()   # every pair of data/lookback.csv: target, outcome, verdict, sources
    LookBack()              # pick one: the target and the outcome as bars, the verdict and why

The pairs are rows of ``data/lookback.csv`` (a target id, an outcome id, a partial-period id, a gap id);
the verdict is computed by :func:`xinzhi.models.lookback.judge`, never typed.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

import pandas as pd

from .. import charts
from ..data import convert, list_datasets, load, version
from ..errors import DataError
from ..models.lookback import Figure, Verdict, judge, shown, unit_shown
from ..tables import Table
from .base import FigureWidget, dropdown

__all__ = ["Pair", "pairs", "latest_year", "lookback_table", "show_lookback_table", "LookBack"]

#: verdict code -> bar colour (Okabe–Ito: blue for met, vermillion for missed, grey for the rest)
VERDICT_COLORS = {"met": charts.PALETTE["蓝"], "missed": charts.PALETTE["朱红"], "not_due": charts.PALETTE["天蓝"],
                  "unknown": "#999999"}
_STATUS_ZH = {"final": "正式数", "preliminary": "初步数", "estimate": "预计数", "target": "目标", "computed": "推算数"}
_ACTUAL = ("final", "preliminary", "estimate", "computed")


def facts() -> pd.DataFrame:
    """Every fact row of data/ (all data sets with values, statuses and quotes), indexed by id."""
    return _facts(version(*list_datasets())).copy()


@functools.lru_cache(maxsize=2)
def _facts(_version: tuple) -> pd.DataFrame:
    """:func:`facts` once per version of the data files (the table, its widget and latest_year all read it)."""
    frames = []
    for name in list_datasets():
        ds = load(name)
        if {"id", "value", "status", "quote", "publisher"} <= set(ds.table.columns):
            frames.append(ds.table.assign(dataset=name))
    return pd.concat(frames, ignore_index=True).set_index("id", drop=False)


def latest_year() -> int:
    """The latest year with a full-year published figure (not a target): what "已到期" is measured against."""
    t = _facts(version(*list_datasets()))
    done = t[t["status"].isin(("final", "preliminary")) & (t["period"].astype(str).isin(("全年", "每年")))]
    return int(done["year"].max())


def _in_unit(row, unit: str) -> float:
    value = float(row["value"])
    return value if row["unit"] == unit else float(convert(value, str(row["unit"]), unit))


def _figure(row) -> Figure:
    return Figure(value=float(row["value"]), unit=str(row["unit"]), year=int(row["year"]), status=str(row["status"]),
                  qualifier=str(row.get("qualifier", "") or ""), period=str(row.get("period", "") or "全年"))


@dataclass
class Pair:
    id: str
    label: str
    target: pd.Series
    outcome: pd.Series | None
    partial: pd.Series | None
    gap: str
    notes: str
    verdict: Verdict

    def rows(self) -> pd.DataFrame:
        return pd.DataFrame([r for r in (self.target, self.outcome, self.partial) if r is not None])


def _label(target) -> str:
    name = re.sub(r"（[^）]*）", "", str(target["indicator_zh"])).strip()
    if target["dataset"] == "seed_article":
        period = re.sub(r"（?目标）?", "", str(target["period"])).strip("（）")
        when = "文章中的目标，未注明年份" if "未注明" in period else f"文章中的目标，{period}"
    else:
        when = f"{int(target['year'])}年{'预测' if target['status'] == 'estimate' else '目标'}"
    return f"{target['region']}·{name}（{when}）"


def pairs() -> list[Pair]:
    """The look-back pairs of data/lookback.csv, each with its rows and its computed verdict."""
    return list(_pairs(version(*list_datasets())))


@functools.lru_cache(maxsize=2)
def _pairs(_version: tuple) -> tuple[Pair, ...]:
    t = _facts(_version)
    as_of = latest_year()

    def row(key):
        key = str(key or "").strip()
        if not key:
            return None
        if key not in t.index:
            raise DataError(f"数据文件 data/lookback.csv 引用了不存在的编号“{key}”。恢复方法：核对编号，或从 git 取回原文件。")
        return t.loc[key]

    out = []
    for rec in load("lookback").table.to_dict("records"):
        target, outcome, partial = row(rec["target_id"]), row(rec["outcome_id"]), row(rec["partial_id"])
        verdict = judge(_figure(target), _figure(outcome) if outcome is not None else None, as_of, convert)
        out.append(Pair(rec["id"], _label(target), target, outcome, partial, str(rec["gap_id"] or ""),
                        str(rec["notes"] or ""), verdict))
    return tuple(out)


def _describe(row, goal: bool = False) -> str:
    """约5.5%（2025年，初步数）; for the target itself only its year (a forecast says 预测)."""
    period = str(row["period"])
    when = f"{int(row['year'])}年" + ("" if period in ("全年", "每年") or "目标" in period else period)
    kind = ("预测" if row["status"] == "estimate" else "") if goal else _STATUS_ZH.get(row["status"], "")
    return f"{shown(float(row['value']), str(row['unit']), str(row['qualifier'] or ''))}（{when}{'，' + kind if kind else ''}）"


def _source_line(rows: pd.DataFrame) -> str:
    parts = []
    for name, sub in rows.groupby("dataset", sort=False):
        parts.append(load(name).source_line(load(name).table[load(name).table["id"].isin(sub["id"])]).removeprefix("来源："))
    return "来源：" + "；".join(dict.fromkeys(parts))


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------

def lookback_table() -> tuple[pd.DataFrame, str]:
    """Every pair in one table (项目, 目标, 结果, 判断, 说明) and the source line of all its rows."""
    recs, used = [], []
    for p in pairs():
        if p.outcome is not None:
            result = _describe(p.outcome)
        elif p.partial is not None:
            result = f"全年未找到；{_describe(p.partial)}"
        else:
            result = "未找到"
        recs.append({"项目": p.label, "目标": _describe(p.target, goal=True), "结果": result,
                     "判断": p.verdict.label + ("（暂定）" if p.verdict.provisional else ""), "说明": p.notes})
        used.append(p.rows())
    return pd.DataFrame(recs), _source_line(pd.concat(used, ignore_index=True))


def show_lookback_table() -> Table:
    df, line = lookback_table()
    return Table(df, source=line)


# ---------------------------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------------------------

class LookBack(FigureWidget):
    """Pick a target: its bar beside the outcome's (and a partial-year figure's), with the verdict."""

    title = "事后看：目标与结果"
    alt = ("横条图：上面一条是所选的目标或预测（空心），中间一条是后来公布的结果（实心，颜色表示判断："
           "蓝色达到、朱红色未达到、浅蓝未到期、灰色未知），下面一条是只有部分月份的数（斜线）。"
           "没有找到的结果不画条，只写“未找到”。图的标题是所选项目，右上角写着判断。")
    figure_size = (8.4, 3.4)
    # the labels and the title change length with the choice: laid out once per choice and figure size
    freeze_layout = True

    ROWS = {"target": 2, "outcome": 1, "partial": 0}

    def make_controls(self):
        self._pairs = {p.id: p for p in pairs()}
        options = {p.label: p.id for p in self._pairs.values()}
        return {"item": dropdown("看哪一项", options, value=next(iter(options.values())))}

    def setup(self, fig, ax):
        self._engine = fig.get_layout_engine()
        self._layouts: dict = {}    # (choice, figure size) -> where the axes sit
        self._sources: dict = {}    # choice -> source line
        ys = list(self.ROWS.values())
        self.bars = dict(zip(self.ROWS, ax.barh(ys, [0, 0, 0], height=0.55)))
        self.bars["target"].set(facecolor="white", edgecolor="#222222", linewidth=2)
        self.bars["partial"].set(facecolor="white", edgecolor="#444444", hatch="//", linewidth=1.5)
        self.labels = {k: ax.text(0, y, "", va="center", fontsize=11) for k, y in self.ROWS.items()}
        self.verdict = ax.text(0.99, 0.98, "", transform=ax.transAxes, ha="right", va="top", fontsize=16,
                               fontweight="bold")
        ax.set_yticks(ys, ["目标或预测", "结果", "部分月份"])
        ax.set_ylim(-0.6, 2.6)
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)

    def update(self, item):
        pair = self._pairs[item]
        unit = str(pair.target["unit"])
        values = {}
        for key in self.ROWS:
            row = getattr(pair, key)
            values[key] = None if row is None else _in_unit(row, unit)
        top = charts.nice_ceiling(max(v for v in values.values() if v is not None) * 1.6)
        for key, value in values.items():
            row = getattr(pair, key)
            self.bars[key].set_width(value or 0)
            text = _describe(row, goal=key == "target") if row is not None else ("未找到" if key == "outcome" else "")
            self.labels[key].set_text(text)
            self.labels[key].set_x((value or 0) + top * 0.01)
        self.bars["outcome"].set_color(VERDICT_COLORS[pair.verdict.code])
        self.ax.set_xlim(0, top)
        self.ax.set_xlabel(f"单位：{unit_shown(unit)}")
        self.ax.set_title(pair.label, fontsize=13, loc="left")
        self.verdict.set_text(pair.verdict.label + ("（暂定）" if pair.verdict.provisional else ""))
        self.verdict.set_color(VERDICT_COLORS[pair.verdict.code])
        if item not in self._sources:
            self._sources[item] = _source_line(pair.rows())
        charts.set_source(self.fig, self._sources[item])
        self._lay_out(item)
        gap = f"查过但没找到的：见 data/gaps.csv 的 {html.escape(pair.gap)}。" if pair.gap else ""
        self.say(f"<b>{html.escape(pair.label)}</b>：{html.escape(pair.verdict.reason)}"
                 f"<br>{html.escape(pair.notes)}{gap}")

    def _lay_out(self, item) -> None:
        key = (item, tuple(self.fig.get_size_inches()))
        if key not in self._layouts:
            self._engine.execute(self.fig)
            self._layouts[key] = self.ax.get_position(original=True)
        self.ax.set_position(self._layouts[key])

    def source(self):
        first = next(iter(pairs()))
        return _source_line(first.rows())
