"""Notebook 02 (数字里的浙江): the article's figures checked, a series explorer, a share projection.

    from xinzhi.widgets.numbers import show_article_check, SeriesExplorer, ShareProjectionWidget
    show_article_check()        # the article's 2023 figures beside what other sources say
    SeriesExplorer()            # indicator × year range; every point's status shown by its marker
    ShareProjectionWidget()     # a part growing g1 inside a whole whose rest grows g0
    show_exercise_inputs()      # the three figures for backing out the growth of the rest
    RestGrowthWidget()          # the exercise as a calculator: last year's share in, the rest's growth out
"""
from __future__ import annotations

import functools
import html
import math

import numpy as np
import pandas as pd

from .. import charts
from ..data import load, to_unit, version
from ..errors import InputError
from ..formats import STATUS_ZH, clause, format_number, qualified, year_list
from ..models import growth
from ..tables import Table
from .base import FigureWidget, dropdown, number_box, slider
from .blitting import steady_limits
from .predict import predict_first

__all__ = ["INDICATORS", "STATUS_STYLES", "article_vs_sources", "show_article_check", "series_rows",
           "exercise_inputs", "show_exercise_inputs", "SeriesExplorer", "ShareProjectionWidget", "RestGrowthWidget"]

REGION = "浙江"

#: indicator key -> (menu label, unit shown on the axis, what to keep in mind whatever the year). What a
#: particular year's figure needs saying comes from its row in data/ (status, period, qualifier, notes).
INDICATORS: dict[str, tuple[str, str, str]] = {
    "hightech_va_share": ("高新技术产业增加值占规上工业比重", "%", ""),
    "hightech_va_growth": ("高新技术产业增加值增速", "%", ""),
    "sei_va_growth": ("战略性新兴产业增加值增速", "%", ""),
    "ind_va_growth": ("规上工业增加值增速", "%", ""),
    "gdp_real_growth": ("地区生产总值增速（可比价）", "%", "增速按可比价格计算，扣除了物价变动。"),
    "gdp": ("地区生产总值", "亿元", "修订前后的两种口径分开画，不能连起来算增速。"),
    "rd_intensity": ("研发投入强度（R&D经费占GDP比重）", "%", ""),
    "digital_core_va_growth": ("数字经济核心产业增加值增速", "%", ""),
    "digital_core_va": ("数字经济核心产业增加值", "亿元", ""),
}

#: status category -> (legend label, marker, filled?)
STATUS_STYLES: dict[str, tuple[str, str, bool]] = {
    "final": ("正式数", "o", True),
    "preliminary": ("初步数", "s", True),
    "computed": ("推算数", "X", True),
    "partial": ("非全年（只有部分月份）", "*", False),
    "estimate": ("预计数", "^", False),
    "target": ("目标", "D", False),
    "article": ("文章数字（未核实）", "P", False),
}
_ACTUAL = ("final", "preliminary", "computed")
_REVISED = "经济普查修订"


def _category(row) -> str:
    if row.get("source_kind") == "article":
        return "article"
    if str(row.get("period", "全年")).strip() not in ("", "全年"):
        return "partial"
    status = str(row.get("status", "final"))
    return status if status in STATUS_STYLES else "final"


# ---------------------------------------------------------------------------------------------
# The article's figures beside the sources
# ---------------------------------------------------------------------------------------------

#: the article's figures for Zhejiang checked in notebook 02, in the order of the table
ARTICLE_CHECKS = ["hightech_va_growth", "hightech_va_share", "sei_va_growth", "sei_va_share"]
_CHECK_ZH = {"matches": "一致", "not_verified": "未能核实", "differs": "不一致"}


def _article_rows() -> pd.DataFrame:
    t = load("seed_article").table
    rows = t[(t["region"] == REGION) & t["indicator"].isin(ARTICLE_CHECKS)]
    return rows.set_index("indicator").loc[[i for i in ARTICLE_CHECKS if i in set(rows["indicator"])]]


def article_vs_sources() -> tuple[pd.DataFrame, str]:
    """The article's figures for Zhejiang, what other sources say, and the verdict; with the source line."""
    article = load("seed_article")
    facts = load("zhejiang_indicators")
    checked = _article_rows()
    rows, used_facts = [], []
    header = f"指标（{year_list(checked['year'])}年）"
    for _indicator, r in checked.iterrows():
        other = "未找到其他来源"
        for cid in str(r["check_ids"]).split(";"):
            cid = cid.strip()
            hit = facts.table[facts.table["id"] == cid]
            if len(hit):
                f = hit.iloc[0]
                other = f"{format_number(f['value'])}{f['unit']}（{f['publisher']}，{f['date']}）"
                used_facts.append(cid)
                break
        rows.append({header: r["indicator_zh"], "文章": float(r["value"]),
                     "其他来源": other, "核对": _CHECK_ZH.get(r["check"], r["check"])})
    line = article.source_line(article.table[article.table["id"].isin(list(checked["id"]))])
    if used_facts:
        line += "；" + facts.source_line(facts.table[facts.table["id"].isin(used_facts)]).removeprefix("来源：")
    return pd.DataFrame(rows), line


def show_article_check() -> Table:
    """The article-vs-sources table with its source line."""
    df, line = article_vs_sources()
    units = _article_rows()["unit"].unique()
    return Table(df, units={"文章": units[0]} if len(units) == 1 else None, source=line)


# ---------------------------------------------------------------------------------------------
# Series
# ---------------------------------------------------------------------------------------------

def series_rows(indicator: str) -> pd.DataFrame:
    """Zhejiang's rows for one indicator in a common unit, with the article's unverified figure added.

    Columns: year, value, unit, qualifier, status, period, vintage, publisher, document, date, via,
    category (final / preliminary / computed / partial / estimate / target / article), group (line
    segments that may be joined: a new vintage starts a new group).
    """
    if indicator not in INDICATORS:
        raise InputError(f"没有这个指标：{indicator}。")
    return _series_rows(indicator, version("zhejiang_indicators", "seed_article")).copy()


@functools.lru_cache(maxsize=16)
def _series_rows(indicator: str, _version: tuple) -> pd.DataFrame:
    """:func:`series_rows` once per indicator and version of the data files (the widget asks for each
    indicator's years, then for the one it shows)."""
    unit = INDICATORS[indicator][1]
    facts = load("zhejiang_indicators")
    rows = facts.series(indicator, region=REGION)
    revised = _revision(facts, indicator)
    if revised is not None:   # the figure as first published belongs with the years before the revision
        rows = pd.concat([rows, revised["initial"]], ignore_index=True)
    if unit != "%":
        rows = to_unit(rows, unit)
    rows = rows.assign(source_kind="data")
    article = load("seed_article").table
    extra = article[(article["indicator"] == indicator) & (article["region"] == REGION)
                    & (article["check"] != "matches")]
    if len(extra):
        extra = extra.assign(source_kind="article", vintage="", via="")
        rows = pd.concat([rows, extra[[c for c in rows.columns if c in extra.columns]]], ignore_index=True)
    rows = rows.sort_values(["year"], kind="stable").reset_index(drop=True)
    rows["category"] = [_category(r) for r in rows.to_dict("records")]
    if revised is not None:
        rows["group"] = [1 if (y > revised["year"] or v == revised["vintage"]) else 0
                         for y, v in zip(rows["year"], rows["vintage"])]
    else:
        rows["group"] = 0
    return rows


def _revision(facts, indicator: str) -> dict | None:
    """Where a series was revised (an economic census): the first year whose preferred figure has another
    vintage than a figure first published for the same year. None when the series has no such year.

    {"year", "vintage" (of the revised figures), "initial" (the rows first published), "revised" (their
    replacements)}.
    """
    t = facts.table
    rows = t[(t["indicator"] == indicator) & (t["region"] == REGION) & (t["period"] == "全年")]
    preferred = rows[rows["preferred"].astype(bool)]
    for year in sorted(preferred["year"].unique()):
        now = preferred[preferred["year"] == year].iloc[0]
        before = rows[(rows["year"] == year) & ~rows["preferred"].astype(bool)
                      & (rows["vintage"] != now["vintage"]) & (rows["status"].isin(list(_ACTUAL)))]
        if now["vintage"] == _REVISED and len(before):
            return {"year": int(year), "vintage": now["vintage"], "initial": before.iloc[[0]],
                    "revised": preferred[preferred["year"] == year]}
    return None


def _source_line_for(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "来源：所选年份范围内没有数据"
    parts = []
    for kind, name in (("data", "zhejiang_indicators"), ("article", "seed_article")):
        sub = rows[rows["source_kind"] == kind]
        if len(sub):
            parts.append(load(name).source_line(sub).removeprefix("来源："))
    return "来源：" + "；".join(parts)



def _label(value: float, qualifier: str, unit: str) -> str:
    text = f"{value:,.0f}" if unit != "%" else f"{value:g}"
    return qualified(text, qualifier, "symbol")


def _revision_note(revision: dict, unit: str) -> str:
    """“2023年的数从82,553亿元修订为85,620亿元（经济普查修订）：”, from the rows themselves."""
    before, after = to_unit(revision["initial"], unit).iloc[0], to_unit(revision["revised"], unit).iloc[0]
    return (f"{revision['year']}年的数从{format_number(before['value'])}{unit}修订为"
            f"{format_number(after['value'])}{unit}（{revision['vintage']}）。")


def _reading_notes(shown: pd.DataFrame) -> str:
    """What the figures shown need saying, year by year, from their rows: status, months covered, notes."""
    parts = []
    for category, (label, _marker, _filled) in STATUS_STYLES.items():
        rows = shown[shown["category"] == category]
        if category in ("final", "preliminary") or rows.empty:
            continue
        if category == "partial":
            spans = "、".join(f"{int(r.year)}年（{r.period}）" for r in rows.itertuples())
            parts.append(f"{label}：{spans}")
        else:
            parts.append(f"{label}：{year_list(rows['year'])}年")
    for r in shown.itertuples():   # what a computed or an expected figure rests on
        said = clause(getattr(r, "notes", ""))
        if said and r.category in ("computed", "estimate"):
            parts.append(f"{int(r.year)}年：{said}")
    return "；".join(parts) + ("。" if parts else "")


class SeriesExplorer(FigureWidget):
    """Choose an indicator and a year range: each point's status is shown by its marker."""

    title = "浙江指标浏览器"
    figure_size = (9.5, 4.8)
    alt = ("折线图：横轴是年份，纵轴是所选指标的数值。实线连接正式数、初步数和推算数；空心三角是预计数，"
           "空心菱形是目标，空心星号是只有部分月份的数，空心十字是种子文章里未能核实的数字。"
           "年份之间没有点，表示没有找到来源，不等于零。")
    MAX_LABELS = 24
    FIRST = "hightech_va_share"

    def make_controls(self):
        options = {label: key for key, (label, _unit, _note) in INDICATORS.items()}
        every = pd.concat([series_rows(key)["year"] for key in INDICATORS])
        low, high = int(every.min()), int(every.max())
        first = series_rows(self.FIRST)["year"]
        return {
            "indicator": dropdown("指标", options, value=self.FIRST),
            "start": slider("起始年份", int(first.min()), low, high, 1, integer=True),
            "end": slider("结束年份", int(first.max()), low, high, 1, integer=True),
        }

    def setup(self, fig, ax):
        self._prepared: dict = {}   # indicator -> (its rows, its revision), read once
        self._views: dict = {}      # (indicator, first year, last year) -> what the chart shows
        self.shown_title = None
        self.segments = [ax.plot([], [], color=charts.COLORS[0], linestyle=style, linewidth=2,
                                 label=label)[0]
                         for style, label in (("-", "连线：实际数"), ("--", "连线：经济普查修订口径"))]
        self.points = {}
        for i, (cat, (label, marker, filled)) in enumerate(STATUS_STYLES.items()):
            color = charts.COLORS[i % len(charts.COLORS)]
            self.points[cat], = ax.plot([], [], linestyle="none", marker=marker, markersize=11 if marker == "*" else 9,
                                        color=color, markerfacecolor=color if filled else "white",
                                        markeredgewidth=2, label=label, zorder=4)
        self.labels = [ax.text(0, 0, "", fontsize=10, ha="center", va="bottom", visible=False)
                       for _ in range(self.MAX_LABELS)]
        self.vintage_line = ax.axvline(0, color="#666666", linestyle=":", linewidth=1.2, visible=False)
        self.vintage_text = ax.text(0, 0, "经济普查\n修订口径 →", fontsize=10, color="#444444",
                                    va="bottom", visible=False)
        self.empty_text = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                                  fontsize=14, color="#444444")
        ax.set_xlabel("年份")
        charts.legend_below(ax, ncols=3)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    def _view(self, indicator: str, lo: int, hi: int) -> dict:
        """What the chart shows for one indicator and year range (worked out once: the data do not change)."""
        label, unit, note = INDICATORS[indicator]
        if indicator not in self._prepared:
            self._prepared[indicator] = (series_rows(indicator), _revision(load("zhejiang_indicators"), indicator))
        rows, revision = self._prepared[indicator]
        shown = rows[(rows["year"] >= lo) & (rows["year"] <= hi)].reset_index(drop=True)
        xy = lambda part: (part["year"].to_numpy(float), part["value"].to_numpy(float))  # noqa: E731
        values = shown["value"].to_numpy(float)
        top = float(np.nanmax(values)) if len(values) else 1.0
        bottom = min(0.0, float(np.nanmin(values))) if len(values) else 0.0
        span = (top - bottom) or 1.0
        labels, per_year = [], {}
        for rec in shown.to_dict("records")[:self.MAX_LABELS]:
            k = per_year.get(rec["year"], 0)
            per_year[rec["year"]] = k + 1
            y = rec["value"] + (0.03 * span if k % 2 == 0 else -0.03 * span)
            labels.append(((rec["year"], y), "bottom" if k % 2 == 0 else "top",
                           _label(rec["value"], rec.get("qualifier", ""), unit)))
        revised = revision is not None and lo <= revision["year"] <= hi
        if revised:
            note = f"{_revision_note(revision, unit)}{note}"
        return {
            "segments": [xy(shown[(shown["group"] == g) & shown["category"].isin(_ACTUAL)])
                         for g in range(len(self.segments))],
            "points": {cat: xy(shown[shown["category"] == cat]) for cat in self.points},
            "labels": labels, "top": top, "bottom": bottom, "span": span, "empty": shown.empty,
            "revision": revision["year"] if revised else None,
            "source": _source_line_for(shown), "summary": self._summary(shown, lo, hi, note),
        }

    def update(self, indicator, start, end):
        ax = self.ax
        label, unit, _note = INDICATORS[indicator]
        lo, hi = sorted((int(start), int(end)))
        key = (indicator, lo, hi)
        if key not in self._views:
            self._views[key] = self._view(indicator, lo, hi)
        view = self._views[key]
        for seg, data in zip(self.segments, view["segments"]):
            seg.set_data(*data)
        for cat, artist in self.points.items():
            artist.set_data(*view["points"][cat])
        for n, text in enumerate(self.labels):
            text.set_visible(n < len(view["labels"]))
            if n < len(view["labels"]):
                position, va, words = view["labels"][n]
                text.set_position(position)
                text.set_va(va)
                text.set_text(words)
        top, bottom, span = view["top"], view["bottom"], view["span"]
        steady_limits(ax, lo - 0.7, hi + 0.7, axis="x", slack=0)
        steady_limits(ax, bottom, top + 0.15 * span)
        ax.set_ylabel(f"{label}（{unit}）" if len(label) <= 12 else unit)
        if label != self.shown_title:   # set again only when it changes: the title stays in the background
            ax.set_title(label, fontsize=14)
            self.shown_title = label
        year = view["revision"]
        self.vintage_line.set_visible(year is not None)
        self.vintage_text.set_visible(year is not None)
        if year is not None:
            self.vintage_line.set_xdata([year - 0.5] * 2)
            self.vintage_text.set_position((year - 0.4, bottom + 0.05 * span))
        self.empty_text.set_text("这个年份范围内没有数据" if view["empty"] else "")
        charts.set_source(self.fig, view["source"])
        self.say(view["summary"])

    @staticmethod
    def _summary(shown: pd.DataFrame, lo: int, hi: int, note: str) -> str:
        if shown.empty:
            return f"{lo}—{hi}年没有找到这个指标的数。请把年份范围放宽。"
        counts = shown["category"].value_counts()
        kinds = "、".join(f"{STATUS_STYLES[c][0]} {n} 个" for c, n in counts.items())
        years = sorted(set(int(y) for y in shown["year"]))
        missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
        if not missing:
            gap = ""
        elif len(missing) <= 6:
            gap = f"{'、'.join(map(str, missing))}年没有找到来源（空白不等于零）。"
        else:
            gap = f"{years[0]}—{years[-1]}年之间有 {len(missing)} 个年份没有找到来源（空白不等于零）。"
        reading = _reading_notes(shown) + note
        return f"共 {len(shown)} 个点：{kinds}。{gap}" + (f"<br>读数提示：{html.escape(reading)}" if reading else "")

    def source(self):
        return _source_line_for(series_rows(self.FIRST))


# ---------------------------------------------------------------------------------------------
# Share projection
# ---------------------------------------------------------------------------------------------

def _base_share_row() -> tuple[float, int, pd.DataFrame]:
    ds = load("zhejiang_indicators")
    rows = ds.series("hightech_va_share", region=REGION)
    actual = rows[rows["status"].isin(["final", "preliminary"]) & (rows["period"] == "全年")]
    last = actual.iloc[[-1]]
    return float(last["value"].iloc[0]), int(last["year"].iloc[0]), last


def _share_after(g1: float, g0: float, years: int) -> float:
    return float(growth.share_path(_base_share_row()[0], g1, g0, years)[-1])


@predict_first(notebook="02", key="share_projection", unit="%", how="把 g1 设为 7、g0 设为 2、年数设为 20",
               question=lambda _w: (f"从{_base_share_row()[1]}年的 {format_number(_base_share_row()[0])}% 出发，"
                                    "如果高新技术产业每年增长 7%、其余工业每年增长 2%（示意参数），"
                                    "20 年后高新技术产业的占比是百分之几？"),
               target=lambda _w: {"g1": 7.0, "g0": 2.0, "years": 20, "base": _base_share_row()[0]},
               result=lambda _w: _share_after(7.0, 2.0, 20))
class ShareProjectionWidget(FigureWidget):
    """If high-tech industry grows g1 a year and the rest g0, how does its share move?"""

    title = "占比推算：高新技术产业跑得比其余工业快，占比怎样变？"
    illustrative = True
    figure_size = (9.5, 4.6)
    figure_grid = (1, 2)
    alt = ("左图：横轴是年份，纵轴是高新技术产业增加值占规上工业的比重，从最近一年的公布值出发，按所设增速推算。"
           "右图：两部分的规模指数（起点=100），水平虚线是翻一番（200）；圆点是准确的翻番时间，"
           "竖线记号是70法则的估计。")
    YEARS_MAX = 30

    def make_controls(self):
        return {
            "g1": slider("高新技术产业增速 g1", 7.0, -5.0, 20.0, 0.5, unit="%/年"),
            "g0": slider("其余工业增速 g0", 4.0, -5.0, 20.0, 0.5, unit="%/年"),
            "years": slider("推算年数 N", 15, 1, self.YEARS_MAX, 1, integer=True),
            "base": number_box("起点占比（%）", format_number(_base_share_row()[0]),
                               placeholder=f"例如 {format_number(_base_share_row()[0])}"),
        }

    def setup(self, fig, ax):
        left, right = ax
        self.base_share, self.base_year, self.base_rows = _base_share_row()
        self.share_line, = left.plot([], [], color=charts.COLORS[0], marker="o", markersize=4, label="推算的占比")
        self.start_line = left.axhline(self.base_share, color="#666666", linestyle=":", linewidth=1.2,
                                       label="起点占比")
        self.end_text = left.text(0, 0, "", fontsize=11, ha="right", va="bottom")
        left.set_ylim(0, 100)
        left.set_xlabel("年份")
        left.set_ylabel("占规上工业增加值比重（%）")
        left.set_title("占比怎样变")
        left.legend(loc="lower left", fontsize=10)

        self.part_line, = right.plot([], [], color=charts.COLORS[1], linestyle="-", label="高新技术产业（g1）")
        self.rest_line, = right.plot([], [], color=charts.COLORS[2], linestyle="--", label="其余工业（g0）")
        right.axhline(200, color="#444444", linestyle=":", linewidth=1.2, label="翻一番（= 200）")
        self.exact_marks = [right.plot([], [], marker="o", markersize=9, linestyle="none", color=c,
                                       markerfacecolor="white", markeredgewidth=2)[0]
                            for c in (charts.COLORS[1], charts.COLORS[2])]
        self.rule_marks = [right.plot([], [], marker="|", markersize=22, markeredgewidth=2.5, linestyle="none",
                                      color=c)[0] for c in (charts.COLORS[1], charts.COLORS[2])]
        right.plot([], [], marker="o", linestyle="none", color="#444444", markerfacecolor="white",
                   label="准确的翻番时间")
        right.plot([], [], marker="|", markersize=14, linestyle="none", color="#444444", label="70法则估计")
        right.set_xlabel("从起点算起的年数")
        right.set_ylabel("规模指数（起点 = 100）")
        right.set_title("复利与翻番")
        right.legend(loc="upper left", fontsize=10)

    def update(self, g1, g0, years, base):
        share0 = self.number("base", minimum=0.1, maximum=99.9, percent=True)
        n = int(years)
        g1, g0 = float(g1), float(g0)
        left, right = self.ax
        t = np.arange(n + 1)
        path = growth.share_path(share0, g1, g0, n)
        self.share_line.set_data(self.base_year + t, path)
        self.start_line.set_ydata([share0, share0])
        self.end_text.set_position((self.base_year + n, path[-1] + 1.5))
        self.end_text.set_text(f"{self.base_year + n}年：{path[-1]:.1f}%")
        steady_limits(left, self.base_year - 0.5, self.base_year + n + 0.5, axis="x")
        low = min(float(path.min()), share0)
        steady_limits(left, max(0.0, low - 12), min(100.0, float(path.max()) + 10), slack=0)

        part = growth.growth_path(g1, n, start=100.0)
        rest = growth.growth_path(g0, n, start=100.0)
        self.part_line.set_data(t, part)
        self.rest_line.set_data(t, rest)
        lines = []
        for g, exact_mark, rule_mark, name in ((g1, self.exact_marks[0], self.rule_marks[0], "高新技术产业"),
                                               (g0, self.exact_marks[1], self.rule_marks[1], "其余工业")):
            exact, rule = growth.doubling_time(g), growth.rule_of_70(g)
            exact_mark.set_data(([exact], [200.0]) if exact <= n else ([], []))
            rule_mark.set_data(([rule], [200.0]) if rule <= n else ([], []))
            if math.isinf(exact):
                lines.append(f"{name}增速 {g:g}%，不会翻番")
            else:
                lines.append(f"{name}增速 {g:g}%：翻番需 {exact:.1f} 年（70法则估计 {rule:.1f} 年）")
        steady_limits(right, -0.5, n + 0.5, axis="x")
        top = max(float(part.max()), float(rest.max()), 215.0)
        bottom = min(float(part.min()), float(rest.min()), 100.0)
        # compound growth runs away fast: roomier limits are kept more often while g1 or g0 moves
        steady_limits(right, max(0.0, bottom * 0.9), top * 1.06, fill=0.4, slack=0.2)

        if abs(g1 - g0) < 1e-9:
            trend = "两部分增速相同，占比不变。"
        elif g1 > g0:
            trend = "高新技术产业跑得更快，占比上升，但越接近100%升得越慢。"
        else:
            trend = "高新技术产业跑得更慢，占比下降。"
        self.say(f"起点 {self.base_year}年 {share0:g}%，{n} 年后 <b>{path[-1]:.1f}%</b>。{trend}<br>"
                 + "；".join(lines) + "。")
        charts.set_source(self.fig, self._source_text(share0))

    def _source_text(self, share0: float) -> str:
        ds = load("zhejiang_indicators")
        if abs(share0 - self.base_share) < 1e-9:
            start = f"起点{self.base_year}年占比{self.base_share:g}%——" + ds.source_line(self.base_rows)
        else:
            start = f"起点占比{share0:g}%为你输入的数"
        return f"{start}；增速 g1、g0 和年数是示意参数（你的假设），不是预测"

    def source(self):
        share, _year, _rows = _base_share_row()
        return self._source_text(share)


# ---------------------------------------------------------------------------------------------
# The exercise: back out the growth of the rest
# ---------------------------------------------------------------------------------------------

def exercise_inputs() -> tuple[pd.DataFrame, str]:
    """The exercise's three figures for the article's year: total 规上工业 growth, high-tech growth (the
    article's), high-tech share."""
    facts = load("zhejiang_indicators")
    article = load("seed_article")
    part = article.series("hightech_va_growth", region=REGION).iloc[[0]]
    year = int(part["year"].iloc[0])
    total = facts.series("ind_va_growth", region=REGION)
    total = total[(total["year"] == year) & (total["period"] == "全年")]
    share = facts.series("hightech_va_share", region=REGION)
    share = share[(share["year"] == year) & share["status"].isin(list(_ACTUAL))]
    df = pd.DataFrame([
        {"符号": "G", "含义": f"规上工业增加值增速（{year}年）", "数值": float(total['value'].iloc[0]),
         "出处": f"{total['publisher'].iloc[0]}（{STATUS_ZH.get(total['status'].iloc[0], '')}）"},
        {"符号": "g1", "含义": f"高新技术产业增加值增速（{year}年）", "数值": float(part['value'].iloc[0]),
         "出处": f"{part['publisher'].iloc[0]}（文章数字，未能核实）"},
        {"符号": "s", "含义": f"高新技术产业占规上工业比重（{year}年）", "数值": float(share['value'].iloc[0]),
         "出处": f"{share['publisher'].iloc[0]}（与文章一致）"},
    ])
    line = facts.source_line(pd.concat([total, share])) + "；" + article.source_line(part).removeprefix("来源：")
    return df, line




def exercise_values() -> dict[str, float]:
    """The exercise's three numbers as numbers, read from data/: {"G": …, "g1": …, "s": …} in percent."""
    df, _ = exercise_inputs()
    return dict(zip(df["符号"], df["数值"]))


def show_exercise_inputs() -> Table:
    df, line = exercise_inputs()
    return Table(df, units={"数值": "%"}, source=line)


class RestGrowthWidget(FigureWidget):
    """The exercise as a calculator: type last year's share, read the growth of the rest, labelled."""

    title = "倒推其余工业的增速：整体增速是两部分增速的加权平均"
    figure_size = (8.0, 3.8)
    alt = ("柱宽代表占比、柱高代表增速的两根柱子：左边是高新技术产业（宽为上年占比 s，高为 g1），右边是其余工业"
           "（宽为 1 − s，高为倒推出的 g0）；水平虚线是整体增速 G。两根柱子的面积加起来，正好等于虚线下整个宽度的面积。")

    def make_controls(self):
        return {"share_prev": number_box("上年占比 s（%）", "50", placeholder="你估计的上一年占比")}

    def setup(self, fig, ax):
        self.inputs = exercise_values()
        self.part_bar = ax.bar([0], [0], width=[0], align="edge", color=charts.COLORS[0], edgecolor="#222222",
                               label="高新技术产业（g1）")[0]
        self.rest_bar = ax.bar([0], [0], width=[0], align="edge", color=charts.COLORS[1], edgecolor="#222222",
                               hatch="//", label="其余工业（g0，倒推）")[0]
        ax.axhline(self.inputs["G"], color="#222222", linestyle="--", linewidth=1.5,
                   label=f"整体增速 G = {format_number(self.inputs['G'])}%")
        self.labels = [ax.text(0, 0, "", ha="center", va="bottom", fontsize=12) for _ in range(2)]
        ax.set_xlim(0, 1)
        ax.set_xlabel("上一年占规上工业增加值的比重")
        ax.set_ylabel("增加值增速（%）")
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
        ax.legend(loc="upper right", fontsize=10)

    def update(self, share_prev):
        s = self.number("share_prev", minimum=0.1, maximum=99.9, percent=True)
        total, part = self.inputs["G"], self.inputs["g1"]
        rest = growth.rest_growth(total_pct=total, part_pct=part, share_prev_pct=s)
        w_part = s / 100
        self.part_bar.set_x(0)
        self.part_bar.set_width(w_part)
        self.part_bar.set_height(part)
        self.rest_bar.set_x(w_part)
        self.rest_bar.set_width(1 - w_part)
        self.rest_bar.set_height(rest)
        for label, x, y in zip(self.labels, (w_part / 2, w_part + (1 - w_part) / 2), (part, rest)):
            label.set_position((x, max(y, 0) + 0.15))
            label.set_text(f"{y:.2f}%")
        values = [0.0, total, part, rest]
        self.ax.set_ylim(min(values) - 0.8, max(values) + 1.6)
        self.say(f"按你填的上年占比 s = {format_number(s)}%：<br><b>其余工业增速 g0</b> = (G − s·g1) ÷ (1 − s) = "
                 f"({format_number(total)} − {format_number(s)}% × {part:.1f}) ÷ (1 − {format_number(s)}%)"
                 f" ≈ <b>{rest:.2f}%</b>")

    def source(self):
        return exercise_inputs()[1] + "；上年占比 s 是你填的数"
