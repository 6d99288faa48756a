"""Notebook 08 (结课：我的乘法算式): the participant's own formula, saved as they type, and a page to take home.

    from xinzhi.widgets.capstone import MyFormula
    MyFormula()

Every change is saved to the workspace (``my_work/capstone_08.json``) and restored when the cell is
run again, so a restarted kernel or a closed laptop loses nothing. The button writes a PNG chart
and a printable one-page HTML into the same folder (:mod:`xinzhi.capstone_report`).
"""
from __future__ import annotations

import dataclasses
import html
import math
import re

import ipywidgets as w
from matplotlib.ticker import FuncFormatter

from .. import capstone_report as report
from .. import charts, class_view, workspace
from ..errors import CourseError, InputError
from ..formats import amount, format_number, message_html
from ..inputs import parse_number
from ..models.capstone import LIMITS, Formula, outcome
from ..tables import Table
from .base import SLIDER_STYLE, FigureWidget, number_box, slider

SAVE_NAME = "capstone_08"
OWN_SOURCE = "数据：学员自己的假设（不是统计数据，也不是预测）"
DEFAULTS = {
    "region": "", "carrier_text": "", "tech_text": "", "sign_text": "", "next_step": "",
    "unit": "亿元", "base": "100", "carrier_pct": "30", "tech_pct": "50", "fusion_pct": 60, "years": 5,
}
PLACEHOLDERS = {
    "region": "例如：某县的特色轴承产业",
    "carrier_text": "例如：现有的轴承加工企业集群，年产值若干亿元",
    "tech_text": "例如：数控机床联网、质量检测用上视觉识别",
    "sign_text": "例如：链主企业带配套企业一起改造；“科技+金融”政策包",
    "next_step": "例如：摸清全县企业设备联网的比例",
}
TEXT_ONLY = ("carrier_text", "tech_text", "sign_text", "next_step")
TEXT_LIMIT = 20_000   # characters a box keeps; beyond it, nothing is saved until the text is shortened
STEP_LABELS = ["今天", "被乘数\n扩大", "乘数效应\n（经乘号）", "相乘\n多出的部分", "{years} 年后\n（做乘法）"]
STEP_COLORS = [charts.PALETTE["蓝"], charts.PALETTE["橙"], charts.PALETTE["绿"], charts.PALETTE["紫红"],
               charts.PALETTE["蓝"]]
STEP_HATCHES = ["", "//", "\\\\", "xx", ""]


def restore(saved) -> dict:
    """Saved values merged over the defaults, keeping only values of the right type and range."""
    values = dict(DEFAULTS)
    if not isinstance(saved, dict):
        return values
    for key, default in DEFAULTS.items():
        value = saved.get(key)
        if isinstance(default, str) and isinstance(value, str):
            values[key] = value   # never cut: a text over TEXT_LIMIT is restored whole and reported
        elif isinstance(default, int) and isinstance(value, (int, float)) and not isinstance(value, bool):
            low, high = (0, 100) if key == "fusion_pct" else LIMITS[key]
            if math.isfinite(value) and low <= value <= high:
                values[key] = int(round(value))
    return values


def read_formula(base, carrier_pct, tech_pct, fusion_pct, years, **_) -> Formula:
    """The typed numbers, checked, as a :class:`Formula`; InputError with a Chinese message otherwise."""
    low, high = LIMITS["base"]
    base_value = parse_number(base, name="“今天的产出”", maximum=high)
    if base_value <= 0:
        raise InputError("“今天的产出”要大于 0：写今天的实际规模，例如 100（单位写在“产出的单位”里）。")
    if base_value < low:
        raise InputError(f"“今天的产出”太小了（小于 {low}）：请换一个更小的单位，让数字大一些。")
    carrier = parse_number(carrier_pct, name="“被乘数扩大”", percent=True,
                           minimum=LIMITS["carrier_pct"][0], maximum=LIMITS["carrier_pct"][1])
    tech = parse_number(tech_pct, name="“乘数：效率提升”", percent=True,
                        minimum=LIMITS["tech_pct"][0], maximum=LIMITS["tech_pct"][1])
    return Formula(base=base_value, carrier_pct=carrier, tech_pct=tech,
                   fusion_pct=float(fusion_pct), years=int(years))


def percent_readings(typed: dict, formula: Formula) -> list[str]:
    """How a percentage box was read, where a participant may have meant a hundred times more (0.3 → 0.3 %)."""
    notes = []
    for key, label in (("carrier_pct", "被乘数扩大"), ("tech_pct", "乘数：效率提升")):
        value = getattr(formula, key)
        if "%" not in str(typed.get(key, "")).replace("％", "%") and 0 < abs(value) < 1:
            meant = format_number(value * 100)
            notes.append(f"“{label}”按 {format_number(value)}% 计算；如果你指的是 {meant}%，请填 {meant}。")
    return notes


class MyFormula(FigureWidget):
    """我的乘法算式: texts and numbers in, a waterfall from today to the target out."""

    title = "我的乘法算式"
    intro = "这里的每个数字都是<b>你自己的假设</b>，不是统计数据，也不是预测。"
    alt = ("瀑布图：从“今天”的产出出发，依次加上被乘数扩大带来的增量、乘数经乘号带来的增量、"
           "两者相乘多出的部分，得到若干年后的产出；一条虚线标出只“做加法”的结果。数字都是学员自己的假设。")
    figure_size = (8.0, 4.8)
    freeze_layout = False   # the axis labels follow the participant's numbers and name: lay out on every draw
    inert_controls = frozenset({*TEXT_ONLY, "make_page"})   # the long texts are saved but not drawn
    save_key = SAVE_NAME
    autosave = True       # every change is saved, valid or not, so nothing typed is lost

    def __init__(self, key: str = ""):
        self._current = None
        super().__init__(key)

    # --- controls --------------------------------------------------------------------------------
    def make_controls(self):
        v = DEFAULTS

        def text(key, label, area=False):
            cls = w.Textarea if area else w.Text
            layout = {"width": "min(100%, 640px)", **({"height": "4.2em"} if area else {})}
            # the long texts do not change the chart: save them as they are typed, keystroke by keystroke
            return cls(value=v[key], description=label, placeholder=PLACEHOLDERS.get(key, ""),
                       style=SLIDER_STYLE, layout=layout, continuous_update=area)

        self.counters = {key: w.HTML() for key in TEXT_ONLY}
        button = w.Button(description="生成我的一页纸", icon="file", button_style="primary",
                          tooltip="把图（PNG）和可打印的一页纸（HTML）保存到 my_work 文件夹",
                          layout={"width": "max-content", "min_width": "220px"})
        controls = {
            "region": text("region", "地区或行业"),
            "carrier_text": text("carrier_text", "被乘数（产业载体）", area=True),
            "tech_text": text("tech_text", "乘数（科技创新）", area=True),
            "sign_text": text("sign_text", "乘号（融合、机制）", area=True),
            "unit": w.Text(value=v["unit"], description="产出的单位", placeholder="例如：亿元、万件、万人次",
                           style=SLIDER_STYLE, layout={"width": "min(100%, 360px)"}, continuous_update=False),
            "base": number_box("今天的产出", v["base"], "例如 100"),
            "carrier_pct": number_box("被乘数扩大（%）", v["carrier_pct"], "例如 30；收缩填负数"),
            "tech_pct": number_box("乘数：效率提升（%）", v["tech_pct"], "例如 50"),
            "fusion_pct": slider("乘号：融合程度", v["fusion_pct"], 0, 100, 5, unit="%", integer=True),
            "years": slider("几年后", v["years"], 1, 20, 1, unit="年", integer=True),
            "next_step": text("next_step", "第一件事", area=True),
            "make_page": button,
        }
        button.on_click(self.safely(self.make_page))
        return controls

    # --- the chart -------------------------------------------------------------------------------
    def setup(self, fig, ax):
        self._unit = ""
        self.bars = ax.bar(range(5), [1.0] * 5, color=STEP_COLORS, edgecolor="#222222", linewidth=1.0, width=0.62)
        for bar, hatch in zip(self.bars, STEP_HATCHES):
            bar.set_hatch(hatch)
        self.labels = [ax.text(i, 1.0, "", ha="center", va="bottom", fontsize=12) for i in range(5)]
        self.add_line = ax.axhline(1.0, color=charts.PALETTE["黑"], linestyle="--", linewidth=1.6)
        # the number is in the text under the chart: a legend that stays as drawn keeps updates quick
        self.legend = ax.legend([self.add_line], ["虚线：做加法的结果"], loc="upper left", fontsize=11)
        ax.set_xticks(range(5))
        ax.set_xlim(-0.6, 4.6)
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: amount(value, self._unit)))
        self.heading = ax.set_title("")

    def source(self):
        return OWN_SOURCE

    def read(self, **values) -> Formula:
        return read_formula(**values)

    def update(self, region, unit, years, **values):
        self._current = None
        formula = self.read(years=years, **values)
        result = outcome(formula)
        steps = [(0.0, result.today), (result.today, result.carrier_step),
                 (result.today + result.carrier_step, result.tech_step),
                 (result.additive, result.cross_step), (0.0, result.multiplicative)]
        self._unit = unit or ""
        for index, (bar, label, (bottom, height)) in enumerate(zip(self.bars, self.labels, steps)):
            bar.set_y(bottom)
            bar.set_height(height)
            top = max(bottom, bottom + height)
            sign = "+" if index in (1, 2, 3) and height >= 0 else ""
            label.set_text(f"{sign}{amount(height, self._unit)}")
            label.set_y(top)
        self.add_line.set_ydata([result.additive, result.additive])
        # One scale for every position of the 乘号 slider (0–100 %): moving it, the reader sees the bars
        # grow against a steady axis instead of the axis rescaling under them.
        extremes = [result] + [outcome(dataclasses.replace(formula, fusion_pct=f)) for f in (0.0, 100.0)]
        highest = max(max(r.today + max(r.carrier_step, 0.0), r.additive, r.multiplicative,
                          r.today + max(r.carrier_step, 0) + max(r.tech_step, 0)) for r in extremes)
        low = min(0.0, *(r.additive for r in extremes))
        self.ax.set_ylim(-charts.nice_ceiling(-low) if low < 0 else 0.0, charts.nice_ceiling(highest * 1.2))
        self.ax.set_xticks(range(5), [label.format(years=formula.years) for label in STEP_LABELS])
        unit_text = charts.label_text(unit, "", limit=10)
        self.ax.set_ylabel(f"产出（{unit_text}）" if unit_text else "产出")
        name = charts.label_text(region, "我的乘法算式")
        self.heading.set_text(name if name == "我的乘法算式" else f"{name}：我的乘法算式")
        lines = report.summary_lines(result, unit) + percent_readings(values, formula)
        self.say("<br>".join(html.escape(line) for line in lines)
                 + "<br><span style='color:#444'>（数字是你自己的假设。）</span>")
        self._current = (formula, result)

    # --- saving ----------------------------------------------------------------------------------
    def restore_state(self, saved) -> list[str]:
        if not isinstance(saved, dict):
            return []
        # restore() checks every value against the formula's limits; keep those that passed
        values = {key: value for key, value in restore(saved).items()
                  if key in saved and (value != DEFAULTS[key] or saved[key] == value)}
        with self.batch():
            for key, value in values.items():
                self.controls[key].value = value
        return list(values)

    def save(self):
        """Save everything typed, valid or not, so nothing is lost — unless a box is over :data:`TEXT_LIMIT`."""
        values = self.values()
        self._count(values)
        if self._too_long(values):
            self.show_message(self._too_long(values), kind="warn", lasting=True)
            return None
        path = super().save()
        if path is not None:
            class_view.offer_formula(values)
        if path is not None and not self.load_note:
            self.show_message(f"已自动保存到 my_work 文件夹（{path.name}）；重新打开笔记本、重新运行本单元格，内容会自动恢复。",
                              kind="ok", lasting=True)
        return path

    def _too_long(self, values) -> str:
        """A Chinese message if a box holds more than :data:`TEXT_LIMIT` characters, else ""."""
        boxes = "、".join(f"“{self.controls[key].description}”（{len(text):,} 字）" for key, text in values.items()
                          if isinstance(text, str) and len(text) > TEXT_LIMIT)
        if not boxes:
            return ""
        return (f"{boxes}超过了每格 {TEXT_LIMIT:,} 字的上限。请删减到 {TEXT_LIMIT:,} 字以内；在那之前，本页的改动"
                "暂不保存（之前保存的内容没有改动，你写的字也都还在框里）。")

    def _count(self, values) -> None:
        """The length of each long text under its box, so the limit is seen before it is reached."""
        for key, counter in self.counters.items():
            length = len(values[key])
            colour = "#D55E00" if length > TEXT_LIMIT else "#444"
            counter.value = (f"<div style='font-size:0.85em;color:{colour};max-width:640px;text-align:right;"
                             "margin:0 0 0.3em 0'>"
                             f"{length:,} / {TEXT_LIMIT:,} 字</div>")

    def make_page(self) -> None:
        if self._current is None:
            raise InputError("请先改正上面标出的数字，再生成一页纸。")
        formula, _result = self._current
        self.save()
        png = charts.png_bytes(self.fig, dpi=150)
        entries = {key: self.controls[key].value for key in report.TEXT_FIELDS}
        try:
            png_path, html_path = report.write_take_home(entries, formula, self.controls["unit"].value, png)
        except OSError as err:
            raise InputError(str(err) if isinstance(err, CourseError) else
                             f"一页纸没能写入 my_work 文件夹（{workspace.reason(err)}）。请检查磁盘空间或文件夹权限。") from err
        self.show_message(
            f"已生成：<b>{html.escape(html_path.name)}</b>（可打印的一页纸）和 <b>{html.escape(png_path.name)}</b>（图）。"
            f"它们在 my_work 文件夹（{html.escape(str(html_path.parent))}）。在左侧文件浏览器里右键点文件可“下载”；"
            "用浏览器打开 HTML 后按 Ctrl+P（macOS：⌘+P）可以打印或另存为 PDF。", kind="ok", lasting=True, raw=True)

    # --- layout ----------------------------------------------------------------------------------
    def layout(self):
        c = self.controls
        self._count(self.values())
        if self._too_long(self.values()):
            self.show_message(self._too_long(self.values()), kind="warn", lasting=True)
        step = "<div style='font-weight:bold;margin:0.8em 0 0.2em 0'>{}</div>"
        return [
            *class_view.controls(),
            *self.header(),
            w.HTML(step.format("第一步：写出算式（每格一两句话）")),
            c["region"], c["carrier_text"], self.counters["carrier_text"], c["tech_text"], self.counters["tech_text"],
            c["sign_text"], self.counters["sign_text"],
            w.HTML(step.format("第二步：填上你的假设")),
            c["unit"], c["base"], c["carrier_pct"], c["tech_pct"], c["fusion_pct"], c["years"],
            *self.chart(),
            w.HTML(step.format("第三步：写下第一件事，生成一页纸带回去")),
            c["next_step"], self.counters["next_step"], c["make_page"], self.status,
        ]


def _as_written(value: float, quote: str) -> str:
    """The number as its source wrote it (“6%” stays 6, “7.0%” stays 7.0), else the shortest form."""
    for m in re.finditer(r"\d+(?:\.\d+)?", quote):
        if math.isclose(float(m.group(0)), value):
            return m.group(0)
    return f"{value:g}"


def reference_growth():
    """Static chart: Zhejiang's growth rates in the latest year the data has all of them (the article's year), beside
    the participant's own rate."""
    from ..data import load

    seed = load("seed_article")
    zj = load("zhejiang_indicators")
    picks = [
        (zj, "gdp_real_growth", "浙江地区生产总值"),
        (zj, "ind_va_growth", "浙江规上工业增加值"),
        (seed, "sei_va_growth", "浙江战略性新兴产业增加值（据文章，未核实）"),
        (seed, "hightech_va_growth", "浙江高新技术产业增加值（据文章，未核实）"),
    ]
    full = [(dataset, dataset.series(indicator, region="浙江"), label) for dataset, indicator, label in picks]
    full = [(dataset, series[series["period"] == "全年"], label) for dataset, series, label in full]
    common = set.intersection(*(set(series["year"]) for _d, series, _l in full))
    year = int(max(common)) if common else int(max(max(series["year"]) for _d, series, _l in full if len(series)))
    labels, values, rows, written, unverified = [], [], [], [], []
    for dataset, series, label in full:
        row = series[series["year"] == year]
        if row.empty:
            continue
        row = row.iloc[[0]]
        status = str(row["status"].iloc[0])
        mark = "（初步数）" if status == "preliminary" else ""
        labels.append(f"{label}{mark}")
        values.append(float(row["value"].iloc[0]))
        written.append(_as_written(float(row["value"].iloc[0]), str(row["quote"].iloc[0])))
        unverified.append("check" in row.columns and row["check"].iloc[0] != "matches")
        rows.append((dataset, row))
    sources = "；".join(dict.fromkeys(dataset.source_line(row).removeprefix("来源：") for dataset, row in rows))
    mine = workspace.load(SAVE_NAME, default=None, per_notebook=True)
    if mine.note:  # a damaged save was set aside (kept, not deleted): say so here, since this cell read it first
        from IPython.display import HTML, display

        display(HTML(message_html(mine.note, "warn")))
    own_rate = None
    if isinstance(mine.value, dict) and not mine.note:
        try:
            values_ = restore(mine.value)
            formula = read_formula(**values_)
            own_rate = outcome(formula).annual_pct
        except (CourseError, ValueError):
            own_rate = None
    fig, ax = charts.new_figure(8.0, 3.9)
    y = list(range(len(values)))
    # sourced figures solid; the article's figures no second source confirmed, pale and dotted
    bars = ax.barh(y, values, color=[("#FFFFFF" if u else charts.PALETTE["天蓝"]) for u in unverified],
                   edgecolor=[(charts.PALETTE["蓝"] if u else "#222222") for u in unverified], height=0.6)
    for bar, u in zip(bars, unverified):
        if u:
            bar.set_hatch("..")
            bar.set_linestyle("--")
    for i, text in zip(y, written):
        ax.text(values[i], i, f" {text}%", va="center", fontsize=12)
    if own_rate is not None and math.isfinite(own_rate):
        y.append(len(values))
        labels.append("我的算式（自己的假设）")
        ax.barh([y[-1]], [own_rate], color=charts.PALETTE["橙"], edgecolor="#222222", hatch="//", height=0.6)
        ax.text(own_rate, y[-1], f" {own_rate:.1f}%", va="center", fontsize=12)
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#222222", linewidth=1)
    ax.set_xlabel("年均增速（%）")
    ax.grid(axis="y", visible=False)
    low = min([0.0] + values + ([own_rate] if own_rate is not None else []))
    high = max(values + ([own_rate] if own_rate is not None else []))
    ax.set_xlim(low * 1.25, high * 1.25 + 1)
    ax.set_title(f"参照：浙江 {year}年几项增速" + ("与我的年均增速" if own_rate is not None else ""))
    note = "；橙色一行是你在本笔记本第 2 节填写的假设" if own_rate is not None else "；在第 2 节填好算式后重新运行本单元，会加上你的年均增速"
    charts.set_source(fig, f"来源：{sources}{note}")
    alt = (f"横向条形图：浙江 {year}年地区生产总值、规上工业增加值、战略性新兴产业增加值和高新技术产业增加值的增速"
           + ("，以及学员自己算式隐含的年均增速" if own_rate is not None else "")
           + "。后两项只见于潮新闻的文章、未找到其他来源，画成白底点状虚线框，与有出处的实心条区分。")
    charts.show(fig, alt=alt)


def my_files():
    """What is in the participant's workspace (文件, 大小, 保存时间; newest first) and a button that packs it to take home."""
    import time

    import pandas as pd

    found = []
    for path in workspace.workspace_dir().iterdir():
        try:
            if not path.name.startswith(".") and path.is_file():
                found.append((path.stat(), path.name))
        except OSError:  # gone meanwhile (a temporary file replaced): not the participant's
            continue
    rows = [{"文件": name, "大小": round(st.st_size / 1024, 1),
             "保存时间": time.strftime("%Y-%m-%d %H:%M", time.localtime(st.st_mtime))}
            for st, name in sorted(found, key=lambda item: item[0].st_mtime, reverse=True)]
    if not rows:
        table = Table(pd.DataFrame({"文件": ["（还没有保存的作品）"], "大小": [""], "保存时间": [""]}))
    else:
        table = Table(pd.DataFrame(rows), units={"大小": "KB"}, decimals={"大小": 1})
    button = w.Button(description="把全部作品打成一个压缩包", icon="archive", layout={"width": "auto"})
    status = w.HTML()

    def pack(_button):
        try:
            path = pack_my_work()
        except CourseError as err:
            status.value = message_html(str(err), kind="warn")
            return
        status.value = message_html(
            f"已生成 <b>{html.escape(path.name)}</b>（在 my_work 文件夹里）：你的全部作品，和一张可以用 Excel 打开的"
            f"自测作答表 {ANSWERS_NAME}。在左侧文件浏览器里右键点它，选“下载”。", kind="ok", raw=True)
    button.on_click(pack)
    return w.VBox([w.HTML(table.html()), button, status])


ANSWERS_NAME = "my_answers.csv"


def answers_rows() -> list[list]:
    """The participant's self-check answers and guesses, readable: question and option in words, from the banks."""
    from .. import records
    from ..quiz.bank import BankError, load

    rows = [["笔记本", "类型", "题目", "我的答案", "是否正确", "第几次", "结果", "时间"]]
    for path in sorted(workspace.workspace_dir().glob("records_[0-9][0-9].json")):
        notebook = path.stem[-2:]
        try:
            saved, _note = records.read(notebook)
            bank = load(notebook)
        except (CourseError, BankError):
            continue
        for r in saved:
            question = bank.question(str(r.get("question", "")))
            if r.get("type") == "answer" and question is not None:
                option = question.option(r.get("option")) if question.is_choice else None
                mine = option.text if option else format_number(r.get("value")) + question.unit
                right = (option.right if option else question.is_right(r["value"])) \
                    if option or isinstance(r.get("value"), (int, float)) else None
                rows.append([notebook, "自测", question.question, mine, {True: "对", False: "错", None: ""}[right],
                             r.get("attempt", ""), "", r.get("at", "")])
            elif r.get("type") == "prediction" and not r.get("skipped"):
                rows.append([notebook, "先猜一猜", r.get("question", ""), format_number(r.get("guess")) + r.get("unit", ""),
                             "", "", format_number(r.get("result")) + r.get("unit", ""), r.get("at", "")])
    return rows


def pack_my_work() -> "Path":
    """``my_work/my_work_YYYYMMDD-HHMM.zip``: every file of the workspace and :data:`ANSWERS_NAME`."""
    import csv
    import io
    import time
    import zipfile

    folder = workspace.workspace_dir()
    answers = io.StringIO()
    csv.writer(answers).writerows(answers_rows())
    target = folder / f"my_work_{time.strftime('%Y%m%d-%H%M')}.zip"   # an ASCII name: every zip tool reads it
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".zip":
                archive.write(path, f"my_work/{path.name}")
        archive.writestr(f"my_work/{ANSWERS_NAME}", "\ufeff" + answers.getvalue())  # the BOM: Excel reads UTF-8
    try:
        workspace.write_bytes_atomic(target, data.getvalue())
    except OSError as err:
        raise InputError(f"压缩包没能写入 my_work 文件夹（{workspace.reason(err)}）。请检查磁盘空间或文件夹权限。") from err
    return target
