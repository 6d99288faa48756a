"""Notebook 05 (万事利：AI × 丝绸): the design-space calculator, the scarf designer, and static charts.

    from xinzhi.widgets.wensli import DesignSpace, ScarfDesigner
    DesignSpace()        # choices per design dimension → product on a log scale vs 8×10^14
    ScarfDesigner()      # motif, symmetry, palette, seed → a square scarf; save it as PNG
"""
from __future__ import annotations

import io
import math

import ipywidgets as w
import pandas as pd

from .. import charts, workspace
from ..data import convert, load
from ..errors import InputError
from ..formats import format_number, qualified, sci
from ..models import design, scarf
from ..tables import Table
from .base import FigureWidget, dropdown, slider
from .blitting import steady_limits

#: (key, Chinese label, minimum, default, maximum) — the illustrative design dimensions
DIMENSIONS = [
    ("motif", "主纹样", 1, 100, 1000),
    ("colourway", "配色方案", 1, 50, 500),
    ("layout", "构图布局", 1, 10, 100),
    ("symmetry", "对称方式", 1, 8, 16),
    ("style", "风格迁移", 1, 30, 300),
    ("detail", "细节变化", 1, 10, 1000),
]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo"]



def database_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pattern-database size: as the article gave it, and as later reports gave it (one row each)."""
    article = load("seed_article").series("aigc_pattern_database")
    later = load("wensli").series("aigc_pattern_database")
    return article, later


def claim_rows() -> pd.DataFrame:
    """The article's 80亿人 and 10万条 (rows of the seed-article data set)."""
    ds = load("seed_article")
    return pd.concat([ds.series("people_served_claim"), ds.series("designs_per_person_claim")],
                     ignore_index=True)


def _claim() -> tuple[float, float]:
    rows = claim_rows().set_index("indicator")
    people = convert(rows.loc["people_served_claim", "value"], rows.loc["people_served_claim", "unit"], "人")
    return people, float(rows.loc["designs_per_person_claim", "value"])


def claim_total() -> float:
    """80亿人 × 10万条, computed from the data rows (units converted in code)."""
    return design.claim_total(*_claim())


def claim_label(joiner: str = "×") -> str:
    """The article's claim as it is said: “80亿人×10万条” (``joiner="每人"``: “80亿人每人10万条”)."""
    people, per_person = _claim()
    return f"{format_number(people)}人{joiner}{format_number(per_person)}条"


def _when(date: str) -> str:
    """2024-03-05 → 2024年3月."""
    parts = str(date).split("-")
    return f"{parts[0]}年{int(parts[1])}月" if len(parts) > 1 else f"{parts[0]}年"


def _database_source() -> str:
    article, later = database_rows()
    return (load("seed_article").source_line(pd.concat([claim_rows(), article])) + "；"
            + load("wensli").source_line(later).removeprefix("来源："))


def wensli_table() -> Table:
    """Wensli's published figures, one row each, with who said it and when (≤ 5 columns)."""
    rows = pd.concat([load("seed_article").table.query("region == '万事利'"), load("wensli").table],
                     ignore_index=True)
    values = [qualified(format_number(v), q) for v, q in zip(rows["value"], rows["qualifier"])]
    return Table(pd.DataFrame({
        "指标": rows["indicator_zh"].to_numpy(),
        "数值": values,
        "单位": rows["unit"].to_numpy(),
        "出处": rows["publisher"].to_numpy(),
        "日期": rows["date"].to_numpy(),
    }))


def database_chart() -> None:
    """Bar chart: the pattern database as the article gave it and as later reports gave it — figures move."""
    article, later = database_rows()
    rows = pd.concat([article, later], ignore_index=True)
    fig, ax = charts.new_figure(7.5, 1.6 + 1.0 * len(rows))
    labels = [f"{r.date}\n{r.publisher}" for r in rows.itertuples()]
    values = list(rows["value"] / 1e4)
    bars = ax.barh(labels, values, color=[charts.COLORS[k % 8] for k in range(len(rows))], edgecolor="black")
    for k, bar in enumerate(bars):
        bar.set_hatch(HATCHES[k % len(HATCHES)])
    for bar, value in zip(bars, values):
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, f"{value:.0f} 万个花型",
                va="center")
    ax.set_xlim(0, max(values) * 1.3)
    ax.invert_yaxis()
    ax.set_xlabel("花型数据库规模（万个）")
    ax.set_title("万事利 AIGC 花型数据库：同一个数，不同日期")
    charts.set_source(fig, text=load("seed_article").source_line(article) + "；"
                      + load("wensli").source_line(later).removeprefix("来源："))
    said = "，".join(f"{_when(r.date)}{r.publisher}{'的文章' if k < len(article) else '报道'}为 {v:.0f} 万个"
                    for k, (r, v) in enumerate(zip(rows.itertuples(), values)))
    charts.show(fig, alt=f"横向条形图：花型数据库的规模，{said}。")


class DesignSpace(FigureWidget):
    """Choices per design dimension → number of distinct scarves (a product), on a log scale."""

    title = "设计空间计算器：每个维度的选择数相乘"
    illustrative = True
    figure_size = (8.6, 4.4)

    def make_controls(self):
        self.alt = ("横向条形图，横轴是数量级（10 的几次方）。上面一条由各设计维度的选择数的对数首尾相接组成，"
                    f"总长就是设计总数的数量级；下面一条是“{claim_label('每人')}”，约为 10 的 "
                    f"{math.log10(claim_total()):.1f} 次方，竖虚线标出它。")
        article, later = database_rows()
        self._database = {r.id: (r.value, f"{'文章' if k < len(article) else r.publisher}，{_when(r.date)}")
                          for k, r in enumerate(pd.concat([article, later]).itertuples())}
        options = [("自己设定（用下面的滑块）", "own")] + [
            (f"花型数据库 {format_number(v)}（{label}）", key) for key, (v, label) in self._database.items()]
        controls = {"motif_source": dropdown("主纹样从哪来", options, "own")}
        for key, label, low, default, high in DIMENSIONS:
            controls[key] = slider(label, default, low, high, 1, unit="种", integer=True)
        return controls

    def setup(self, fig, ax):
        self._target = claim_total()
        self._log_target = math.log10(self._target)
        self._segments = []
        for i, (key, label, *_rest) in enumerate(DIMENSIONS):
            bar = ax.barh([1], [1.0], left=[float(i)], height=0.5, color=charts.COLORS[i % 8],
                          hatch=HATCHES[i], edgecolor="black", label=label)[0]
            self._segments.append(bar)
        ax.barh([0], [self._log_target], height=0.5, color="#BBBBBB", edgecolor="black", hatch="..")
        ax.axvline(self._log_target, color="black", linestyle="--", linewidth=1.5)
        ax.set_yticks([0, 1], [claim_label(), "你的组合"])
        ax.set_ylim(-0.6, 2.6)
        ax.set_xlabel("数量级：10 的几次方（对数刻度，每一格是 10 倍）")
        self._total_text = ax.text(0, 1.38, "", fontsize=12, va="center")
        ax.text(self._log_target + 0.1, 0, sci(self._target), va="center", fontsize=12)
        charts.legend_below(ax, ncols=3)
        ax.set_title("乘法在对数尺上变成加法：各段首尾相接")

    def source(self):
        return _database_source() + "。各维度选择数为示意参数，非真实数据。"

    def update(self, motif_source, **counts):
        counts = {k: int(v) for k, v in counts.items()}
        # the legend stays as drawn (a legend is slow to redraw); where the motifs come from is said above the bar
        from_database = ""
        if motif_source in self._database:
            counts["motif"] = int(self._database[motif_source][0])
            from_database = f"（主纹样取花型数据库的 {format_number(counts['motif'])} 种）"
        self.controls["motif"].disabled = motif_source in self._database
        contributions = design.log10_contributions(counts)
        left = 0.0
        for bar, (key, *_rest) in zip(self._segments, DIMENSIONS):
            width = contributions[key]
            bar.set_x(left)
            bar.set_width(width)
            left += width
        total = design.design_space(counts)
        exponent = design.log10_design_space(counts)
        self._total_text.set_text(f"合计 ≈ {sci(total)} 种{from_database}")
        self._total_text.set_x(0.05)
        steady_limits(self.ax, 0, max(self._log_target, exponent) + 1.0, axis="x")
        formula = " × ".join(f"{counts[key]:,}" for key, *_ in DIMENSIONS)
        ratio = design.ratio_to_target(counts, self._target)
        if ratio >= 1:
            verdict = f"是“{claim_label()}”的 <b>{format_number(ratio)}</b> 倍：够用了。"
        else:
            short = design.orders_of_magnitude_short(counts, self._target)
            times = format_number(float(f"{1 / ratio:.2g}"))    # “约”: two significant digits, 670万 not 666.67万
            verdict = (f"只是“{claim_label()}”的约 {times}分之一，还差约 <b>{short:.1f}</b> "
                       f"个数量级（还要再乘上约 {times}）。")
        self.say(f"设计总数 = {formula} = <b>{format_number(total)}</b> 种，{verdict}")


class ScarfDesigner(FigureWidget):
    """A square scarf drawn from motif, symmetry order, palette and seed; save it as a PNG."""

    title = "丝巾图案生成器"
    alt = ("一幅方巾图案：中央是有 k 重对称的团花，四角各有一个小团花，外围是带花边的边框；"
           "纹样、对称数、配色和编号改变时，图案当场重画。")
    figure_size = (5.6, 6.2)
    inert_controls = frozenset({"save"})
    display_size = 360
    save_size = 1000

    def make_controls(self):
        motifs = [(name, key) for key, name in scarf.MOTIFS.items()]
        palettes = [(f"{p.name}（{'、'.join(p.names())}）", key) for key, p in scarf.PALETTES.items()]
        save = w.Button(description="保存为 PNG 图片", icon="download", layout={"width": "220px"})
        save.on_click(self.safely(self.save_png))
        return {
            "motif": dropdown("纹样", motifs, "flower"),
            "symmetry": slider("对称数", 8, scarf.MIN_SYMMETRY, scarf.MAX_SYMMETRY, 1, unit="重", integer=True),
            "palette": dropdown("配色", palettes, "qinghua"),
            "seed": slider("图案编号", 0, 0, 9999, 1, integer=True),
            "save": save,
        }

    def setup(self, fig, ax):
        self._patterns: dict = {}   # the last few patterns drawn, as palette indices
        first = scarf.scarf_image(size=self.display_size)
        self._image = ax.imshow(first, interpolation="antialiased")
        ax.set_axis_off()
        self._caption = ax.set_title("", fontsize=13)

    def source(self):
        return "图案由程序按所选参数生成（示意）。" + scarf.PALETTE_SOURCE

    def update(self, motif, symmetry, palette, seed):
        pattern = (motif, int(symmetry), int(seed))
        if pattern not in self._patterns:   # a new palette only recolours the pattern: it is not drawn again
            self._patterns[pattern] = scarf.scarf_indices(motif, int(symmetry), palette, int(seed), self.display_size)
            while len(self._patterns) > 4:
                self._patterns.pop(next(iter(self._patterns)))
        self._image.set_data(scarf.PALETTES[palette].rgb()[self._patterns[pattern]])
        self._caption.set_text(scarf.describe(motif, int(symmetry), palette, int(seed)) + "\n配色："
                               + "、".join(scarf.PALETTES[palette].names()))
        self.say(f"换一个编号就是另一幅图。这四个控件一共能组合出 "
                 f"{len(scarf.MOTIFS)} × {scarf.MAX_SYMMETRY - scarf.MIN_SYMMETRY + 1} × "
                 f"{len(scarf.PALETTES)} × 10,000 = "
                 f"<b>{format_number(design.design_space([len(scarf.MOTIFS), scarf.MAX_SYMMETRY - scarf.MIN_SYMMETRY + 1, len(scarf.PALETTES), 10000]))}</b> 种设计。")

    def file_name(self) -> str:
        v = self.values()
        return f"scarf_{v['motif']}_{int(v['symmetry'])}_{v['palette']}_{int(v['seed'])}.png"

    def save_png(self):
        """Write the current design, at print size, to the participant's workspace."""
        import matplotlib.image as mpimg

        v = self.values()
        picture = scarf.scarf_image(v["motif"], int(v["symmetry"]), v["palette"], int(v["seed"]), self.save_size)
        buffer = io.BytesIO()
        mpimg.imsave(buffer, picture, format="png")
        target = workspace.path_for(self.file_name())
        try:
            workspace.write_bytes_atomic(target, buffer.getvalue())
        except OSError as err:
            raise InputError(f"保存失败：{target} 无法写入（{err.strerror or err}）。请检查磁盘空间或文件夹权限。") from err
        self.last_saved = target
        self.show_message(f"已保存：{target}（{self.save_size}×{self.save_size} 像素）。"
                          "在左侧文件浏览器的 my_work 文件夹里可以找到并下载。", kind="ok")
        return target
