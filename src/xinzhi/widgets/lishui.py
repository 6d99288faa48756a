"""Notebook 03 (丽水：无中生有): the sourced figures, the purity "nines" and a site-choice exercise.

    from xinzhi.widgets.lishui import PurityNines, SiteChoice, platform_chart, facts_table
"""
from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
import pandas as pd

from .. import charts
from ..data import load, to_unit
from ..errors import InputError
from ..formats import format_number, qualified
from ..models import industry
from ..tables import Table
from . import shared
from .base import FigureWidget, dropdown, slider

__all__ = ["PurityNines", "SiteChoice", "facts_table", "gaps_table", "platform_chart", "gdp_share_sentence",
           "FACTORS"]

OWN_JUDGEMENT = "数据：参与者自己的打分与权重（个人判断，非统计数据）"


# ------------------------------------------------------------------------------------------------
# Sourced figures
# ------------------------------------------------------------------------------------------------

def _point_in_time(period: str) -> bool:
    """A whole year, or a figure as of a date (截至年中, 建成后): not a figure for some months only."""
    return period == "全年" or str(period).startswith(("截至", "建成后"))


def _latest_rows(ds) -> pd.DataFrame:
    """Each indicator's latest figure that is not for some months only (preferred rows)."""
    t = ds.table[ds.table["preferred"].astype(bool) & ds.table["period"].map(_point_in_time)]
    return t.sort_values("year", kind="stable").groupby("indicator", sort=False).tail(1)


def _when(row) -> str:
    """“2023年”, “截至 2022年年中”, “建成后（2025-03 报道）”."""
    period, year = str(row["period"]), int(row["year"])
    if period.startswith("截至"):
        return period.replace("截至", f"截至 {year}年", 1)
    if period == "建成后":
        return f"{period}（{row['date']} 报道）"
    return f"{year}年"


def _value_text(row) -> str:
    return qualified(format_number(float(row["value"])), row.get("qualifier"), "symbol")


def facts_table() -> Table:
    """Lishui's sourced figures, the latest of each, with their unit, time, status and publisher."""
    t = _latest_rows(load("lishui"))
    status = {"final": "公开发布", "preliminary": "初步数", "target": "建成后设计能力（目标）",
              "estimate": "估计", "computed": "推算"}
    out = pd.DataFrame({
        "指标": t["indicator_zh"].to_numpy(),
        "数值": [_value_text(r) for _, r in t.iterrows()],
        "单位": t["unit"].to_numpy(),
        "时间": [_when(r) for _, r in t.iterrows()],
        "性质": [status.get(s, s) for s in t["status"]],
        "来源": [f"{p}《{d}》" for p, d in zip(t["publisher"], t["document"])],
    })
    return Table(out, notes=["“>”表示“超过”，即下限。"] if any(out["数值"].str.startswith(">")) else ())


def gaps_table() -> Table:
    """What could not be confirmed about Lishui: the article's claims and the data gaps (3 columns)."""
    claim = load("seed_article").series("tantalum_target_node", region="丽水").iloc[0]
    capacity = load("lishui").series("high_purity_ta_nb_capacity").iloc[-1]
    statements = load("statements").table
    detector = statements[statements["topic"] == "cooled_ir_detector"]["statement_zh"]
    rows = [
        {"说法或数据": "文章：同创（丽水）实现“全球最前端5nm技术节点高纯钽靶材的量产”",
         "核对结果": "未证实", "说明": str(claim["check_note"])},
        {"说法或数据": "文章：“世界规模最大的集成电路制造用超高纯金属钽加工基地”",
         "核对结果": "未证实",
         "说明": f"只找到{capacity['indicator_zh']} {format_number(capacity['value'])} {capacity['unit']}"
                 f"（{_when(capacity).split('（')[0]}），未找到“世界最大”的比较来源。"},
        {"说法或数据": "文章：“国内首屈一指的硅单晶外延片生产线”",
         "核对结果": "部分支持", "说明": "来源只说外延片等引领平台上游，未找到产能或排名数字。"},
        {"说法或数据": "文章：“打破国外技术垄断的超高清制冷红外探测技术”",
         "核对结果": "部分支持", "说明": "；".join([*detector, "“打破垄断”未找到来源。"])},
    ]
    gaps = load("gaps").table
    checked = set(str(claim["check_ids"]).replace(" ", "").split(";"))
    for _, g in gaps[(gaps["region"] == "丽水") & ~gaps["id"].isin(checked)].iterrows():
        rows.append({"说法或数据": str(g["missing_zh"]), "核对结果": "缺数据", "说明": "公开资料中未找到来源。"})
    return Table(pd.DataFrame(rows))


def gdp_share_sentence() -> str:
    """Lishui's GDP as a share of Zhejiang's, for the latest year both have a figure of the same vintage."""
    lishui = load("lishui").series("gdp", region="丽水")
    zhejiang = load("zhejiang_indicators")
    zj_all = zhejiang.table[(zhejiang.table["indicator"] == "gdp") & (zhejiang.table["region"] == "浙江")
                            & (zhejiang.table["period"] == "全年")]
    zj_all = to_unit(zj_all, "亿元")
    for _, here in lishui[lishui["period"] == "全年"].iloc[::-1].iterrows():
        same = zj_all[(zj_all["year"] == here["year"]) & (zj_all["vintage"] == here["vintage"])]
        if len(same):
            break
    else:
        return "丽水和浙江全省没有同一年、同一口径的地区生产总值，不能相除。"
    zj, year = same.iloc[0], int(here["year"])
    share = 100 * here["value"] / zj["value"]
    text = (f"{year}年丽水地区生产总值 {format_number(here['value'])} 亿元（{here['publisher']}，{here['vintage']}），"
            f"浙江全省 {format_number(zj['value'])} 亿元（{zj['publisher']}，{zj['vintage']}）："
            f"丽水约占全省的 {share:.1f}%。两数口径一致。")
    later = zj_all[(zj_all["year"] == year) & (zj_all["vintage"] != here["vintage"]) & zj_all["preferred"].astype(bool)]
    if len(later):
        text += (f"全省数后来修订为 {format_number(later['value'].iloc[0])} 亿元（{later['vintage'].iloc[0]}），"
                 "不能拿修订数和丽水的初步数相除（口径不同）。")
    return text


_PLATFORM = [("semiconductor_platform_projects", "semiconductor_upstream_projects", "落地项目数"),
             ("semiconductor_platform_investment", "semiconductor_upstream_investment", "项目总投资")]


def platform_chart() -> None:
    """The semiconductor platform in Lishui's development zone: projects and investment, all and upstream."""
    ds = load("lishui")
    pairs = [(ds.series(total).iloc[-1], ds.series(upstream).iloc[-1], title) for total, upstream, title in _PLATFORM]
    rows = pd.DataFrame([row for total, upstream, _title in pairs for row in (total, upstream)])
    fig, axes = charts.new_figure(9.0, 3.6, 1, len(pairs))
    said, bounds = [], []
    for ax, (total, upstream, title) in zip(axes, pairs):
        unit = total["unit"]
        shown = f"{qualified(format_number(total['value']), total['qualifier'], 'before')}"
        ax.barh([1], [total["value"]], color=charts.COLORS[0], label="平台合计")
        ax.barh([0], [upstream["value"]], color=charts.COLORS[1], hatch="//", edgecolor="white",
                label=upstream["indicator_zh"].split("（")[0])
        ax.text(total["value"], 1, f" {shown} {unit}", va="center")
        ax.text(upstream["value"], 0, f" {format_number(upstream['value'])} {unit}", va="center")
        ax.set_yticks([0, 1], ["其中上游", "合计"])
        ax.set_xlim(0, total["value"] * 1.45)
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        said.append(f"{title}{shown}{unit}，其中上游{format_number(upstream['value'])}{unit}")
        if str(total["qualifier"] or "") in ("超过", "不低于"):
            bounds.append(f"“{shown}{unit}”为下限")
    when = _when(pairs[0][0])
    fig.suptitle(f"丽水经开区半导体平台（{when}）", fontsize=14)
    charts.set_source(fig, ds.source_line(rows) + "".join(f"。{b}" for b in bounds) + "。", width=62)
    charts.show(fig, alt=f"两组横条：丽水经开区半导体平台{when}" + "；".join(said) + "。")


# ------------------------------------------------------------------------------------------------
# Widget: purity nines
# ------------------------------------------------------------------------------------------------

class PurityNines(FigureWidget):
    """How much impurity "3N … 7N" leaves: each extra nine divides it by ten (log scale)."""

    title = "纯度的“几个9”：杂质还剩多少？"
    alt = ("对数坐标柱状图：纯度3个9到7个9时，杂质含量分别为1000、100、10、1、0.1 ppm（按质量计），"
           "每多一个9，杂质减少到十分之一；当前选中的纯度用橙色斜线柱标出。")
    figure_size = (8.0, 4.4)
    LEVELS = [3, 4, 5, 6, 7]

    def make_controls(self):
        return {
            "nines": slider("纯度：几个9", 5, 3, 7, 1, integer=True),
            "mass": dropdown("材料的量", {"1 千克": 1.0, "1 吨": 1000.0, "10 吨": 10000.0}, value=1000.0),
        }

    def setup(self, fig, ax):
        ppm = industry.impurity_ppm(self.LEVELS)
        self.bars = ax.bar([f"{n}N\n{industry.purity_percent_text(n)}" for n in self.LEVELS], ppm,
                           color=charts.COLORS[5], edgecolor=charts.COLORS[0])
        for bar, value in zip(self.bars, ppm):
            ax.text(bar.get_x() + bar.get_width() / 2, value * 1.3, f"{format_number(value)} ppm",
                    ha="center", va="bottom", fontsize=11)
        ax.set_yscale("log")
        ax.set_ylim(0.03, 2e4)
        ax.set_ylabel("杂质含量（ppm，按质量计，对数坐标）")
        ax.set_title("每多一个9，杂质就只剩十分之一")
        ax.grid(axis="x", visible=False)
        self.note = ax.text(0.98, 0.96, "", transform=ax.transAxes, ha="right", va="top", fontsize=12,
                            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": charts.COLORS[1]})

    def update(self, nines, mass):
        nines = int(nines)
        for level, bar in zip(self.LEVELS, self.bars):
            chosen = level == nines
            bar.set_facecolor(charts.COLORS[1] if chosen else charts.COLORS[5])
            bar.set_hatch("//" if chosen else "")
        grams = industry.impurity_grams(nines, float(mass))
        mass_text = {1.0: "1 千克", 1000.0: "1 吨", 10000.0: "10 吨"}.get(float(mass), f"{mass:g} 千克")
        self.note.set_text(f"{nines}N：每 {mass_text}材料中\n杂质约 {format_number(grams)} 克")
        ppm = industry.impurity_ppm(nines)
        self.say(f"<b>{nines}N</b> = 纯度 {industry.purity_percent_text(nines)}，杂质占 10<sup>−{nines}</sup>，"
                 f"即 {format_number(ppm)} ppm（百万分之 {format_number(ppm)}）。"
                 f"每 {mass_text}材料里杂质约 <b>{format_number(grams)} 克</b>。"
                 f"从 3N 到 {nines}N，杂质减少到 1/{format_number(10 ** (nines - 3))}。")

    def source(self):
        return "依据：纯度“几个9”的定义（纯算术），不涉及任何企业数据。"


# ------------------------------------------------------------------------------------------------
# Widget: site choice (因地制宜)
# ------------------------------------------------------------------------------------------------

FACTORS = ["生态环境", "土地与能源成本", "人才", "产业配套", "营商环境", "市场距离"]
DEFAULT_NAMES = ["甲地", "乙地", "丙地", "丁地"]
# Fictional scores for a demonstration only (clearly labelled on screen): not about any real place.
EXAMPLE_SCORES = [[5, 4, 2, 2, 4, 2], [2, 2, 5, 5, 3, 5], [3, 5, 3, 3, 3, 3], [4, 3, 3, 4, 5, 2]]
HATCHES = ["", "//", "..", "xx"]
MAX_WEIGHT = 10
NEUTRAL_WEIGHT, NEUTRAL_SCORE = 5, 3


class SiteChoice(FigureWidget):
    """Weight the location factors, score each place 1–5, and see the ranking and its sensitivity."""

    title = "因地制宜：给候选地打分（你自己的判断）"
    alt = ("三幅图：左图是你给六个因素设的权重占比；中图按加权平均分给候选地排名（横条，最上面为第一名）；"
           "右图是敏感性：所选因素的权重从0变到10时，各候选地的加权得分怎样变化，竖虚线是当前权重，"
           "线条相交处排名就会改变。")
    intro = (f"这是<b>你自己的判断</b>：权重和打分都由你来定，起始值是“各因素同等重要、各地都打 {NEUTRAL_SCORE} 分（中性）”，"
             "不是任何真实数据。")
    figure_size = (12.0, 4.4)
    figure_grid = (1, 3)
    max_width = "1000px"
    save_key = "lishui_site_choice"
    inert_controls = frozenset({"save", "example", "neutral"})

    def make_controls(self):
        controls: dict[str, w.Widget] = {}
        controls["n_sites"] = dropdown("候选地个数", {"3 个": 3, "4 个": 4}, value=len(DEFAULT_NAMES))
        for j, name in enumerate(DEFAULT_NAMES):
            controls[f"name{j}"] = w.Text(value=name, description=f"第{j + 1}个地方", placeholder=name,
                                          continuous_update=False, style=shared.style(w.Text, description_width="5em"),
                                          layout={"width": "190px"})
        for i, factor in enumerate(FACTORS):
            controls[f"w{i}"] = w.IntSlider(value=NEUTRAL_WEIGHT, min=0, max=MAX_WEIGHT, step=1,
                                            description=f"{factor}权重",
                                            style=shared.style(w.IntSlider, description_width="8.5em"),
                                            layout={"width": "min(100%, 360px)"})
            for j, name in enumerate(DEFAULT_NAMES):
                controls[f"s{j}_{i}"] = w.IntSlider(value=NEUTRAL_SCORE, min=1, max=5, step=1, description=name,
                                                    style=shared.style(w.IntSlider, description_width="3.5em"),
                                                    layout={"width": "min(100%, 250px)"})
        controls["focus"] = dropdown("敏感性：看哪个因素", {f: i for i, f in enumerate(FACTORS)}, value=0)
        controls["save"] = w.Button(description="保存我的权重和打分", icon="save", layout={"width": "190px"})
        controls["example"] = w.Button(description="填入示例打分（虚构）", layout={"width": "190px"})
        controls["neutral"] = w.Button(description="全部恢复为中性", layout={"width": "190px"})
        controls["save"].on_click(self.safely(self.save))
        controls["example"].on_click(self.safely(lambda: self._fill(EXAMPLE_SCORES, "已填入<b>虚构的示例打分</b>"
                                                                   "（只为演示，不代表任何真实地方）。")))
        controls["neutral"].on_click(self.safely(self._reset))
        return controls

    # --- layout: a table of factors × places ---------------------------------------------------
    def layout(self):
        c = self.controls
        rows = [w.HTML("<b>每个因素：先定权重（0 = 不考虑），再给各地打分（1 差—5 好）</b>")]
        for i in range(len(FACTORS)):
            # the places' scores wrap onto more lines on a narrow screen; every slider keeps a usable track
            scores = w.HBox([c[f"s{j}_{i}"] for j in range(len(DEFAULT_NAMES))], layout={"flex_flow": "row wrap"})
            rows.append(w.VBox([c[f"w{i}"], scores], layout={"border_bottom": "1px solid #ddd",
                                                               "padding": "2px 0 4px 0"}))
        names = w.HBox([c["n_sites"]] + [c[f"name{j}"] for j in range(len(DEFAULT_NAMES))],
                       layout={"flex_flow": "row wrap"})
        buttons = w.HBox([c["save"], c["example"], c["neutral"]], layout={"flex_flow": "row wrap"})
        c["n_sites"].layout = {"width": "230px"}
        c["n_sites"].style = {"description_width": "6em"}
        c["focus"].layout = {"width": "min(100%, 420px)"}
        return [*self.header(), names, w.VBox(rows), c["focus"], buttons, self.status, *self.chart()]

    # --- figure ----------------------------------------------------------------------------------
    def setup(self, fig, axes):
        self.ax_w, self.ax_rank, self.ax_sens = axes
        n = len(DEFAULT_NAMES)
        self.weight_bars = self.ax_w.barh(range(len(FACTORS))[::-1], [1] * len(FACTORS), color=charts.COLORS[5])
        self.ax_w.set_yticks(range(len(FACTORS))[::-1], FACTORS)
        self.ax_w.set_xlim(0, 100)
        self.ax_w.set_xlabel("权重占比（%）")
        self.ax_w.set_title("你的权重")
        self.weight_text = [self.ax_w.text(0, y, "", va="center", fontsize=11) for y in range(len(FACTORS))[::-1]]
        self.rank_bars = self.ax_rank.barh(range(n)[::-1], [3] * n, edgecolor="white")
        self.rank_text = [self.ax_rank.text(0, y, "", va="center", fontsize=11) for y in range(n)[::-1]]
        self.ax_rank.set_xlim(0, 5.9)
        self.ax_rank.set_xlabel("加权平均分（1—5）")
        self.ax_rank.set_title("排名（最上面为第一）")
        self.grid = np.linspace(0, MAX_WEIGHT, 201)
        self.lines = [self.ax_sens.plot([], [], color=charts.COLORS[j], linestyle=charts.LINESTYLES[j],
                                        marker=charts.MARKERS[j], markevery=40, label=DEFAULT_NAMES[j])[0]
                      for j in range(n)]
        self.now_line = self.ax_sens.axvline(5, color="#444444", linestyle="--", linewidth=1.5)
        self.ax_sens.set_xlim(0, MAX_WEIGHT)
        self.ax_sens.set_ylim(0.8, 5.2)
        self.ax_sens.set_xlabel("")
        self.ax_sens.set_ylabel("加权平均分")
        self.legend = charts.legend_below(self.ax_sens, self.lines, DEFAULT_NAMES, ncols=4, xlabel=True)
        for ax in axes:
            ax.grid(axis="y", visible=False)

    def _read(self, values):
        n = int(values["n_sites"])
        names = [charts.label_text(values[f"name{j}"], DEFAULT_NAMES[j], limit=8) for j in range(len(DEFAULT_NAMES))]
        weights = np.array([float(values[f"w{i}"]) for i in range(len(FACTORS))])
        scores = np.array([[float(values[f"s{j}_{i}"]) for i in range(len(FACTORS))]
                           for j in range(len(DEFAULT_NAMES))])
        return n, names, weights, scores

    def update(self, **values):
        n, names, weights, scores = self._read(values)
        for j in range(len(DEFAULT_NAMES)):
            shown = "flex" if j < n else "none"
            self.controls[f"name{j}"].layout.display = shown
            for i in range(len(FACTORS)):
                self.controls[f"s{j}_{i}"].description = names[j]
                self.controls[f"s{j}_{i}"].layout.display = shown
        if weights.sum() <= 0:
            raise InputError("所有权重都是 0，无法比较。请至少给一个因素大于 0 的权重。")
        share = 100 * industry.normalised_weights(weights)
        for bar, text, value in zip(self.weight_bars, self.weight_text, share):
            bar.set_width(value)
            text.set_x(value)
            text.set_text(f" {value:.0f}%")
        totals = industry.weighted_scores(weights, scores[:n])
        order = industry.ranking(totals)
        for position, bar in enumerate(self.rank_bars):
            if position < n:
                site = order[position]
                bar.set_visible(True)
                bar.set_width(totals[site])
                bar.set_facecolor(charts.COLORS[site])
                bar.set_hatch(HATCHES[site])
                self.rank_text[position].set_visible(True)
                self.rank_text[position].set_x(totals[site])
                self.rank_text[position].set_text(f" {totals[site]:.2f}")
            else:
                bar.set_visible(False)
                self.rank_text[position].set_visible(False)
        ticks = list(range(len(DEFAULT_NAMES)))[::-1][:n]
        self.ax_rank.set_yticks(ticks, [f"第{p + 1}  {names[order[p]]}" for p in range(n)])
        self.ax_rank.set_ylim(len(DEFAULT_NAMES) - n - 0.6, len(DEFAULT_NAMES) - 0.4)
        focus = int(values["focus"])
        table = industry.weight_sensitivity(weights, scores[:n], focus, self.grid)
        for j, line in enumerate(self.lines):
            if j < n:
                line.set_data(self.grid, table[:, j])
                line.set_visible(True)
            else:
                line.set_visible(False)
        legend = self.ax_sens.get_legend()    # made again when the figure is drawn narrow
        for j, (handle, text) in enumerate(zip(legend.legend_handles, legend.get_texts())):
            handle.set_visible(j < n)
            text.set_visible(j < n)
            text.set_text(names[j])
        self.now_line.set_xdata([weights[focus], weights[focus]])
        self.ax_sens.set_title(f"敏感性：“{FACTORS[focus]}”的权重")
        self.ax_sens.set_xlabel(f"“{FACTORS[focus]}”的权重（其他权重不变）")
        self._summary(n, names, weights, scores, totals, order, focus)

    def _summary(self, n, names, weights, scores, totals, order, focus):
        best = order[0]
        ties = [names[j] for j in order if abs(totals[j] - totals[best]) < 1e-9]
        if len(ties) > 1:
            lead = f"现在 {'、'.join(ties)} 并列第一（{totals[best]:.2f} 分）"
        else:
            lead = f"按你的权重和打分，<b>{html.escape(names[best])}</b> 排第一（{totals[best]:.2f} 分）"
        changes = industry.rank_changes(weights, scores[:n], focus, np.arange(0, MAX_WEIGHT + 1))
        if changes:
            where = "、".join(format_number(c) for c in changes)
            sens = f"把“{FACTORS[focus]}”的权重调到 {where} 附近时，第一名会换人：结论对这个权重<b>敏感</b>。"
        else:
            sens = f"“{FACTORS[focus]}”的权重在 0—{MAX_WEIGHT} 之间怎么调，第一名都不变：结论对它<b>不敏感</b>。"
        self.say(f"{lead}。{sens}")

    def source(self):
        return OWN_JUDGEMENT + "。"

    # --- buttons ---------------------------------------------------------------------------------
    def _fill(self, table, text):
        with self.batch():
            for j in range(len(DEFAULT_NAMES)):
                for i in range(len(FACTORS)):
                    self.controls[f"s{j}_{i}"].value = table[j][i]
        self.show_message(text, lasting=True, raw=True)

    def _reset(self):
        with self.batch():
            for i in range(len(FACTORS)):
                self.controls[f"w{i}"].value = NEUTRAL_WEIGHT
        self._fill([[NEUTRAL_SCORE] * len(FACTORS)] * len(DEFAULT_NAMES),
                   f"已恢复为同等权重、中性打分（都是 {NEUTRAL_SCORE} 分）。")

    def save(self):
        path = super().save()
        if path is not None:
            self.show_message(f"已保存到 {path.name}（my_work 文件夹）。下次运行这个单元格会自动恢复。", kind="ok",
                              lasting=True)
        return path
