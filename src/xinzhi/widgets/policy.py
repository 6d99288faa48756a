"""Notebook 06 (乘号：新型生产关系): the target tracker, the innovation-chain allocation, static charts.

    from xinzhi.widgets.policy import TargetTracker, InnovationChain
    TargetTracker()      # “15% a year” compounded over N years, doubling time, year-by-year path
    InnovationChain()    # split a budget across 源头创新→技术开发→成果转化→新兴产业; saved to my_work
"""
from __future__ import annotations

import math

import ipywidgets as w
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from .. import charts
from ..data import load
from ..errors import InputError
from ..formats import format_number, qualified, year_list
from ..models import growth
from ..tables import Table
from .base import FigureWidget, number_box, slider
from .blitting import steady_limits

CHAIN = [("source", "源头创新"), ("develop", "技术开发"), ("transfer", "成果转化"), ("industry", "新兴产业")]
CHECK_ZH = {"matches": "已找到印证", "not_verified": "未核实", "differs": "其他来源不同"}



# ----------------------------------------------------------------------------------------------
# Tables and static charts
# ----------------------------------------------------------------------------------------------

def article_targets_table() -> Table:
    """Hangzhou's targets as the article quotes the mayor, with what could be checked (≤ 5 columns)."""
    t = load("seed_article").table
    rows = t[(t["region"] == "杭州") & (t["status"] == "target")].reset_index(drop=True)
    return Table(pd.DataFrame({
        "文章中的目标": rows["indicator_zh"].to_numpy(),
        "数值": [qualified(format_number(v), q) for v, q in zip(rows["value"], rows["qualifier"])],
        "单位": rows["unit"].to_numpy(),
        "核实情况": rows["check"].map(CHECK_ZH).fillna("未核实").to_numpy(),
        "说明": rows["check_note"].fillna("").to_numpy(),
    }))


def definitions_table() -> Table:
    """What “8+4” and “315” stand for, as the sourced documents define them (3 columns)."""
    rows = load("statements").table
    rows = rows[rows["topic"].isin(["policy_84", "policy_315"])]
    return Table(pd.DataFrame({"含义": rows["statement_zh"].to_numpy(), "出处": rows["document"].to_numpy(),
                               "日期": rows["date"].to_numpy()}))


def policy_table() -> Table:
    """Zhejiang's sourced policy figures (funds, projects), with their status and publisher (≤ 5 columns)."""
    rows = load("policy").table
    status = rows["status"].map({"final": "公布数", "target": "目标", "estimate": "估计"}).fillna(rows["status"])
    note = [s + ("（预算安排）" if "安排" in str(n) else "") for s, n in zip(status, rows["notes"])]
    return Table(pd.DataFrame({
        "指标": [f"{i}（{y}）" for i, y in zip(rows["indicator_zh"], rows["year"])],
        "数值": [qualified(format_number(v), q) for v, q in zip(rows["value"], rows["qualifier"])],
        "单位": rows["unit"].to_numpy(),
        "性质": note,
        "出处": [f"{p}（{d}）" for p, d in zip(rows["publisher"], rows["date"])],
    }))


def action_plan_table() -> Table:
    """The targets of Hangzhou's latest action plan (行动方案): a different document from the article, other targets."""
    rows = load("hangzhou").table
    plans = rows[(rows["status"] == "target") & rows["document"].str.contains("行动方案")]
    rows = plans[plans["date"] == plans["date"].max()].reset_index(drop=True)
    return Table(pd.DataFrame({
        f"{year_list(rows['year'])}年目标": rows["indicator_zh"].to_numpy(),
        "数值": [qualified(format_number(v), q) for v, q in zip(rows["value"], rows["qualifier"])],
        "单位": rows["unit"].to_numpy(),
        "发文": rows["publisher"].to_numpy(),
        "日期": rows["date"].to_numpy(),
    }))


def funds_84_chart() -> None:
    """Provincial funds arranged for the “8+4” policy system, 2023–2025 (budgeted, not outturn)."""
    ds = load("policy")
    rows = ds.series("policy_84_provincial_funds")
    fig, ax = charts.new_figure(7.5, 4.0)
    years = [str(y) for y in rows["year"]]
    bars = ax.bar(years, rows["value"], color=charts.COLORS[0], edgecolor="black", width=0.55)
    for bar, value in zip(bars, rows["value"]):
        ax.text(bar.get_x() + bar.get_width() / 2, value + 15, f"{value:,.1f}", ha="center", fontsize=12)
    rate = growth.implied_rate(rows["value"].iloc[0], rows["value"].iloc[-1], int(rows["year"].iloc[-1] - rows["year"].iloc[0]))
    ax.set_ylim(0, rows["value"].max() * 1.2)
    ax.set_ylabel("亿元")
    ax.set_title(f"“8+4”政策体系安排的省级财政资金（年均约 +{rate:.1f}%）")
    charts.set_source(fig, text=ds.source_line(rows) + "。均为预算安排数，非决算数。")
    listed = "，".join(f"{int(r.year)}年 {r.value:,.1f} 亿元" for r in rows.itertuples())
    charts.show(fig, alt=f"柱状图：“8+4”政策体系安排的省级财政资金，{listed}，逐年略有增加。")


def hangzhou_rd_chart() -> None:
    """Hangzhou's R&D intensity: reported values (filled) and targets (hollow), with the implied path."""
    ds = load("hangzhou")
    rows = ds.series("rd_intensity")
    done = rows[rows["status"] != "target"]
    goal = rows[rows["status"] == "target"]
    fig, ax = charts.new_figure(7.5, 4.2)
    ax.plot(done["year"], done["value"], marker="o", color=charts.COLORS[0], linestyle="-", label="公布值")
    ax.plot(goal["year"], goal["value"], marker="s", markerfacecolor="white", color=charts.COLORS[1],
            linestyle="none", markersize=9, label="目标值（空心）")
    last, final = done.iloc[-1], goal.iloc[-1]
    years = int(final["year"] - last["year"])
    rate = growth.implied_rate(last["value"], final["value"], years)
    path = growth.growth_path(rate, years, start=float(last["value"]))
    ax.plot(range(int(last["year"]), int(final["year"]) + 1), path, color=charts.COLORS[1], linestyle="--",
            linewidth=1.5, label=f"按年均 {rate:.1f}% 连乘的路径")
    for row in rows.itertuples():
        ax.annotate(f"{row.value:g}%", (row.year, row.value), textcoords="offset points", xytext=(0, 9),
                    ha="center", fontsize=11)
    low, high = min(rows["value"].min(), min(path)), max(rows["value"].max(), max(path))
    pad = 0.2 * (high - low or high)
    ax.set_ylim(low - pad, high + pad)                           # room for the labels above the points
    ax.set_xticks(range(int(rows["year"].min()), int(rows["year"].max()) + 1))
    ax.set_ylabel("R&D 经费占 GDP 比重（%）")
    ax.set_title("杭州研发投入强度：公布值与目标")
    ax.legend(loc="upper left")
    charts.set_source(fig, text=ds.source_line(rows))
    shown = "、".join(f"{int(r.year)}年 {r.value:g}%" for r in done.itertuples())
    aims = "、".join(f"{int(r.year)}年目标 {r.value:g}%" for r in goal.itertuples())
    charts.show(fig, alt=f"折线图：杭州研发投入强度 {shown}（公布值），{aims}（空心点）；从 {int(last['year'])}年到 "
                         f"{int(final['year'])}年目标，每年约需提高 {rate:.1f}%（相对增幅）。")


def implied_rates_table() -> Table:
    """The yearly rate implied by two sourced figures: Hangzhou's R&D intensity and the “8+4” funds."""
    hz = load("hangzhou").series("rd_intensity")
    done, goal = hz[hz["status"] != "target"].iloc[-1], hz[hz["status"] == "target"].iloc[-1]
    funds = load("policy").series("policy_84_provincial_funds")
    rows = []
    for name, a, b, unit in [("杭州研发投入强度", done, goal, "%"),
                             ("“8+4”省级财政资金", funds.iloc[0], funds.iloc[-1], " 亿元")]:
        years = int(b["year"] - a["year"])
        rows.append({"事项": name, "起点": f"{int(a['year'])}年 {a['value']:,g}{unit}",
                     "终点": f"{int(b['year'])}年 {b['value']:,g}{unit}",
                     "每年约需提高": round(growth.implied_rate(a['value'], b['value'], years), 2)})
    return Table(pd.DataFrame(rows), units={"每年约需提高": "%"})


# ----------------------------------------------------------------------------------------------
# Widget: target tracker
# ----------------------------------------------------------------------------------------------

class TargetTracker(FigureWidget):
    """A yearly growth target compounded over N years, against simply adding the same amount."""

    title = "目标追踪器：每年增长 g%，N 年后是多少？"
    alt = ("折线图：横轴是年份（第 0 年到第 N 年），纵轴是数值。实线带圆点是按每年 g% 复利（连乘）的路径，"
           "虚线是每年只加起点的 g% 的直线路径；点线标出起点的两倍和翻一番所需的年数。")
    illustrative = True
    figure_size = (8.2, 4.6)

    def make_controls(self):
        return {
            "rate": number_box("年增长目标（%）", "15", "例如 15 或 7.5%"),
            "years": slider("年数", 10, 1, 30, 1, unit="年", integer=True),
            "start": number_box("起点数值", "100", "例如 100"),
        }

    def setup(self, fig, ax):
        (self._compound,) = ax.plot([0, 1], [1, 1], marker="o", markersize=5, color=charts.COLORS[0],
                                    linestyle="-", label="复利：每年乘 (1+g)")
        (self._linear,) = ax.plot([0, 1], [1, 1], color=charts.COLORS[1], linestyle="--",
                                  label="简单相加：每年加起点的 g")
        self._double_line = ax.axhline(2, color="black", linestyle=":", linewidth=1.5, label="起点的 2 倍")
        self._double_year = ax.axvline(1, color=charts.COLORS[2], linestyle="-.", linewidth=1.5,
                                       label="翻一番所需年数")
        self._end_text = ax.text(0, 0, "", fontsize=11, ha="right", va="bottom")
        ax.set_xlabel("第几年")
        ax.set_ylabel("数值")
        ax.legend(loc="upper left")

    def source(self):
        return "示意参数，非真实数据：增长率、年数和起点都由你设定。"

    def update(self, rate, years, start):
        charts.set_source(self.fig, self.source())
        g = self.number("rate", minimum=-50, maximum=100, percent=True)
        base = self.number("start", minimum=0.001, maximum=1e12)
        years = int(years)
        values = growth.growth_path(g, years, base)
        straight = growth.linear_path(g, years, base)
        xs = list(range(years + 1))
        self._compound.set_data(xs, values)
        self._linear.set_data(xs, straight)
        self._double_line.set_ydata([2 * base, 2 * base])
        doubling = growth.doubling_time(g)
        low = min(min(values), min(straight), base) * 0.9
        high = max(max(values), max(straight), 2 * base) * 1.08
        steady_limits(self.ax, -0.3, years + 0.3, axis="x")
        steady_limits(self.ax, low, high)
        visible = math.isfinite(doubling) and doubling <= years
        self._double_year.set_visible(visible)
        if visible:
            self._double_year.set_xdata([doubling, doubling])
        self._end_text.set_position((years, values[-1]))
        self._end_text.set_text(f"{format_number(values[-1])}")
        multiple = growth.compound(g, years)
        if math.isfinite(doubling):
            double = (f"翻一番约需 <b>{doubling:.1f}</b> 年（“70 法则”估算 70 ÷ {g:g} ≈ "
                      f"{growth.rule_of_70(g):.1f} 年）。")
        else:
            double = "增长率不大于 0，永远不会翻一番。"
        steps = "，".join(f"第{t}年 {format_number(v)}" for t, v in zip(xs[1:6], values[1:6]))
        more = "……" if years > 5 else ""
        self.say(f"每年 {g:g}%，{years} 年后是起点的 <b>{multiple:.2f}</b> 倍"
                 f"（{format_number(base)} → {format_number(values[-1])}）；若每年只加起点的 {g:g}%，"
                 f"是 {straight[-1] / base:.2f} 倍。{double}<br>逐年：{steps}{more}")


# ----------------------------------------------------------------------------------------------
# Widget: innovation-chain allocation
# ----------------------------------------------------------------------------------------------

class InnovationChain(FigureWidget):
    """Split a budget across the four links of the chain; record why; save and restore it."""

    title = "创新链预算分配：源头创新 → 技术开发 → 成果转化 → 新兴产业"
    alt = ("示意图：从左到右四个方框，用箭头连成一条链：源头创新、技术开发、成果转化、新兴产业。"
           "每个方框里的色块高度表示分给这一环的预算份额，框下写着百分比和金额。")
    figure_size = (8.6, 3.8)
    inert_controls = frozenset({"reason", "save", "restore"})
    save_key = "innovation_chain"

    def make_controls(self):
        controls = {}
        for key, label in CHAIN:
            controls[key] = number_box(f"{label}（%）", "25", "0 到 100")
        controls["budget"] = number_box("总预算（亿元）", "10", "你自己的假设")
        controls["reason"] = w.Textarea(value="", description="我的理由",
                                        placeholder="为什么这样分？例如：本地缺的是哪一环？",
                                        style={"description_width": "11em"},
                                        layout={"width": "min(100%, 560px)", "height": "6em"})
        save = w.Button(description="保存到我的作品", icon="save", layout={"width": "200px"})
        restore = w.Button(description="读取上次保存的", icon="folder-open", layout={"width": "200px"})
        save.on_click(self.safely(self.save))
        restore.on_click(self.safely(self.restore))
        controls["save"], controls["restore"] = save, restore
        return controls

    def setup(self, fig, ax):
        ax.set_xlim(0, 4)
        ax.set_ylim(-0.55, 1.25)
        ax.set_axis_off()
        self._fills, self._labels, self._boxes = [], [], []
        for i, (_key, label) in enumerate(CHAIN):
            box = FancyBboxPatch((i + 0.12, 0.05), 0.76, 0.95, boxstyle="round,pad=0.02",
                                 facecolor="white", edgecolor="black", linewidth=1.5)
            ax.add_patch(box)
            fill = Rectangle((i + 0.14, 0.06), 0.72, 0.0, facecolor=charts.COLORS[i],
                             hatch=["", "//", "..", "xx"][i], edgecolor="black", linewidth=0.5)
            ax.add_patch(fill)
            ax.text(i + 0.5, 1.1, label, ha="center", fontsize=14)
            self._labels.append(ax.text(i + 0.5, -0.2, "", ha="center", va="center", fontsize=12))
            self._fills.append(fill)
            self._boxes.append(box)
            if i < len(CHAIN) - 1:
                ax.add_patch(FancyArrowPatch((i + 0.9, 0.52), (i + 1.1, 0.52), arrowstyle="-|>",
                                             mutation_scale=22, color="black", linewidth=2))
        ax.set_title("色块越高，分到的份额越大（满格 = 100%）", fontsize=12)

    def source(self):
        return "份额、总预算和理由都是你自己的设定；本图不计算“回报”，课程没有可靠数据支撑这种计算。"

    def shares(self) -> dict[str, float]:
        """The four shares (per cent), checked: each 0–100, together 100."""
        shares = {key: self.number(key, minimum=0, maximum=100, percent=True) for key, _ in CHAIN}
        total = sum(shares.values())
        if abs(total - 100) > 0.05:
            gap = abs(total - 100)
            raise InputError(f"四个环节的份额加起来必须等于 100%，现在是 {total:g}%，"
                             f"{'多' if total > 100 else '少'}了 {gap:g} 个百分点。请调整后再看图。")
        return shares

    def update(self, source, develop, transfer, industry, budget, reason):
        charts.set_source(self.fig, self.source())
        shares = self.shares()
        money = self.number("budget", minimum=0, maximum=1e6)
        smallest = min(shares.values())
        for fill, box, label, (key, name) in zip(self._fills, self._boxes, self._labels, CHAIN):
            fill.set_height(0.93 * shares[key] / 100)
            box.set_linewidth(3.5 if shares[key] == smallest else 1.5)
            label.set_text(f"{shares[key]:g}%\n{format_number(money * shares[key] / 100)} 亿元")
        weakest = "、".join(name for key, name in CHAIN if shares[key] == smallest)
        zero = [name for key, name in CHAIN if shares[key] == 0]
        warning = (f"<br>注意：你给“{'、'.join(zero)}”的份额是 0。回想第 01 讲的“短板”：乘法里有一个因子是 0，"
                   "整个乘积就是 0——链条断在这一环，前面的投入也难以变成产业。") if zero else ""
        if len(set(shares.values())) == 1:
            self.say(f"四个环节平分预算，各 {smallest:g}%。真实的选择很少这样平均：哪一环最该多给？{warning}")
            return
        self.say(f"份额最小的一环是<b>{weakest}</b>（{smallest:g}%，方框加粗）。"
                 f"想一想：你所在的地方，这一环是不是本来就强，还是被忽视了？{warning}")

    def save(self):
        """Save the shares, the budget and the reason, once the shares are valid (they add up to 100%)."""
        self.shares()
        self.number("budget", minimum=0, maximum=1e6)
        path = super().save()
        if path is not None:
            hint = "" if self.controls["reason"].value.strip() else "（还没有写理由：建议补上一两句，再保存一次。）"
            self.show_message(f"已保存到 {path}。{hint}", kind="ok", lasting=True)
        return path

    def restore(self):
        if not self.load_saved() and not self.load_note:
            raise InputError("还没有保存过分配：先填好四个份额和理由，再点“保存到我的作品”。")
