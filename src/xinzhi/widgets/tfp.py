"""Notebook 07 (全要素生产率): the growth-accounting widget and the notebook's static charts and tables.

    from xinzhi.widgets.tfp import GrowthAccounting
    GrowthAccounting()                       # six countries × period × factor shares × China's GDP ledger

Two ledgers for China: the official one (国家统计局's real GDP growth, with PWT's inputs) and PWT's own
(PWT's alternative GDP series for China). The other five economies are the same in both. The official
figures are of two kinds (data/china_gdp_official.csv): averages over stated spans, and a year-by-year
index from one yearbook table, which gives any span between two of its years. Two years are only ever
compared within one table: figures of different releases are never combined.

Static pieces (one call per notebook cell):

    reproduction_table()      the check against PWT's own TFP series (rtfpna), one row per country
    official_table()          国家统计局's published figures, with what they are in log points
    ledgers_table()           China on both ledgers, for every published span (and each index's whole span)
    decomposition_table(1978, 2018)   six economies; China on both ledgers
    inputs_table("CHN")       a few years of the inputs, readable units
    explain("CHN", 1978, 2019)  one country's decomposition in a sentence
    imputed_shares_table()    early years whose labour share never changes
    show_tfp_check("CHN")     PWT's rtfpna and the course's computation on one chart
    show_labour_shares()      labour shares over time: the flat (imputed) early years
    show_annual_tfp("CHN")    year-by-year Solow residuals: a residual is noisy
    show_maddison()           GDP per person since 1820, log scale (Maddison Project Database 2020)
    default_period()          the longest span with an official figure inside PWT's years

The arithmetic lives in :mod:`xinzhi.models.accounting`.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.ticker import LogLocator

from .. import charts
from ..data import load, shared_table, version
from ..formats import signed
from ..models import accounting as acc
from ..tables import Table
from . import base
from .blitting import steady_limits
from .predict import predict_first

PWT = "pwt1001_6countries"
MPD = "mpd2020_6countries"
OFFICIAL = "china_gdp_official"
#: Rows of a year-by-year index (one table of one yearbook; base_year = 100), not a stated span.
OFFICIAL_INDEX = "gdp_real_index"
#: The two ledgers for China's real GDP (the other five economies are the same in both).
LEDGERS = {"official": "官方账本", "pwt": "PWT 账本"}
LEDGER_NOTES = {"official": "国家统计局公布的 GDP 增长 + PWT 的投入", "pwt": "PWT 的 GDP（对中国是替代估计）+ PWT 的投入"}
#: What the Maddison Project Database 2020 uses for China (its own source list, data/README.md).
MADDISON_CHINA = "中国一线：1952—2008年为 Wu (2014) 的估计，2008年以后为 Conference Board Total Economy Database，均非国家统计局的官方序列"
#: The Maddison Project Database's unit of GDP per person (its documentation, data/README.md).
MADDISON_UNIT = "2011年美元"
# The Maddison workbook's 'Sources' sheet also names this for every country, 2008–2016.
MPD_ALL_COUNTRIES = "；各国 2008–2016：Conference Board Total Economy Database"

COMPONENT_COLORS = {
    "capital": charts.PALETTE["蓝"],
    "employment": charts.PALETTE["橙"],
    "hours": charts.PALETTE["黄"],
    "human_capital": charts.PALETTE["天蓝"],
    "tfp": charts.PALETTE["绿"],
}
COMPONENT_HATCHES = {"capital": "", "employment": "//", "hours": "..", "human_capital": "\\\\", "tfp": "xx"}
COUNTRY_STYLE = {code: (charts.COLORS[i % len(charts.COLORS)], charts.LINESTYLES[i], charts.MARKERS[i])
                 for i, code in enumerate(acc.COUNTRIES)}


def pwt_table() -> pd.DataFrame:
    """The PWT extract: one frame per data-file version (read it, never change it), so the growth components
    computed from it are remembered across the notebook's tables, charts and widget (models/accounting.py)."""
    return shared_table(PWT)


def pwt_source() -> str:
    return load(PWT).source_line()


def maddison_source() -> str:
    ds = load(MPD)
    return ds.source_line(ds.table) + MPD_ALL_COUNTRIES


# ---------------------------------------------------------------------------------------------------
# The official ledger: 国家统计局's published figures
# ---------------------------------------------------------------------------------------------------

def _official_rows() -> pd.DataFrame:
    ds = load(OFFICIAL)
    return ds.table[ds.table["preferred"].astype(bool)]


def official_indexes() -> list[pd.DataFrame]:
    """The year-by-year indexes: one frame per table (document and base year), sorted by year.

    Each frame's years can be compared with one another (and with the base year, = 100); a year of one
    table is never compared with a year of another.
    """
    return [g.copy() for g in _official()["indexes"]]


def _index_growth(start: int, end: int) -> tuple[float, list[str]] | None:
    """Average log growth from start to end out of one index table, and the rows used; None if none has both."""
    for levels, ids in _official()["levels"]:
        if start in levels and end in levels and start < end:
            return (acc.average_log_growth(end - start, increase_times=levels[end] / levels[start] - 1),
                    [ids[year] for year in (start, end) if year in ids])
    return None


def official_spans() -> pd.DataFrame:
    """The official figures, one row per span: each published average, and each index's whole span.

    Columns: ``start`` (base year), ``end``, ``years``, ``gdp`` (average log points a year, from the
    cumulative increase or index level where one is published, else from the average rate), ``published``
    (the figure as written), ``ids`` (data rows used), ``in_pwt`` (the span lies inside PWT's years),
    ``index`` (True for an index: any two of its years make a span, see :func:`official_growth`).
    """
    return _official()["spans"].copy()


def _official() -> dict:
    """The official figures worked out once per version of the data files (a widget asks at every update)."""
    return _official_of(version(OFFICIAL, PWT))


@functools.lru_cache(maxsize=4)
def _official_of(_version: tuple) -> dict:
    t = _official_rows()
    index_rows = t[t["indicator"] == OFFICIAL_INDEX]
    indexes = [g.sort_values("year").reset_index(drop=True)
               for _, g in index_rows.groupby(["document", "base_year"], sort=True)]
    levels = []   # per index table: {year: level} with the base year = 100, and {year: row id}
    for g in indexes:
        years = g["year"].astype(int)
        levels.append(({int(g["base_year"].iloc[0]): 100.0} | dict(zip(years, g["value"].astype(float))),
                       dict(zip(years, g["id"]))))
    official = {"indexes": indexes, "levels": levels}
    first, last = acc.available_period(pwt_table(), "CHN")
    rows = []
    for (start, end), g in t[t["indicator"] != OFFICIAL_INDEX].groupby(["base_year", "year"], sort=True):
        start, end = int(start), int(end)
        times = g[g["indicator"] == "gdp_real_increase_times"]
        rate = g[g["indicator"] == "gdp_real_avg_growth"]
        written = [f"{start + 1}—{end}年年均增长 {v:g}%" for v in rate["value"]] + \
            [f"{end}年比{start}年增长 {v:g} 倍" for v in times["value"]]
        if len(times):
            gdp = acc.average_log_growth(end - start, increase_times=float(times["value"].iloc[0]))
        else:
            gdp = acc.average_log_growth(end - start, rate_pct=float(rate["value"].iloc[0]))
        rows.append({"start": start, "end": end, "years": end - start, "gdp": gdp, "published": "；".join(written),
                     "ids": list(g["id"]), "in_pwt": first <= start and end <= last, "index": False})
    for g, (levels_of, _ids) in zip(indexes, levels):
        start, end = int(g["base_year"].iloc[0]), int(g["year"].iloc[-1])
        gdp = acc.average_log_growth(end - start, increase_times=levels_of[end] / levels_of[start] - 1)
        written = (f"{start}年 = 100 的逐年指数（{int(g['year'].iloc[0])}—{end}年），{end}年为 {g['value'].iloc[-1]:g}；"
                   f"其间任意两年可比")
        rows.append({"start": start, "end": end, "years": end - start, "gdp": gdp, "published": written,
                     "ids": list(g["id"]), "in_pwt": first <= start and end <= last, "index": True})
    spans = official["spans"] = pd.DataFrame(rows)
    official["stated"] = {(r["start"], r["end"]): (r["gdp"], r["ids"]) for r in rows if not r["index"]}
    inside = spans[spans["in_pwt"]] if rows else spans
    official["text"] = "、".join(f"{a}—{b}" + ("年间的任意两年" if index else "")
                                for a, b, index in inside[["start", "end", "index"]].itertuples(index=False))
    return official


def official_growth(start: int, end: int) -> tuple[float, list[str]] | None:
    """国家统计局's average real GDP growth from start to end (log points a year) and the rows it rests on.

    A published average for exactly this span comes first; else two years of one index table. None when
    neither exists: no figure is ever made by joining figures of different releases.
    """
    stated = _official()["stated"].get((start, end))
    if stated is not None:
        return float(stated[0]), list(stated[1])
    return _index_growth(start, end)


def official_source(ids=None) -> str:
    """The source line for the official figures (those with ``ids``, or all those inside PWT's years)."""
    ds = load(OFFICIAL)
    if ids is None:
        spans = _official()["spans"]
        ids = [i for row in spans.loc[spans["in_pwt"], "ids"] for i in row]
    rows = ds.table[ds.table["id"].isin(list(ids))]
    return "中国 GDP（官方账本）：" + ds.source_line(rows).removeprefix("来源：")


def default_period() -> tuple[int, int]:
    """The longest span with an official figure inside PWT's years (the latest, if two are as long)."""
    spans = _official()["spans"]
    inside = spans[spans["in_pwt"]].sort_values(["years", "end"])
    if inside.empty:
        return acc.available_period(pwt_table(), "CHN")
    best = inside.iloc[-1]
    return int(best["start"]), int(best["end"])


def china_decomposition(start: int, end: int, ledger: str = "official",
                        capital_share: float | None = None, table: pd.DataFrame | None = None) -> acc.Decomposition | None:
    """China's decomposition on one ledger; None on the official ledger for a span without an official figure."""
    if ledger not in LEDGERS:
        raise ValueError(f"ledger must be one of {sorted(LEDGERS)}, not {ledger!r}")
    d = acc.decompose(pwt_table() if table is None else table, "CHN", start, end, capital_share=capital_share)
    if ledger == "pwt":
        return d
    official = official_growth(start, end)
    return acc.with_gdp_growth(d, official[0]) if official is not None else None


def official_spans_text() -> str:
    """The spans with an official figure inside PWT's years, for messages: “1978—2006年间的任意两年、1978—2009…”."""
    return _official()["text"]


# ---------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------

def reproduction_table(hours: bool = True) -> Table:
    """The check: does the course's computation give PWT's rtfpna? One row per country, Chinese headers.

    ``hours=False`` shows what happens with a labour input that leaves hours out (it does not match).
    """
    check = acc.reproduce_rtfpna(pwt_table(), hours=hours)
    return Table(pd.DataFrame({
        "国家": check["name"],
        "比较的年份": [f"{a}—{b}" for a, b in zip(check["first"], check["last"])],
        "年数": check["years"],
        "最大相对差": [f"{x:.5%}" if x < 1e-3 else f"{x:.1%}" for x in check["max_rel_diff"]],
        "一致？": [bool(x < 1e-3) for x in check["max_rel_diff"]],
    }), status={"一致？": ("一致", "不一致")}, notes="一致：每一年的差别都小于千分之一。")


_POINTS = ["GDP 年均增长", "资本贡献", "劳动贡献", "TFP 贡献"]
_SMALL_GROWTH = "“—”：GDP 年均增长不到 0.5 个对数点时，不计算 TFP 占增长的比例（分母太小，比例没有意义）。"


def _row(column: str, label: str, d: acc.Decomposition) -> dict:
    return {column: label, "GDP 年均增长": round(d.gdp, 2), "资本贡献": round(d.capital, 2),
            "劳动贡献": round(d.labour, 2), "TFP 贡献": round(d.tfp, 2),
            "TFP 占增长": f"{d.tfp / d.gdp:.0%}" if d.gdp > 0.5 else None}


def _decomposition(rows: list[dict]) -> Table:
    return Table(pd.DataFrame(rows), units=dict.fromkeys(_POINTS, "对数点"), decimals=dict.fromkeys(_POINTS, 2),
                 missing=_SMALL_GROWTH)


def decomposition_table(start: int | None = None, end: int | None = None,
                        capital_share: float | None = None) -> Table:
    """Average annual GDP growth and its sources for the six economies (log points a year).

    China appears twice when 国家统计局 published a figure for the span: on the official ledger and on
    PWT's. Without ``start``/``end``: :func:`default_period`.
    """
    if start is None or end is None:
        start, end = default_period()
    table = pwt_table()
    rows = []
    for code, name in acc.COUNTRIES.items():
        s, e = acc.clamp_period(table, code, start, end)
        late = "" if (s, e) == (start, end) else f"（{s}—{e}）"
        if code == "CHN":
            official = china_decomposition(s, e, "official", capital_share)
            if official is not None:
                rows.append(_row("国家", f"{name}（{LEDGERS['official']}）{late}", official))
            rows.append(_row("国家", f"{name}（{LEDGERS['pwt']}）{late}", china_decomposition(s, e, "pwt", capital_share)))
        else:
            rows.append(_row("国家", name + late, acc.decompose(table, code, s, e, capital_share=capital_share)))
    return _decomposition(rows)


def official_table() -> Table:
    """国家统计局's published figures: the span, the figure as written, and the same in log points a year."""
    spans = _official()["spans"]
    ds = load(OFFICIAL)
    out = pd.DataFrame({
        "时期（基期—末年）": [f"{a}—{b}" for a, b in zip(spans["start"], spans["end"])],
        "国家统计局的说法": spans["published"],
        "折成对数增长": spans["gdp"].round(2),
        "可与 PWT 对照": ["是" if x else "否（超出 PWT 的年份）" for x in spans["in_pwt"]],
        "出处": [ds.source_line(ds.table[ds.table["id"].isin(ids)]).removeprefix("来源：") for ids in spans["ids"]],
    })
    return Table(out, units={"折成对数增长": "对数点/年"}, decimals={"折成对数增长": 2})


def ledgers_table() -> Table:
    """China on both ledgers, for every span with an official figure inside PWT's years (log points a year)."""
    rows = []
    spans = _official()["spans"]
    for start, end in spans.loc[spans["in_pwt"], ["start", "end"]].itertuples(index=False):
        for ledger in ("official", "pwt"):
            row = _row("时期与口径", f"{start}—{end}，{LEDGERS[ledger]}",
                       china_decomposition(int(start), int(end), ledger))
            rows.append(row)
    return _decomposition(rows)


def reference_year() -> int:
    """PWT's reference year: its price base and the year its indexes equal 1 (from the extract itself)."""
    table = pwt_table()
    return int(table.loc[(table["rtfpna"] - 1).abs() < 1e-9, "year"].mode().iloc[0])


def inputs_table(country: str = "CHN", years=None) -> Table:
    """A few years of the inputs for one country, in units a reader can follow (five columns).

    By default: the start of the default period, the round decades from ten years after it, and the last year.
    """
    table = pwt_table()
    if years is None:
        start, _end = default_period()
        last = int(table.loc[table["countrycode"] == country, "year"].max())
        years = [start, *range(-(-(start + 10) // 10) * 10, last, 10), last]   # decades at least ten years on
    rows = table[(table["countrycode"] == country) & (table["year"].isin(list(years)))].set_index("year")
    out = pd.DataFrame({
        "实际 GDP": (rows["rgdpna"] / 1e6).round(2),
        "资本服务": rows["rkna"].round(3),
        "就业人数": rows["emp"].round(1),
        "人力资本指数": rows["hc"].round(2),
        "劳动份额": rows["labsh"].round(3),
    })
    out.index.name = "年份"
    base_year = reference_year()
    return Table(out, units={"实际 GDP": f"万亿美元，{base_year}年价", "资本服务": f"{base_year}年 = 1", "就业人数": "百万人"},
                 decimals={"实际 GDP": 2, "资本服务": 3, "就业人数": 1, "人力资本指数": 2, "劳动份额": 3})


def explain(country: str = "CHN", start: int | None = None, end: int | None = None,
            capital_share: float | None = None, ledger: str = "official"):
    """One country's decomposition in a sentence (shown as HTML). For China, ``ledger`` picks the GDP series."""
    from IPython.display import HTML

    if start is None or end is None:
        start, end = default_period()
    table = pwt_table()
    s, e = acc.clamp_period(table, country, start, end)
    name = acc.COUNTRIES.get(country, country)
    source = pwt_source()
    if country == "CHN":
        d = china_decomposition(s, e, ledger, capital_share)
        if d is None:
            return HTML(f"<p>{name} {s}—{e}年：本课程没有国家统计局这一时期的增长数（能算的时期："
                        f"{official_spans_text()}），官方账本算不了；可以看 PWT 账本。</p>")
        name = f"{name}（{LEDGERS[ledger]}：{LEDGER_NOTES[ledger]}）"
        if ledger == "official":
            source = official_source(official_growth(s, e)[1]) + "；投入：" + source
    else:
        d = acc.decompose(table, country, s, e, capital_share=capital_share)
    share = "PWT 逐年劳动份额" if capital_share is None else f"固定资本份额 α = {capital_share:.2f}"
    parts = d.shares()
    text = (f"<p><b>{name} {d.start}—{d.end}年</b>（{share}）：实际 GDP 年均增长 <b>{d.gdp:.2f}</b> 个对数点"
            f"（约 {np.expm1(d.gdp / 100):.1%}）。其中：资本投入贡献 {d.capital:.2f}（约 {parts['capital']:.0%}）；"
            f"劳动投入贡献 {d.labour:.2f}（就业人数 {d.employment:.2f}、人均工时 {d.hours:.2f}、人力资本 "
            f"{d.human_capital:.2f}）；剩下的 <b>{d.tfp:.2f}</b>（约 {parts['tfp']:.0%}）是全要素生产率的贡献。</p>"
            f"<p style='color:#444;font-size:0.9em'>{source}；计算：本课程</p>")
    return HTML(text)


def imputed_shares_table() -> Table:
    """For each country, the early years whose labour share does not change (imputed by PWT)."""
    table = pwt_table()
    rows = []
    for code, name in acc.COUNTRIES.items():
        run = acc.imputed_share_years(table, code)
        rows.append({"国家": name,
                     "劳动份额不变的年份": f"{run[0]}—{run[1]}" if run else None,
                     "这些年的劳动份额": round(run[2], 3) if run else None})
    return Table(pd.DataFrame(rows), decimals={"这些年的劳动份额": 3},
                 missing="“—”：这个国家每年的劳动份额都有变化，没有一段不变的（填补的）年份。")


# ---------------------------------------------------------------------------------------------------
# Static charts
# ---------------------------------------------------------------------------------------------------

def show_tfp_check(country: str = "CHN") -> None:
    """PWT's rtfpna as a line, the course's own computation as markers on top of it."""
    table = pwt_table()
    name = acc.COUNTRIES.get(country, country)
    ours = acc.tfp_index(table, country)
    pwt = table[table["countrycode"] == country].set_index("year")["rtfpna"].dropna()
    fig, ax = charts.new_figure(8.5, 4.6)
    ax.plot(pwt.index, pwt.values, color=charts.PALETTE["蓝"], linestyle="-", linewidth=4, alpha=0.6,
            label="PWT 公布的 TFP（rtfpna）")
    ax.plot(ours.index, ours.values, color=charts.PALETTE["朱红"], linestyle="none", marker="o", markersize=4,
            label="本课程按同一方法计算")
    ax.axhline(1.0, color="#888888", linewidth=1, linestyle=":")
    ax.set_title(f"{name}：全要素生产率指数（{reference_year()}年 = 1）")
    ax.set_xlabel("年份")
    ax.set_ylabel("TFP 指数")
    ax.legend(loc="best")
    charts.set_source(fig, pwt_source() + "；计算：本课程（Törnqvist 指数，见正文）")
    charts.show(fig, alt=f"{name} {int(pwt.index.min())}—{int(pwt.index.max())}年全要素生产率指数："
                         "PWT 公布的线与本课程计算的圆点完全重合。")


def show_labour_shares() -> None:
    """Labour shares 1950–2019: flat lines in early years are values PWT imputed, not measured."""
    table = pwt_table()
    fig, ax = charts.new_figure(8.5, 4.8)
    for code, name in acc.COUNTRIES.items():
        rows = table[table["countrycode"] == code].dropna(subset=["labsh"])
        color, style, marker = COUNTRY_STYLE[code]
        ax.plot(rows["year"], rows["labsh"], color=color, linestyle=style, marker=marker, markevery=10,
                markersize=6, label=name)
    ax.set_title("劳动报酬占 GDP 的份额（labsh）")
    ax.set_xlabel("年份")
    ax.set_ylabel("劳动份额")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    charts.set_source(fig, pwt_source())
    flat = []
    for code, name in acc.COUNTRIES.items():
        run = acc.imputed_share_years(table, code)
        if run:
            flat.append(f"{name}{run[0]}—{run[1]}年")
    years = table.dropna(subset=["labsh"])["year"]
    charts.show(fig, alt=f"六国劳动份额{int(years.min())}—{int(years.max())}年的折线图。" + "、".join(flat)
                + "是一条水平线（缺少实测数据时填补的同一个数值），之后才有逐年变化；美国各年都有数值。")


def show_annual_tfp(country: str = "CHN") -> None:
    """Year-by-year TFP growth (the Solow residual) as bars: large swings show what a residual absorbs."""
    table = pwt_table()
    name = acc.COUNTRIES.get(country, country)
    parts = acc.growth_components(table, country).dropna(subset=["tfp"])
    fig, ax = charts.new_figure(8.5, 4.6)
    values = 100 * parts["tfp"]
    colors = [charts.PALETTE["绿"] if v >= 0 else charts.PALETTE["朱红"] for v in values]
    hatches = ["" if v >= 0 else "//" for v in values]
    bars = ax.bar(parts.index, values, color=colors, width=0.8)
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    ax.axhline(0, color="#333333", linewidth=1)
    ax.set_title(f"{name}：每年的 TFP 增长（索洛余值）")
    ax.set_xlabel("年份")
    ax.set_ylabel("对数点")
    charts.set_source(fig, pwt_source() + "；计算：本课程")
    low, high = values.idxmin(), values.idxmax()
    charts.show(fig, alt=f"{name}各年 TFP 增长的柱状图，正值为绿色实心、负值为红色斜线。波动很大："
                         f"最低是 {low}年（{values[low]:.1f}），最高是 {high}年（{values[high]:.1f}）。")


def show_maddison(start: int = 1820) -> None:
    """GDP per person since ``start`` on a log scale, six countries (Maddison Project Database 2020)."""
    ds = load(MPD)
    table = ds.table
    rows = table[(table["year"] >= start)].dropna(subset=["gdppc"])
    fig, ax = charts.new_figure(9.0, 6.2)
    for code, name in acc.COUNTRIES.items():
        r = rows[rows["countrycode"] == code]
        color, style, marker = COUNTRY_STYLE[code]
        label = name + ("（非官方序列，见来源行）" if code == "CHN" else "")
        ax.plot(r["year"], r["gdppc"], color=color, linestyle=style, label=label, linewidth=2)
        if len(r):
            last = r.iloc[-1]
            ax.plot([last["year"]], [last["gdppc"]], color=color, marker=marker, linestyle="none")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v / 1e4:g}万" if v >= 1e4 else f"{v:g}")
    ax.minorticks_off()
    ax.set_title(f"人均 GDP，{start}—{int(rows['year'].max())}年（{MADDISON_UNIT}，对数刻度）")
    ax.set_xlabel("年份")
    ax.set_ylabel("人均 GDP（对数刻度）")
    ax.legend(ncols=3, loc="upper left")
    charts.set_source(fig, maddison_source() + "；" + MADDISON_CHINA)
    ends = []
    for code, name in acc.COUNTRIES.items():
        r = rows[rows["countrycode"] == code]
        if len(r):
            first, last = r.iloc[0], r.iloc[-1]
            ends.append(f"{name} {int(first['year'])}年约 {first['gdppc']:,.0f}、{int(last['year'])}年约 {last['gdppc']:,.0f}")
    charts.show(fig, alt=f"六国人均 GDP 的长期走势（{MADDISON_UNIT}，对数刻度）：" + "；".join(ends) + "。" + MADDISON_CHINA + "。")


# ---------------------------------------------------------------------------------------------------
# The widget
# ---------------------------------------------------------------------------------------------------

def _official_tfp(capital_share: float | None) -> float:
    """China's average TFP contribution on the official ledger over the widget's opening period (log points)."""
    return china_decomposition(*default_period(), "official", capital_share).tfp


@predict_first(notebook="07", key="growth_accounting",
               question=lambda _w: ("按官方账本和 PWT 逐年的劳动份额，{}—{}年中国 TFP 的年均贡献约 {:.2f} 个对数点。"
                                    "如果把资本份额 α 固定为 0.5，你猜会是多少？").format(*default_period(),
                                                                                  _official_tfp(None)),
               how="“要素份额”选固定资本份额 α，把 α 拖到 0.50（账本、国家和时期保持打开时的设置）",
               target=lambda _w: {"ledger": "official", "country": "CHN", "start": default_period()[0],
                                  "end": default_period()[1], "shares": "fixed", "alpha": 0.5},
               result=lambda _w: _official_tfp(0.5))
class GrowthAccounting(base.FigureWidget):
    """Country × period × factor shares → contributions to GDP growth, and TFP indexes compared."""

    title = "增长核算：GDP 增长从哪里来？"
    alt = ("左图：六个经济体在所选时期 GDP 年均增长的分解，每根柱子由资本、就业人数、人均工时、人力资本和"
           "全要素生产率五段叠成（各段颜色和花纹不同），黑色菱形是 GDP 年均增长；中国的 GDP 可以选官方账本"
           "（国家统计局公布的增长）或 PWT 账本。右图：所选国家的全要素生产率指数，以时期起点为 1，"
           "实线为 PWT 公布的数值，虚线为按固定资本份额 α 重算的结果，点线为对比国家；官方账本下，中国另有一条"
           "只连起止两年的点划线。")
    figure_size = (12.0, 5.8)
    figure_grid = (1, 2)

    def make_controls(self):
        countries = {name: code for code, name in acc.COUNTRIES.items()}
        compare = {"不对比": ""} | countries
        start, end = default_period()
        years = pwt_table()["year"]
        first, last = int(years.min()), int(years.max())
        return {
            "ledger": base.dropdown("中国的 GDP", {f"{LEDGERS['official']}：国家统计局公布的增长": "official",
                                                f"{LEDGERS['pwt']}：PWT 的替代估计": "pwt"}, value="official"),
            "country": base.dropdown("右图国家", countries, value="CHN"),
            "compare": base.dropdown("对比国家", compare, value="USA"),
            "start": base.slider("起始年份", start, first, last - 1, 1, integer=True, continuous=False),
            "end": base.slider("结束年份", end, first + 1, last, 1, integer=True, continuous=False),
            "shares": base.dropdown("要素份额", {"PWT 逐年劳动份额（labsh）": "pwt",
                                             "固定资本份额 α（用下面的滑块）": "fixed"}, value="pwt"),
            "alpha": base.slider("资本份额 α", 0.40, 0.20, 0.60, 0.01, fmt=".2f"),
        }

    def source(self) -> str:
        return pwt_source() + "；" + official_source() + "；计算：本课程"

    def setup(self, fig, ax):
        self.table = pwt_table()
        self.codes = list(acc.COUNTRIES)
        left, right = ax[0], ax[1]
        self.left, self.right = left, right
        x = np.arange(len(self.codes))
        self.bars = {}
        for name, label in acc.COMPONENTS.items():
            self.bars[name] = left.bar(x, np.zeros(len(x)), width=0.62, color=COMPONENT_COLORS[name],
                                       hatch=COMPONENT_HATCHES[name], edgecolor="#333333", linewidth=0.6,
                                       label=label)
        (self.gdp_marks,) = left.plot(x, np.zeros(len(x)), linestyle="none", marker="D", markersize=9,
                                      color="#000000", label="GDP 年均增长")
        self.gdp_texts = [left.text(i, 0, "", ha="center", va="bottom", fontsize=11) for i in x]
        left.axhline(0, color="#333333", linewidth=1)
        left.set_xticks(x)
        left.set_xticklabels([acc.COUNTRIES[c] for c in self.codes])
        left.set_ylabel("年均增长（对数点）")
        charts.legend_below(left, ncols=3, xlabel=False)
        self.left_title = left.set_title("")
        (self.line_pwt,) = right.plot([], [], color=charts.PALETTE["蓝"], linestyle="-", linewidth=3,
                                      label="PWT 的 TFP（rtfpna）")
        (self.line_fixed,) = right.plot([], [], color=charts.PALETTE["朱红"], linestyle="--", linewidth=2.5,
                                        label="按固定 α 重算")
        (self.line_compare,) = right.plot([], [], color="#555555", linestyle=":", linewidth=2.5,
                                          marker="s", markevery=5, label="对比国家（rtfpna）")
        (self.line_official,) = right.plot([], [], color=charts.PALETTE["绿"], linestyle="-.", linewidth=2.5,
                                           marker="D", markersize=8, label="中国·官方账本（只有起止两年）")
        right.axhline(1.0, color="#888888", linewidth=1)
        right.set_xlabel("年份")
        right.set_ylabel("TFP 指数（起始年 = 1）")
        # one legend, made once: an update rewrites its labels and hides the entries of hidden lines
        self.right_lines = [self.line_pwt, self.line_fixed, self.line_compare, self.line_official]
        charts.legend_below(right, handles=self.right_lines, ncols=2)
        self.right_title = right.set_title("")

    @staticmethod
    def _stack(values: np.ndarray, below_pos: np.ndarray, below_neg: np.ndarray):
        bottoms = np.where(values >= 0, below_pos, below_neg)
        return bottoms, below_pos + np.clip(values, 0, None), below_neg + np.clip(values, None, 0)

    def update(self, ledger, country, compare, start, end, shares, alpha):
        start, end = int(start), int(end)
        notes = []
        if start > end:
            start, end = end, start
            notes.append(f"起始年份晚于结束年份，已按 {start}—{end} 计算")
        if start == end:
            start, end = (start, start + 1) if start < self.controls["end"].max else (start - 1, start)
            notes.append(f"时期至少要一年，已按 {start}—{end} 计算")
        alpha = float(alpha)
        capital_share = None if shares == "pwt" else alpha
        results, clamped = {}, {}
        for code in self.codes:
            s, e = acc.clamp_period(self.table, code, start, end)
            if (s, e) != (start, end):
                clamped[code] = f"{acc.COUNTRIES[code]}按 {s}—{e}"
            if code == "CHN":
                results[code] = china_decomposition(s, e, ledger, capital_share, self.table)
            else:
                results[code] = acc.decompose(self.table, code, s, e, capital_share=capital_share)
        no_official = results["CHN"] is None
        if no_official:
            notes.append(f"国家统计局的中国实际增长，本课程只有这几个时期：{official_spans_text()}"
                         "（起始年份是基期）；所选时期的中国柱子空着，可以改选这些时期，或改看 PWT 账本")
        # stacked bars: positive parts upwards, negative parts downwards
        below_pos = np.zeros(len(self.codes))
        below_neg = np.zeros(len(self.codes))
        for name in acc.COMPONENTS:
            values = np.array([0.0 if results[c] is None else getattr(results[c], name) for c in self.codes])
            bottoms, below_pos, below_neg = self._stack(values, below_pos, below_neg)
            for bar, value, bottom in zip(self.bars[name], values, bottoms):
                bar.set_y(bottom)
                bar.set_height(value)
        gdp = np.array([np.nan if results[c] is None else results[c].gdp for c in self.codes])
        self.gdp_marks.set_ydata(gdp)
        for i, text in enumerate(self.gdp_texts):
            text.set_position((i, np.nanmax([below_pos[i], gdp[i]]) + 0.15))
            text.set_text("无官方数" if np.isnan(gdp[i]) else f"{gdp[i]:.1f}")
        low = min(0.0, float(below_neg.min())) - 0.4
        high = max(float(below_pos.max()), float(np.nanmax(gdp, initial=0.0))) + 0.8
        steady_limits(self.left, low, high)
        share_text = "PWT 劳动份额" if capital_share is None else f"α = {alpha:.2f}"
        self.left_title.set_text(f"GDP 增长的来源，{start}—{end}（{share_text}）")
        self.left.set_xticklabels([acc.COUNTRIES[c] + ("*" if c in clamped else "")
                                   + (f"\n（{LEDGERS[ledger]}）" if c == "CHN" else "") for c in self.codes])

        # right: TFP indexes rebased to the start of the period
        s, e = acc.clamp_period(self.table, country, start, end)
        years = np.arange(s, e + 1)
        pwt_series = self.table[self.table["countrycode"] == country].set_index("year")["rtfpna"].astype(float)
        pwt_series = acc.rebase(pwt_series, s).reindex(years)
        fixed = acc.rebase(acc.tfp_index(self.table, country, capital_share=alpha), s).reindex(years)
        self.line_pwt.set_data(years, pwt_series.to_numpy())
        self.line_fixed.set_data(years, fixed.to_numpy())
        self.line_fixed.set_label(f"按固定 α = {alpha:.2f} 重算")
        values = [pwt_series.to_numpy(), fixed.to_numpy()]
        if compare and compare != country:
            cs, ce = acc.clamp_period(self.table, compare, s, e)
            other = self.table[self.table["countrycode"] == compare].set_index("year")["rtfpna"].astype(float)
            other = acc.rebase(other, cs).reindex(np.arange(cs, ce + 1))
            self.line_compare.set_data(other.index.to_numpy(), other.to_numpy())
            self.line_compare.set_label(f"{acc.COUNTRIES[compare]}（rtfpna）")
            self.line_compare.set_visible(True)
            values.append(other.to_numpy())
        else:
            self.line_compare.set_data([], [])
            self.line_compare.set_visible(False)
        official = results["CHN"] if country == "CHN" and ledger == "official" else None
        if official is not None:
            ends = [1.0, float(np.exp(official.tfp * official.years / 100))]
            self.line_official.set_data([official.start, official.end], ends)
            self.line_official.set_visible(True)
            values.append(np.array(ends))
        else:
            self.line_official.set_data([], [])
            self.line_official.set_visible(False)
        legend = self.right.get_legend()
        for line, handle, text in zip(self.right_lines, legend.legend_handles, legend.get_texts()):
            text.set_text(line.get_label())
            handle.set_visible(line.get_visible())
            text.set_visible(line.get_visible())
        finite = np.concatenate([v[np.isfinite(v)] for v in values])
        ymin, ymax = float(finite.min()), float(finite.max())
        pad = max(0.05, 0.08 * (ymax - ymin))
        # rebasing moves every line when the start year moves: roomier limits are kept more often
        steady_limits(self.right, ymin - pad, ymax + pad, fill=0.4, slack=0.2)
        steady_limits(self.right, s - 0.5, max(e, s + 1) + 0.5, axis="x")
        self.right_title.set_text(f"{acc.COUNTRIES[country]}的 TFP 指数（{s}年 = 1）")

        summary = self._sentence(country, results, ledger)
        if results["CHN"] is not None and country != "CHN":
            summary += "<br>" + self._sentence("CHN", results, ledger)
        if clamped:
            notes.append("带 * 的国家数据起点较晚：" + "、".join(clamped.values()))
        if notes:
            summary += "<br><span style='color:#444'>注：" + "；".join(notes) + "。</span>"
        self.say(summary)

    @staticmethod
    def _sentence(country: str, results: dict, ledger: str) -> str:
        d = results[country]
        name = acc.COUNTRIES[country] + (f"（{LEDGERS[ledger]}）" if country == "CHN" else "")
        if d is None:
            return f"<b>{name}</b>：所选时期没有国家统计局公布的平均增速。"
        imputed = f"；其中 {d.hours_imputed_years} 年没有工时数据，按 PWT 做法借用美国的工时变化" \
            if d.hours_imputed_years else ""
        share_of_tfp = d.tfp / d.gdp if abs(d.gdp) > 1e-9 else float("nan")
        tfp_share = f"，约占 GDP 增长的 {share_of_tfp:.0%}" if np.isfinite(share_of_tfp) and d.gdp > 0.5 else ""
        return (f"<b>{name} {d.start}—{d.end}</b>：GDP 年均增长 {signed(d.gdp)}，"
                f"其中资本 {signed(d.capital)}、劳动 {signed(d.labour)}（人数 {signed(d.employment)}、"
                f"工时 {signed(d.hours)}、人力资本 {signed(d.human_capital)}）、"
                f"全要素生产率 {signed(d.tfp)}（单位：对数点）{tfp_share}{imputed}。")
