"""Notebook 04 (吉利：有中生优): sourced sales series, an S-curve model of China's NEV share, carbon cost.

    from xinzhi.widgets.geely import geely_sales_chart, zeekr_chart, china_nev_chart, NevSCurve, CarbonCost
"""
from __future__ import annotations


import ipywidgets as w
import numpy as np
import pandas as pd

from .. import charts
from ..data import load, to_unit
from ..formats import by_year, clause, format_number, year_list
from ..models import industry
from ..tables import Table
from .base import FigureWidget, number_box, slider
from .predict import predict_first

__all__ = ["geely_sales_chart", "zeekr_chart", "china_nev_chart", "nev_share_table", "NevSCurve", "CarbonCost"]

MODEL_NOT_FORECAST = "这是模型，不是预测"


def _wan(rows: pd.DataFrame) -> pd.DataFrame:
    return to_unit(rows, "万辆")


# ------------------------------------------------------------------------------------------------
# Static charts
# ------------------------------------------------------------------------------------------------

def _nev_not_found(ds_years) -> list[int]:
    """Years of Geely's total sales for which no NEV figure was found (data/gaps.csv says what was searched)."""
    gaps = load("gaps").table
    searched = gaps[(gaps["region"] == "吉利汽车") & gaps["indicator_en"].str.startswith("NEV sales")]
    return sorted(set(int(y) for y in searched["year"]) & set(int(y) for y in ds_years))


def geely_sales_chart() -> None:
    """Geely Automobile's total sales, with its NEV sales where sourced (three definitions, marked apart)."""
    ds = load("auto_nev")
    total_rows = ds.series("sales_total", region="吉利汽车")
    wide_rows = ds.series("nev_sales_electrified", region="吉利汽车")
    nev_rows = ds.series("nev_sales", region="吉利汽车")
    total, wide, nev = _wan(total_rows), _wan(wide_rows), _wan(nev_rows)
    summed = (nev["status"] == "computed").to_numpy()
    fig, ax = charts.new_figure(9.0, 4.8)
    top = charts.nice_ceiling(total["value"].max() * 1.15)
    ax.bar(total["year"], total["value"], color=charts.COLORS[5], label="总销量（吉利汽车控股，含领克）")
    for year, value in zip(total["year"], total["value"]):
        ax.text(year, value + 0.01 * top, f"{value:.0f}", ha="center", va="bottom", fontsize=11)
    groups = [
        (wide, "o", 3, "新能源（“电气化”，口径较宽，可能含混动）", "较宽口径"),
        (nev[summed], "s", 0, "新能源：纯电 + 插混（由公告两行相加）", "纯电+插混"),
        (nev[~summed], "D", 2, "新能源：银河 + 极氪 + 领克（公司公布的合计）", "公司公布的合计"),
    ]
    groups = [g for g in groups if len(g[0])]
    for rows, marker, colour, label, _short in groups:
        ax.plot(rows["year"], rows["value"], linestyle="none", marker=marker, markersize=11,
                color=charts.COLORS[colour], markerfacecolor="white" if marker == "o" else None,
                markeredgewidth=2.5, label=label)
        for year, value in zip(rows["year"], rows["value"]):
            ax.text(year + 0.2, value, f"{value:.1f}", va="center", fontsize=11)
    missing = _nev_not_found(total["year"])
    for year in missing:
        ax.text(year, 0.05 * top, "新能源\n未找到", ha="center", fontsize=10, color="#444444")
    ax.set_ylim(0, top)
    ax.set_ylabel("万辆")
    ax.set_title(f"吉利汽车：总销量与新能源车销量（{len(groups)}种口径，不可直接比较）")
    ax.legend(loc="upper left", fontsize=10)
    ax.grid(axis="x", visible=False)
    estimated = nev_rows[summed]
    note = (f"。{year_list(estimated['year'])}年新能源为推算（{clause(estimated['notes'].iloc[0])}）"
            if len(estimated) else "")
    charts.set_source(fig, ds.source_line(pd.concat([total_rows, wide_rows, nev_rows])) + note + "。", width=62)
    marks = "，".join(f"{by_year(rows, unit='万')}（{short}）" for rows, _m, _c, _l, short in groups)
    gap = f"；{year_list(missing)}年未找到" if missing else ""
    charts.show(fig, alt=f"柱状图：吉利汽车总销量（辆）{by_year(total, unit='万')}。点表示新能源车销量：{marks}{gap}。")


def zeekr_chart() -> None:
    """Zeekr's deliveries as the company reported them; the first year's note (a late start) on its bar."""
    ds = load("auto_nev")
    rows = ds.series("deliveries", region="极氪")
    wan = _wan(rows)
    first = clause(rows["notes"].iloc[0])
    fig, ax = charts.new_figure(7.5, 4.0)
    top = charts.nice_ceiling(wan["value"].max() * 1.2)
    hatches = ["//" if first and k == 0 else "" for k in range(len(wan))]
    ax.bar(wan["year"], wan["value"], color=charts.COLORS[0], hatch=hatches, edgecolor="white")
    for year, value in zip(wan["year"], wan["value"]):
        ax.text(year, value + 0.02 * top, f"{value:.1f} 万辆", ha="center", va="bottom", fontsize=11)
    if first:
        ax.annotate(first, xy=(wan["year"].iloc[0], wan["value"].iloc[0]), xytext=(6, 60),
                    textcoords="offset points", fontsize=10, arrowprops={"arrowstyle": "->", "color": "#444444"})
    ax.set_xticks(wan["year"])
    ax.set_ylim(0, top)
    ax.set_ylabel("万辆")
    ax.set_title("极氪交付量")
    ax.grid(axis="x", visible=False)
    charts.set_source(fig, ds.source_line(rows), width=52)
    said = f"；{int(wan['year'].iloc[0])}年：{first}" if first else ""
    charts.show(fig, alt=f"柱状图：极氪交付量（辆）{by_year(wan, unit='万')}{said}。")


def china_nev_chart() -> None:
    """China's NEV sales (万辆) and market share (%); computed shares marked."""
    ds = load("auto_nev")
    sales_rows = ds.series("nev_sales", region="全国")
    share_rows = ds.series("nev_share", region="全国")
    sales = _wan(sales_rows)
    fig, (left, right) = charts.new_figure(10.0, 4.2, 1, 2)
    left.bar(sales["year"], sales["value"], color=charts.COLORS[2])
    high = charts.nice_ceiling(sales["value"].max() * 1.1)
    for year, value in zip(sales["year"], sales["value"]):
        left.text(year, value + 0.01 * high, f"{value:.0f}", ha="center", va="bottom", fontsize=10)
    left.set_title("新能源汽车销量（万辆）")
    left.set_ylim(0, high)
    left.grid(axis="x", visible=False)
    computed = share_rows["status"] == "computed"
    right.plot(share_rows["year"], share_rows["value"], color=charts.COLORS[0], zorder=1)
    right.plot(share_rows.loc[~computed, "year"], share_rows.loc[~computed, "value"], "o", color=charts.COLORS[0],
               markersize=9, label="中汽协公布")
    right.plot(share_rows.loc[computed, "year"], share_rows.loc[computed, "value"], "o", color=charts.COLORS[0],
               markerfacecolor="white", markeredgewidth=2, markersize=9, label="推算：新能源销量 ÷ 汽车总销量")
    share_top = charts.nice_ceiling(share_rows["value"].max() * 1.15)
    for year, value in zip(share_rows["year"], share_rows["value"]):
        right.text(year, value + 0.03 * share_top, f"{value:.1f}%", ha="center", fontsize=10)
    right.set_title("新能源汽车市场占有率（%）")
    right.set_ylim(0, share_top)
    right.set_xlim(share_rows["year"].min() - 0.5, share_rows["year"].max() + 0.5)
    right.legend(loc="upper left", fontsize=10)
    estimated = year_list(share_rows.loc[computed, "year"])
    charts.set_source(fig, ds.source_line(pd.concat([sales_rows, share_rows]))
                      + (f"。{estimated}年占有率为推算值（空心点）。" if estimated else "。"), width=72)
    charts.show(fig, alt=f"左图柱状：全国新能源汽车销量（辆）{by_year(sales, unit='万')}。右图折线：市场占有率"
                         f"{by_year(share_rows, unit='%')}" + (f"；其中{estimated}年为推算。" if estimated else "。"))


def nev_share_table() -> Table:
    """China's NEV share with each year's status (4 columns)."""
    ds = load("auto_nev")
    rows = ds.series("nev_share", region="全国")
    status = {"final": "中汽协公布", "computed": "推算"}
    return Table(pd.DataFrame({"年份": rows["year"], "占有率": rows["value"],
                               "性质": [status.get(s, s) for s in rows["status"]],
                               "说明": [n if isinstance(n, str) else "" for n in rows["notes"]]}),
                 units={"占有率": "%"}, source=ds.source_line(rows))


# ------------------------------------------------------------------------------------------------
# Widget: S-curve
# ------------------------------------------------------------------------------------------------

def _share_data():
    ds = load("auto_nev")
    rows = ds.series("nev_share", region="全国")
    return ds, rows, rows["year"].to_numpy(dtype=float), rows["value"].to_numpy(dtype=float)


def _projection_year() -> int:
    """The year the prediction asks about: six years after the last year of data."""
    return int(_share_data()[2].max()) + 6


@predict_first(notebook="04", key="nev_s_curve", unit="%",
               question=lambda _w: (f"按最小二乘拟合的 S 形曲线（饱和上限 100%），{_projection_year()}年全国新能源"
                                    "汽车的市场占有率会是百分之几？"),
               how=lambda _w: f"把“画到哪一年”调到 {_projection_year()}，上限保持 100%",
               target=lambda _w: {"ceiling": 100, "horizon": _projection_year()},
               result=lambda widget: float(widget.fit_for(100)(_projection_year())))
class NevSCurve(FigureWidget):
    """A logistic curve through China's NEV share: move it yourself, compare with the least-squares fit."""

    title = "S 形曲线：新能源汽车市场占有率（模型，不是预测）"
    figure_size = (9.0, 4.8)
    inert_controls = frozenset({"reset"})

    def make_controls(self):
        _, rows, years, shares = _share_data()
        first, last = int(years.min()), int(years.max())
        estimated = year_list(rows.loc[rows["status"] == "computed", "year"])
        self.alt = (f"折线图：点是{first}—{last}年全国新能源汽车市场占有率"
                    + (f"（{estimated}年为推算，空心点）" if estimated else "")
                    + "；虚线是按最小二乘拟合的逻辑斯蒂曲线，浅色带是它的大致不确定范围；实线是你用滑块调出的曲线；"
                      "竖线右边是模型外推。")
        fit = industry.fit_logistic(years, shares, ceiling=100.0)
        self._fits: dict[float, industry.LogisticFit] = {100.0: fit}
        lowest_cap = min(100, 5 * (int(shares.max()) // 5 + 1))      # a ceiling above every share observed
        controls = {
            "ceiling": slider("饱和上限", 100, lowest_cap, 100, 5, unit="%", integer=True),
            "midpoint": slider("中点年份", min(max(round(fit.midpoint, 1), first), last + 15), first, last + 15, 0.1,
                               fmt=".1f"),
            "steepness": slider("陡峭程度", round(fit.steepness, 2), 0.10, 1.50, 0.01, fmt=".2f"),
            "horizon": slider("画到哪一年", last + 10, last + 1, last + 25, 1, integer=True),
            "reset": w.Button(description="回到最小二乘拟合", icon="undo", layout={"width": "200px"}),
        }
        controls["reset"].on_click(self.safely(self.reset))
        return controls

    def fit_for(self, ceiling: float) -> industry.LogisticFit:
        ceiling = float(ceiling)
        if ceiling not in self._fits:
            _, _, years, shares = _share_data()
            self._fits[ceiling] = industry.fit_logistic(years, shares, ceiling=ceiling)
        return self._fits[ceiling]

    def reset(self):
        fit = self.fit_for(self.controls["ceiling"].value)
        with self.batch():
            self.controls["midpoint"].value = round(fit.midpoint, 1)
            self.controls["steepness"].value = round(fit.steepness, 2)

    def setup(self, fig, ax):
        self.data = _share_data()          # read once: an update only moves the curves
        self.source_text = self.source()
        _, rows, years, shares = self.data
        computed = (rows["status"] == "computed").to_numpy()
        self.band = ax.fill_between(years[:2], [0, 0], [1, 1], color=charts.COLORS[5], alpha=0.3, linewidth=0,
                                    label="拟合的大致范围（约95%）")
        self.fit_line, = ax.plot([], [], color=charts.COLORS[0], linestyle="--", linewidth=2, label="最小二乘拟合")
        self.own_line, = ax.plot([], [], color=charts.COLORS[3], linestyle="-", linewidth=2.5, label="你的曲线")
        ax.plot(years[~computed], shares[~computed], "o", color="black", markersize=8, label="中汽协公布")
        ax.plot(years[computed], shares[computed], "o", color="black", markerfacecolor="white", markeredgewidth=2,
                markersize=8, label="推算（销量÷总销量）")
        self.ceiling_line = ax.axhline(100, color="#444444", linestyle=":", linewidth=1.5)
        ax.axvline(years.max() + 0.5, color="#444444", linewidth=1)
        ax.text(years.max() + 0.7, 3, "右边是模型外推 →", fontsize=10, color="#444444")
        ax.text(0.02, 0.97, MODEL_NOT_FORECAST, transform=ax.transAxes, fontsize=16, color=charts.COLORS[3],
                va="top")
        ax.set_ylim(0, 105)
        ax.set_ylabel("新能源汽车市场占有率（%）")
        charts.legend_below(ax, ncols=3)

    def update(self, ceiling, midpoint, steepness, horizon):
        _, _, years, shares = self.data
        fit = self.fit_for(ceiling)
        start = years.min() - 1
        t = np.linspace(start, float(horizon), 300)
        low, high = industry.projection_band(fit, t)
        self.band.set_verts([np.column_stack([np.r_[t, t[::-1]], np.r_[low, high[::-1]]])])
        self.fit_line.set_data(t, fit(t))
        own = industry.logistic(t, float(ceiling), float(midpoint), float(steepness))
        self.own_line.set_data(t, own)
        self.ceiling_line.set_ydata([float(ceiling), float(ceiling)])
        charts.set_source(self.fig, self.source_text, width=64)   # wrapped for Chinese text (same artist)
        self.ax.set_xlim(start, float(horizon) + 0.5)
        own_at = industry.logistic(float(horizon), float(ceiling), float(midpoint), float(steepness))
        fit_at = fit(float(horizon))
        band_at = industry.projection_band(fit, [float(horizon)])
        own_rmse = float(np.sqrt(np.mean((shares - industry.logistic(years, ceiling, midpoint, steepness)) ** 2)))
        fit_rmse = float(np.sqrt(np.mean((shares - fit(years)) ** 2)))
        self.say(f"上限 {ceiling}% 时，最小二乘拟合：中点 {fit.midpoint:.1f}年、陡峭程度 {fit.steepness:.2f}，"
                 f"与数据平均相差 {fit_rmse:.1f} 个百分点；按它算 {horizon}年约 {fit_at:.0f}%"
                 f"（大致范围 {band_at[0][0]:.0f}%—{band_at[1][0]:.0f}%）。"
                 f"<br>你的曲线与数据平均相差 <b>{own_rmse:.1f}</b> 个百分点，{horizon}年为 <b>{own_at:.0f}%</b>。"
                 f"<br><b>{MODEL_NOT_FORECAST}</b>：上限、政策、技术和价格都会改变走势，范围只反映 {len(years)} 个点的拟合误差。")

    def source(self):
        ds, rows, _, _ = _share_data()
        return ds.source_line(rows) + "。曲线是逻辑斯蒂模型（公式见正文），不是预测。"


# ------------------------------------------------------------------------------------------------
# Widget: lifetime carbon cost
# ------------------------------------------------------------------------------------------------

class CarbonCost(FigureWidget):
    """Carbon price × lifetime CO₂ for a petrol car and an electric car — every number your assumption."""

    title = "一辆车一辈子的碳成本（按你的假设）"
    alt = ("两幅横条图：左图是燃油车和电动车全生命周期的二氧化碳排放（吨），分为生产（斜线）和使用两段；"
           "右图是按你填的碳价算出的碳成本（元）。所有默认值都是示意假设。")
    illustrative = True
    intro = ("六个框里的默认值都是<b>示意假设</b>（整数，便于计算），不是测量值，也不代表任何车型。"
             "请换成你查到的、有出处的数字，或你自己的假设；课程数据里没有碳价和单车排放的来源。")
    figure_size = (10.0, 3.8)
    figure_grid = (1, 2)

    def make_controls(self):
        return {
            "price": number_box("碳价（元/吨）", "100", "示意假设"),
            "km": number_box("一生行驶里程（公里）", "150000", "示意假设"),
            "petrol_prod": number_box("燃油车生产排放（吨）", "6", "示意假设"),
            "petrol_gkm": number_box("燃油车使用排放（克/公里）", "150", "示意假设"),
            "ev_prod": number_box("电动车生产排放（吨，含电池）", "10", "示意假设"),
            "ev_gkm": number_box("电动车使用排放（克/公里，含发电）", "100", "示意假设"),
        }

    def setup(self, fig, axes):
        self.ax_t, self.ax_c = axes
        y = [1, 0]
        self.prod_bars = self.ax_t.barh(y, [1, 1], color=charts.COLORS[6], hatch="//", edgecolor="#444444",
                                        label="生产")
        self.use_bars = self.ax_t.barh(y, [1, 1], left=[1, 1], color=charts.COLORS[0], label="使用")
        self.total_text = [self.ax_t.text(0, yy, "", va="center", fontsize=11) for yy in y]
        self.ax_t.set_yticks(y, ["燃油车", "电动车"])
        self.ax_t.set_xlabel("全生命周期排放（吨二氧化碳）")
        charts.legend_below(self.ax_t)
        self.cost_bars = self.ax_c.barh(y, [1, 1], color=[charts.COLORS[3], charts.COLORS[2]])
        self.cost_bars[1].set_hatch("..")
        self.cost_text = [self.ax_c.text(0, yy, "", va="center", fontsize=11) for yy in y]
        self.ax_c.set_yticks(y, ["燃油车", "电动车"])
        self.ax_c.set_xlabel("碳成本（元）")
        for ax in axes:
            ax.grid(axis="y", visible=False)

    def update(self, **_values):
        price = self.number("price", minimum=0, maximum=10000)
        km = self.number("km", minimum=0, maximum=2_000_000)
        petrol = (self.number("petrol_prod", minimum=0, maximum=100), self.number("petrol_gkm", minimum=0, maximum=1000))
        electric = (self.number("ev_prod", minimum=0, maximum=100), self.number("ev_gkm", minimum=0, maximum=1000))
        result = industry.compare_cars(price, km, petrol=petrol, electric=electric)
        cars = [result["petrol"], result["electric"]]
        top_t = max(1.0, max(c.total_t for c in cars))
        top_c = max(1.0, max(c.cost for c in cars))
        for k, car in enumerate(cars):
            self.prod_bars[k].set_width(car.production_t)
            self.use_bars[k].set_x(car.production_t)
            self.use_bars[k].set_width(car.use_t)
            self.total_text[k].set_x(car.total_t)
            self.total_text[k].set_text(f" {format_number(round(car.total_t, 1))} 吨")
            self.cost_bars[k].set_width(car.cost)
            self.cost_text[k].set_x(car.cost)
            self.cost_text[k].set_text(f" {format_number(round(car.cost))} 元")
        self.ax_t.set_xlim(0, top_t * 1.35)
        self.ax_c.set_xlim(0, top_c * 1.4)
        diff = result["petrol"].cost - result["electric"].cost
        even = industry.breakeven_km(petrol, electric)
        if even is None:
            even_text = "按这些假设，电动车每公里排放不比燃油车少，跑得越多差距越大。"
        elif even == 0:
            even_text = "按这些假设，电动车从出厂起就排放更少。"
        else:
            even_text = (f"电动车出厂时多排的 {format_number(round(electric[0] - petrol[0], 1))} 吨，"
                         f"要跑约 <b>{format_number(round(even))} 公里</b>才“追平”。")
        who = "燃油车" if diff >= 0 else "电动车"
        self.say(f"按你的假设：燃油车一生约 {format_number(round(cars[0].total_t, 1))} 吨、碳成本 "
                 f"{format_number(round(cars[0].cost))} 元；电动车约 {format_number(round(cars[1].total_t, 1))} 吨、"
                 f"{format_number(round(cars[1].cost))} 元。{who}多付 <b>{format_number(round(abs(diff)))} 元</b>。"
                 f"{even_text}")

    def source(self):
        return "示意参数，非真实数据：碳价、里程和排放的默认值都是示意假设，课程数据里没有它们的来源。"
