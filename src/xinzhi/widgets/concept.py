"""Notebook 01 (什么是新质生产力): the timeline of the term, "加号变乘号", and Cobb–Douglas.

    from xinzhi.widgets.concept import timeline_chart, PlusTimesWidget, CobbDouglasWidget
    timeline_chart()          # static chart from data/concept_timeline.csv, with its sources
    PlusTimesWidget()         # 加法, 乘法, 短板: two factors summed, multiplied, and limited by the shorter
    CobbDouglasWidget()       # Y = A·K^α·L^(1−α): raising A lifts output at the same inputs
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import charts
from ..data import load
from ..formats import clause, format_number
from ..models import growth
from ..tables import Table
from .base import FigureWidget, slider
from .blitting import steady_limits
from .predict import predict_first

__all__ = ["timeline_chart", "timeline_table", "PlusTimesWidget", "CobbDouglasWidget"]

ILLUSTRATIVE_SOURCE = "示意参数，非真实数据"


# ---------------------------------------------------------------------------------------------
# Where the term comes from
# ---------------------------------------------------------------------------------------------

def _timeline_rows() -> tuple[pd.DataFrame, object]:
    ds = load("concept_timeline")
    rows = ds.table.copy()
    # dates are "YYYY-MM-DD" or, when only the month is known, "YYYY-MM" (placed on the 1st)
    full = rows["date"].astype(str).str.strip().map(lambda d: d + "-01" if len(d) == 7 else d)
    rows["when"] = pd.to_datetime(full, format="%Y-%m-%d", errors="coerce")
    rows = rows.dropna(subset=["when"]).sort_values("when", kind="stable").reset_index(drop=True)
    return rows, ds


def timeline_table() -> Table:
    """The events as a narrow table (日期, 事件, 发布者) for reading on a phone."""
    rows, ds = _timeline_rows()
    return Table(rows[["date", "event_zh", "publisher"]].rename(
        columns={"date": "事件日期", "event_zh": "事件", "publisher": "发布者"}),
        source=ds.source_line(rows.drop(columns="date")))   # the dates are the events', not the reports'


def _dodge(when: pd.Series, share: float = 0.03, step: float = 13.0) -> list[float]:
    """Sideways offsets (points) for markers of events closer than ``share`` of the time span."""
    days = (when - when.min()).dt.days.to_numpy(float)
    span = max(days.max(), 1.0) if len(days) else 1.0
    offsets, group = [0.0] * len(days), []
    for i in range(len(days) + 1):
        if i < len(days) and group and days[i] - days[group[-1]] < share * span:
            group.append(i)
            continue
        for k, j in enumerate(group):
            offsets[j] = (k - (len(group) - 1) / 2) * step
        group = [i]
    return offsets


def timeline_chart(show: bool = True):
    """The term's path from first mention to the government work report, as a dated timeline."""
    rows, ds = _timeline_rows()
    fig, ax = charts.new_figure(9.0, 4.8)
    import matplotlib.dates as mdates
    from matplotlib.transforms import offset_copy

    when = rows["when"].to_numpy()
    ax.axhline(0, color="#444444", linewidth=1.5, zorder=1)
    for i, (t, text, date, dodge) in enumerate(zip(when, rows["event_zh"], rows["date"], _dodge(rows["when"]))):
        up = i % 2 == 0
        height = (0.55 if up else -0.55) * (1.0 if i % 4 < 2 else 0.62)
        color = charts.COLORS[i % len(charts.COLORS)]
        # events a few days apart would hide each other's marker: set them side by side (a few points)
        shifted = offset_copy(ax.transData, fig=fig, x=dodge, y=0, units="points")
        ax.plot([t, t], [0, height], color=color, linewidth=1.2, linestyle=":", transform=shifted)
        ax.plot([t], [0], marker=charts.MARKERS[i % len(charts.MARKERS)], color=color, markersize=10, zorder=3,
                transform=shifted)
        label = charts.wrap_mixed(str(text), 8)
        ax.annotate(f"{date}\n{label}", (t, height), xycoords=shifted, ha="center", va="bottom" if up else "top",
                    fontsize=10, color="#222222")
    ax.set_ylim(-1.25, 1.25)
    ax.set_yticks([])
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    pad = pd.Timedelta(days=40)
    ax.set_xlim(rows["when"].min() - pad, rows["when"].max() + pad)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_title("“新质生产力”一词的来历")
    charts.set_source(fig, ds.source_line(rows.drop(columns="date")))   # event dates are on the chart itself
    if show:
        events = "；".join(f"{date}，{clause(event)}" for date, event in zip(rows["date"], rows["event_zh"]))
        charts.show(fig, alt=f"时间轴，“新质生产力”一词的{len(rows)}个节点：{events}。")
        return None
    return fig


# ---------------------------------------------------------------------------------------------
# 加法 vs 乘法
# ---------------------------------------------------------------------------------------------

@predict_first(notebook="01", key="plus_times", how="把“科技创新”拖到 0",
               question="产业保持 6，把“科技创新”拖到 0：乘法的产出会是多少？（示意参数）",
               target={"industry": 6.0, "technology": 0.0},
               result=lambda _widget: growth.multiplicative_output(6.0, 0.0))
class PlusTimesWidget(FigureWidget):
    """Two factors — industry (被乘数) and technology (乘数) — added, multiplied, or limited by the shorter one."""

    title = "加法、乘法与短板：产业 和 科技创新"
    illustrative = True
    figure_size = (9.0, 4.4)
    figure_grid = (1, 2)
    alt = ("左图三根柱子分别是两个因素相加、相乘和取较小者（短板）的结果；右图横轴是科技创新（乘数），"
           "三条线分别表示相加、相乘和取小的结果随乘数变化，圆点、方块和三角标出当前取值。乘数接近零时，"
           "乘积和短板都跌到零，而和不会；科技创新超过产业以后，短板那条线变平。")
    TECH_MAX = 10.0
    #: (tick label, legend name, hatch, line style, marker) of the sum, the product and the minimum
    STYLES = [("加法\n产业 + 科技", "加法", "", "-", "o"),
              ("乘法\n产业 × 科技", "乘法", "//", "--", "s"),
              ("短板（取小）\nmin(产业, 科技)", "短板（取小）", "..", ":", "^")]

    def make_controls(self):
        return {
            "industry": slider("产业（被乘数）", 6.0, 0.0, 10.0, 0.5),
            "technology": slider("科技创新（乘数）", 3.0, 0.0, self.TECH_MAX, 0.1),
        }

    def setup(self, fig, ax):
        left, right = ax
        colours = [charts.COLORS[i] for i in range(len(self.STYLES))]
        self.bars = left.bar(range(len(self.STYLES)), [0] * len(self.STYLES), width=0.6, color=colours,
                             edgecolor="#222222")
        for bar, style in zip(self.bars, self.STYLES):
            bar.set_hatch(style[2] or None)
        left.set_xticks(range(len(self.STYLES)), [s[0] for s in self.STYLES], fontsize=10)
        left.set_ylim(0, 108)
        left.set_ylabel("产出（示意单位）")
        left.set_title("同样两个因素")
        self.bar_labels = [left.text(i, 0, "", ha="center", va="bottom", fontsize=13) for i in range(len(self.STYLES))]

        xs = np.linspace(0, self.TECH_MAX, 101)
        self.xs = xs
        self.lines, self.dots = [], []
        for colour, (_tick, name, _hatch, style, marker) in zip(colours, self.STYLES):
            line, = right.plot(xs, xs, color=colour, linestyle=style, linewidth=2.2, label=name)
            dot, = right.plot([0], [0], marker=marker, color=colour, markersize=10, linestyle="none")
            self.lines.append(line)
            self.dots.append(dot)
        self.cursor = right.axvline(0, color="#666666", linewidth=1, linestyle=":")
        right.set_xlim(0, self.TECH_MAX)
        right.set_ylim(0, 108)
        right.set_xlabel("科技创新（乘数）")
        right.set_title("乘数变化时")
        right.legend(loc="upper left")

    def update(self, industry, technology):
        a, b = float(industry), float(technology)
        rules = (growth.additive_output, growth.multiplicative_output, growth.weakest_link_output)
        values = [rule(a, b) for rule in rules]
        for bar, label, value in zip(self.bars, self.bar_labels, values):
            bar.set_height(value)
            label.set_position((bar.get_x() + bar.get_width() / 2, value + 1.5))
            label.set_text(format_number(round(value, 1)))
        for line, dot, rule, value in zip(self.lines, self.dots, rules, values):
            line.set_ydata([rule(a, x) for x in self.xs])
            dot.set_data([b], [value])
        self.cursor.set_xdata([b, b])
        plus, times, short = (format_number(round(v, 1)) for v in values)
        # the cross effect: what one more unit of technology adds under each rule, at this industry size
        extra = [format_number(round(rule(a, b + 1) - rule(a, b), 1)) for rule in rules]
        lines = [f"加法 {plus}，乘法 {times}，短板（取小）{short}。",
                 f"<b>科技创新再加 1</b>：加法多 {extra[0]}（与产业多大无关）；乘法多 {extra[1]}（正好等于产业的大小）；"
                 f"取小多 {extra[2]}（只有科技是短板时才有用）。"]
        if min(a, b) < 0.5:
            weak = "产业" if a <= b else "科技创新"
            lines.append(f"{weak}接近零：乘法和短板的结果都跌到零附近，加法却不会。")
        lines.append("乘法和取小里，一个因素起多大作用取决于另一个——这叫<b>互补</b>；加法里两者互不相干。")
        self.say("<br>".join(lines))

    def source(self):
        return ILLUSTRATIVE_SOURCE


# ---------------------------------------------------------------------------------------------
# Cobb–Douglas
# ---------------------------------------------------------------------------------------------

class CobbDouglasWidget(FigureWidget):
    """Y = A·K^α·L^(1−α): the output curve lifted by A, and who contributed to the growth."""

    title = "柯布-道格拉斯生产函数：Y = A·K^α·L^(1−α)"
    illustrative = True
    figure_size = (9.5, 4.6)
    figure_grid = (1, 2)
    alt = ("左图横轴是资本 K，纵轴是产出 Y：虚线是基准情形（A=1、L=100）的产出曲线，实线是当前参数下的曲线，"
           "A 提高时整条曲线上移；方块是基准点，圆点是当前点。右图横条是从基准到当前的产出增长中，"
           "全要素生产率 A、资本 K、劳动 L 各贡献多少个百分点（按对数分解的份额分摊，合计等于实际增长）。")
    BASE = (1.0, 100.0, 100.0)   # A0, K0, L0: Y0 = 100 for every α
    K_MAX = 300.0

    def make_controls(self):
        return {
            "A": slider("全要素生产率 A", 1.2, 0.5, 3.0, 0.05),
            "K": slider("资本 K", 120.0, 10.0, self.K_MAX, 5.0),
            "L": slider("劳动 L", 105.0, 10.0, 300.0, 5.0),
            "alpha": slider("资本份额 α", 0.4, 0.1, 0.9, 0.05),
        }

    def setup(self, fig, ax):
        left, right = ax
        self.ks = np.linspace(0, self.K_MAX, 151)
        self.base_curve, = left.plot(self.ks, self.ks, color=charts.COLORS[0], linestyle="--",
                                     label="基准：A = 1，L = 100")
        self.curve, = left.plot(self.ks, self.ks, color=charts.COLORS[3], linestyle="-", label="当前 A 和 L")
        self.base_dot, = left.plot([self.BASE[1]], [100.0], marker="s", color=charts.COLORS[0],
                                   markersize=10, linestyle="none", label="基准点")
        self.dot, = left.plot([0], [0], marker="o", color=charts.COLORS[3], markersize=10, linestyle="none",
                              label="当前点")
        self.same_k, = left.plot([0], [0], marker="^", color=charts.COLORS[4], markersize=9, linestyle="none",
                                 label="同样的 K=100, L=100")
        left.set_xlim(0, self.K_MAX)
        left.set_xlabel("资本 K")
        left.set_ylabel("产出 Y")
        left.set_title("A 提高：同样投入，产出更多")
        charts.legend_below(left)

        names = ["全要素生产率 A", "资本 K", "劳动 L", "合计"]
        self.hbars = right.barh(range(4), [0, 0, 0, 0], color=[charts.COLORS[5], charts.COLORS[1],
                                                                charts.COLORS[2], "#888888"],
                                edgecolor="#222222")
        for bar, hatch in zip(self.hbars, ["", "//", "..", "xx"]):
            bar.set_hatch(hatch)
        right.set_yticks(range(4), names)
        right.invert_yaxis()
        right.axvline(0, color="#444444", linewidth=1)
        right.set_xlabel("对产出增长的贡献（百分点）")
        right.set_title("增长从哪里来")
        self.hlabels = [right.text(0, i, "", va="center", fontsize=11) for i in range(4)]

    def update(self, A, K, L, alpha):
        A, K, L, alpha = float(A), float(K), float(L), float(alpha)
        a0, k0, l0 = self.BASE
        y0 = growth.cobb_douglas(a0, k0, l0, alpha)
        y = growth.cobb_douglas(A, K, L, alpha)
        self.base_curve.set_ydata(growth.cobb_douglas(a0, self.ks, l0, alpha))
        self.curve.set_ydata(growth.cobb_douglas(A, self.ks, L, alpha))
        self.dot.set_data([K], [y])
        y_same = growth.cobb_douglas(A, k0, l0, alpha)
        self.same_k.set_data([k0], [y_same])
        left = self.ax[0]
        top = max(float(growth.cobb_douglas(A, self.K_MAX, L, alpha)), float(growth.cobb_douglas(a0, self.K_MAX, l0, alpha)))
        steady_limits(left, 0, top * 1.08, fill=0.4, slack=0.2)

        d = growth.growth_decomposition(self.BASE, (A, K, L), alpha)
        # each factor's share of the (log) growth, applied to the actual growth: the bars add up
        shares = [d["share_A"], d["share_K"], d["share_L"]]
        if math.isnan(shares[0]):
            values = [0.0, 0.0, 0.0, 0.0]
        else:
            values = [s / 100.0 * d["total"] for s in shares] + [d["total"]]
        right = self.ax[1]
        span = max(10.0, max(abs(v) for v in values) * 1.45)
        steady_limits(right, -span, span, axis="x", fill=0.4, slack=0.2)
        for i, (bar, label, value) in enumerate(zip(self.hbars, self.hlabels, values)):
            bar.set_width(value)
            share = shares[i] if i < 3 else math.nan
            share_text = "" if math.isnan(share) else f"（占 {share:.0f}%）"
            label.set_text(f"{value:+.1f}{share_text}")
            label.set_position((value + (0.02 * span if value >= 0 else -0.02 * span), i))
            label.set_ha("left" if value >= 0 else "right")
        if math.isnan(d["share_A"]):
            tail = "产出没有变化，谈不上各因素的贡献份额。"
        else:
            tail = f"其中全要素生产率 A 的贡献占 {d['share_A']:.0f}%。"
        self.say(f"基准产出 {y0:.0f}，当前产出 <b>{y:.1f}</b>（{d['total']:+.1f}%）。"
                 f"如果投入不变（K = L = 100），只靠 A，产出就是 {y_same:.1f}。{tail}")

    def source(self):
        return ILLUSTRATIVE_SOURCE
