"""The course's chart style: Chinese on any OS, a colour-blind-safe palette, a source line under every chart.

Everything here is applied once, by :func:`use_course_style` (called when ``xinzhi`` is imported).
"""
from __future__ import annotations

import base64
import functools
import html
import io
import itertools
import re
import unicodedata
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt  # every notebook draws; the backend was chosen before this import
from cycler import cycler
from matplotlib import font_manager

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Regular-subset.ttf"
FONT_FAMILY = "Noto Sans SC"
# System fonts that cover characters outside the bundled subset (rare names participants type).
SYSTEM_CJK_FONTS = ["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
                    "Hiragino Sans GB", "WenQuanYi Zen Hei"]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = {
    "蓝": "#0072B2", "橙": "#E69F00", "绿": "#009E73", "朱红": "#D55E00",
    "紫红": "#CC79A7", "天蓝": "#56B4E9", "黄": "#F0E442", "黑": "#000000",
}
COLORS = list(PALETTE.values())
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
SOURCE_COLOR = "#444444"

_style_applied = False


def register_chinese_font() -> list[str]:
    """Register the bundled Noto Sans SC by path and return the font list charts will use.

    No font cache and no system font is needed. System CJK fonts found on the machine are added
    after it as per-glyph fallbacks, then DejaVu Sans (matplotlib's own) for symbols.
    """
    fonts = font_manager.fontManager
    families = list(_families(id(fonts), len(fonts.ttflist)))
    # The families themselves (not "sans-serif"): matplotlib then falls back glyph by glyph along the list.
    matplotlib.rcParams["font.family"] = families
    matplotlib.rcParams["font.sans-serif"] = families
    matplotlib.rcParams["axes.unicode_minus"] = False
    return families


@functools.lru_cache(maxsize=4)
def _families(_fonts: int, _count: int) -> tuple[str, ...]:
    """The chart fonts, looked up again only when matplotlib's list of fonts is another or has changed."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    if FONT_FAMILY not in known or not any(Path(f.fname) == FONT_FILE for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(FONT_FILE))
        known.add(FONT_FAMILY)
    return (FONT_FAMILY, *[name for name in SYSTEM_CJK_FONTS if name in known], "DejaVu Sans")


@functools.lru_cache(maxsize=4)
def _codepoints(families: tuple[str, ...]) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    points: set[int] = set()
    for family in families:
        try:
            points |= set(FT2Font(font_manager.findfont(family, fallback_to_default=False)).get_charmap())
        except (ValueError, OSError, RuntimeError):  # a family that is not installed after all
            continue
    return frozenset(points)


def drawable(text: str) -> str:
    """``text`` as the chart fonts can draw it, for anything a participant types into a label.

    A character that no chart font has is replaced by its plain form where that can be drawn (① → 1,
    ｍ² → m²) and otherwise left out (emoji), so a chart never shows an empty box or warns about a
    missing glyph. "$" is kept as a dollar sign (it would start matplotlib's maths mode).
    """
    points = _codepoints(tuple(register_chinese_font()))
    kept = []
    for ch in str(text or ""):
        if unicodedata.category(ch) == "Cf" or 0xFE00 <= ord(ch) <= 0xFE0F:   # joiners, emoji variation marks
            continue
        if ord(ch) in points or ch in " \n":
            kept.append(ch)
            continue
        plain = unicodedata.normalize("NFKC", ch)
        if plain != ch and all(ord(c) in points for c in plain):
            kept.append(plain)
    return "".join(kept).replace("$", r"\$")


def use_course_style() -> None:
    """White background, large type for projector and phone, palette with line styles. Idempotent."""
    global _style_applied
    register_chinese_font()
    if _style_applied:
        return
    matplotlib.rcParams.update({
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "font.size": 13,
        "axes.titlesize": 15,
        "axes.labelsize": 13,
        "xtick.labelsize": 12,
        "ytick.labelsize": 12,
        "legend.fontsize": 12,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.35,
        "legend.frameon": False,
        "lines.linewidth": 2.5,
        "lines.markersize": 7,
        "axes.prop_cycle": cycler(color=COLORS) + cycler(linestyle=LINESTYLES),
        "svg.fonttype": "path",
        "pdf.fonttype": 42,
    })
    _style_applied = True


def new_figure(width: float = 8.0, height: float = 4.6, nrows: int = 1, ncols: int = 1, *,
               interactive: bool = False, **kwargs):
    """A figure in the course style that is not shown until asked: returns ``(fig, axes)``.

    By default a static chart's figure, drawn only into its picture (:func:`show`): no canvas widget, no
    place in pyplot's list of figures, nothing kept once it is shown. ``interactive=True``: a figure of the
    notebook's backend (an ipympl canvas in a kernel), for a widget that redraws it in place (close it with
    :func:`close`).
    """
    use_course_style()
    if not interactive:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots(nrows, ncols, **kwargs)
    with plt.ioff():
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
    canvas = fig.canvas
    for attribute, value in [("header_visible", False), ("toolbar_visible", False),
                             ("footer_visible", False), ("resizable", False)]:
        if hasattr(canvas, attribute):  # ipympl's canvas widget
            setattr(canvas, attribute, value)
    return fig, axes


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Chinese line-breaking rules (禁则, GB/T 15834 and W3C "Requirements for Chinese Text Layout" §3.1.7):
# closing punctuation never starts a line, opening brackets and quotes never end one.
NO_LINE_START = set("，。、；：？！）》」』】〕〗〉”’…—·%‰°℃,.;:?!)]}")
NO_LINE_END = set("（《「『【〔〖〈“‘([{")
# A preferred place to break: after these, when one is near the end of the line.
_SOFT_BREAKS = set("；，、。）》” ")
# Latin words and numbers ("PWT", "10.01", "2024-03-05", "67.1%", "AER 105(10)") are never split.
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,'’/_:+\-−×^%()]*|\s+|.", re.S)


def _may_break(before: str, after: str) -> bool:
    return bool(before) and bool(after) and after[0] not in NO_LINE_START and before[-1] not in NO_LINE_END


def wrap_mixed(text: str, width: float) -> str:
    """Wrap Chinese-and-Latin text to ``width`` Chinese characters a line (a Latin letter counts half).

    Follows the Chinese line-breaking rules (no closing punctuation at a line start, no opening bracket
    or quote at a line end), never splits a Latin word or a number, and prefers to break after Chinese
    punctuation or a space when one is near the end of the line. Existing line breaks are kept.
    """
    limit = max(10, int(width * 2))
    return "\n".join(line for paragraph in str(text).split("\n") for line in _wrap_paragraph(paragraph, limit))


def _wrap_paragraph(text: str, limit: int) -> list[str]:
    tokens: list[str] = []
    for token in _WORD.findall(text):
        while _display_width(token) > limit:        # a word longer than a line (a long address): cut it,
            cut = max(1, next(i for i in range(len(token), 0, -1) if _display_width(token[:i]) <= limit))
            joint = max(token.rfind(mark, 0, cut) for mark in "-/.")   # after a hyphen, slash or dot if one is there
            cut = joint + 1 if joint > 0 else cut
            tokens.append(token[:cut])
            token = token[cut:]
        tokens.append(token)
    lines: list[str] = []
    line: list[str] = []
    width = 0   # of the line so far
    for token in tokens:
        if line and width + _display_width(token) > limit:
            # break points in this line where the rules allow a break before ``token`` moves down
            rest = line + [token]
            allowed = [i for i in range(1, len(line) + 1)
                       if _may_break(line[i - 1], next((t for t in rest[i:] if t.strip()), "x"))]
            if not allowed and token[0] in NO_LINE_START:
                line.append(token)          # no place to break: let the punctuation hang past the end (悬挂)
                width += _display_width(token)
                continue
            upto = list(itertools.accumulate(map(_display_width, line)))   # upto[i - 1]: width of line[:i]
            soft = [i for i in allowed if line[i - 1][-1] in _SOFT_BREAKS and upto[i - 1] >= 0.6 * limit]
            cut = (soft or allowed or [len(line)])[-1]
            lines.append("".join(line[:cut]).rstrip())
            line = [t for t in line[cut:]]
            while line and not line[0].strip():
                line.pop(0)
            width = sum(map(_display_width, line))
            if not line and not token.strip():
                continue
        line.append(token)
        width += _display_width(token)
    lines.append("".join(line).rstrip())
    return lines


def legend_below(ax, *args, ncols: int = 2, xlabel: bool | None = None, **kwargs):
    """A legend under the axes (below the tick labels and the x label), where it can never cover the data.

    For charts whose data moves with a control: a legend inside the axes would sooner or later sit on a
    line. Constrained layout makes room for it. ``xlabel``: leave room for an x label (by default: if the
    axes has one now). ``ncols`` is the most columns: fewer when they would be wider than the axes' column
    of the figure (see :func:`legend_columns`), one when the figure is drawn narrow (widgets/fit.py).
    """
    from matplotlib.transforms import offset_copy

    rc = matplotlib.rcParams
    drop = rc["xtick.major.size"] + rc["xtick.major.pad"] + rc["xtick.labelsize"] + 3
    if xlabel if xlabel is not None else bool(ax.get_xlabel()):
        drop += rc["axes.labelpad"] + rc["axes.labelsize"] * 1.15
    kwargs.setdefault("fontsize", 10)
    wanted = ncols
    if getattr(ax.figure, "_xinzhi_narrow", False):
        ncols = 1
    else:
        labels = (args[1] if len(args) > 1 else [h.get_label() for h in kwargs["handles"]] if "handles" in kwargs
                  else ax.get_legend_handles_labels()[1])
        ncols = legend_columns(ax, [str(label) for label in labels], ncols, kwargs["fontsize"])
    legend = ax.legend(*args, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=ncols,
                       bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-drop, units="points"), **kwargs)
    legend._xinzhi_remake = lambda: legend_below(ax, *args, ncols=wanted, xlabel=xlabel, **kwargs)
    return legend


def legend_columns(ax, labels: list[str], most: int, fontsize: float) -> int:
    """How many columns (at most ``most``) a legend of ``labels`` can have and still be no wider than the
    column of the figure its axes stand in (estimated from the labels' widths, handles and spacing)."""
    if not labels:
        return most
    spec = ax.get_subplotspec()
    columns = spec.get_gridspec().ncols if spec is not None else 1
    rc = matplotlib.rcParams
    room = ax.figure.get_figwidth() * 72 / columns * 0.97 - 2 * rc["legend.borderpad"] * fontsize   # points
    text = max(sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.58 for ch in label) for label in labels)
    entry = (text + rc["legend.handlelength"] + rc["legend.handletextpad"]) * fontsize
    spacing = rc["legend.columnspacing"] * fontsize
    fits = int((room + spacing) // (entry + spacing))
    return max(1, min(most, fits, len(labels)))


def nice_ceiling(value: float) -> float:
    """The next round number at or above ``value`` (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ).

    Axis limits set with it stay put while a slider moves a little, so the widget can redraw only
    what changed (see widgets/blitting.py) and the reader's eye has a steady scale.
    """
    import math

    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * power * (1 + 1e-12):
            return step * power
    return 10 * power


def label_text(text, fallback: str, limit: int = 18) -> str:
    """What a participant typed, as a chart label: on one line, at most ``limit`` characters, drawable
    (see :func:`drawable`); ``fallback`` when nothing is left."""
    text = " ".join(drawable(" ".join(str(text or "").split())).split())
    return text[:limit].removesuffix("\\") or fallback


def set_source(fig, text: str, width: float | None = None):
    """Write (or rewrite) the source line under the chart. Returns the text artist.

    ``width``: Chinese characters per line; by default as many as fit the figure's width.
    """
    from .edition import with_stamp  # the course version and data month ride along, so a chart can be cited

    artist = getattr(fig, "_xinzhi_source", None)
    if artist is not None and getattr(fig, "_xinzhi_source_as_set", None) == (text, width, fig.get_figwidth()):
        return artist   # the same line for the same width: a widget's update leaves it (and the figure) as is
    fig._xinzhi_source_as_set = (text, width, fig.get_figwidth())
    wrapped = wrap_mixed(with_stamp(text), min(width or 999, fig.get_figwidth() * 6.8))
    fig._xinzhi_source_text, fig._xinzhi_source_width = text, width
    if artist is None:
        artist = fig.supxlabel(wrapped, x=0.005, ha="left", fontsize=10, color=SOURCE_COLOR)
        fig._xinzhi_source = artist
    else:
        artist.set_text(wrapped)
    return artist


def rewrap_source(fig) -> None:
    """Wrap the source line again for the figure's present width (after it was resized)."""
    if getattr(fig, "_xinzhi_source_text", None):
        set_source(fig, fig._xinzhi_source_text, fig._xinzhi_source_width)


def source_of(fig) -> str:
    """The source line as it was set (without the version stamp and line breaks)."""
    return getattr(fig, "_xinzhi_source_text", "")


def close(fig) -> None:
    """Close a figure so that its memory (the figure and its pixel buffers) is given back.

    ``plt.close`` alone leaves an interactive figure alive: ipympl closes the canvas widget but not its
    toolbar widget, which stays registered with ipywidgets and holds the canvas and so the figure. And a
    figure's artists refer to one another (its texts to the renderer that drew them, with the picture's
    pixels, megabytes): it goes when Python's collector next looks at old objects, which
    :func:`collect_closed_figures` asks for at the end of the cell.
    """
    global _closed_figures
    import ipywidgets

    toolbar = getattr(getattr(fig.canvas, "manager", None), "toolbar", None)
    plt.close(fig)
    if isinstance(toolbar, ipywidgets.Widget):
        toolbar.close()
    _closed_figures = True


_closed_figures = False


def collect_closed_figures(*_args) -> None:
    """After a cell that closed a figure (a static chart shown, a widget re-made): collect it now, so the
    kernel's memory does not grow with every chart until a full collection happens to run."""
    global _closed_figures
    if _closed_figures:
        import gc

        _closed_figures = False
        gc.collect()


def png_bytes(fig, dpi: int | None = None) -> bytes:
    from .widgets.fastpng import COMPRESS_LEVEL   # zlib's fastest level: for charts, files no larger

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or 110, pil_kwargs={"compress_level": COMPRESS_LEVEL})
    return buffer.getvalue()


def _picture(fig, dpi: int) -> bytes:
    """A static chart's PNG, the same pixels as :func:`png_bytes` gives, in one draw: savefig lays a figure out in a
    draw of its own before the one that renders it. (An interactive figure is left to savefig: drawing its
    canvas would send the picture to the browser.)"""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .widgets.fastpng import png   # the widgets' PNG writer: a static chart in a third of Pillow's time

    if type(fig.canvas) is not FigureCanvasAgg:
        return png_bytes(fig, dpi)
    shown = fig.dpi
    fig.dpi = dpi
    try:
        fig.canvas.draw()
        return png(np.asarray(fig.canvas.buffer_rgba()))
    finally:
        fig.dpi = shown


def show(fig, alt: str, *, caption: str | None = None) -> None:
    """Show a finished, static chart as an image with alt text (readable in any viewer, on a phone too).

    Every chart must carry a source line (:func:`set_source`) and a description for people who
    cannot see it (``alt``).
    """
    from IPython.display import HTML, display

    if not source_of(fig):
        raise ValueError("chart has no source line: call set_source(fig, ...) first")
    if not alt or not alt.strip():
        raise ValueError("chart needs alt text")
    from . import handout

    smallest_pt = smallest_text_pt(fig)
    fit_static(fig, smallest_pt)
    if handout.active():  # the handout site: the source line as text under a sharper image
        display(HTML(handout.chart(fig, alt, caption)))
        close(fig)
        return
    natural, smallest = static_widths(fig, smallest_pt)
    text_px = round(smallest_pt * STATIC_DPI / 72, 1)   # the smallest text at the picture's own size
    encoded = base64.b64encode(_picture(fig, STATIC_DPI)).decode("ascii")
    close(fig)
    figcaption = f"<figcaption style='font-size:0.9em;color:#444'>{html.escape(caption)}</figcaption>" if caption else ""
    # shrinks with a narrow column, but never below the width where its smallest text is MIN_TEXT_PX;
    # narrower than that (a phone), the picture scrolls sideways inside its own box. data-text-px: for page checks
    display(HTML(f"<figure class='xinzhi-static-chart' data-text-px='{text_px}' style='margin:0;max-width:100%;"
                 f"overflow-x:auto'><img src='data:image/png;base64,{encoded}' "
                 f"alt='{html.escape(alt, quote=True)}' style='width:100%;max-width:{natural}px;"
                 f"min-width:{smallest}px;height:auto'>{figcaption}</figure>"))


STATIC_DPI = 110
MIN_TEXT_PX = 11    # CSS px: chart text is never shown smaller
PROJECTOR_COLUMN_PX = 640   # the output column of JupyterLab on a 1280×720 projector at 150 % (653 px measured)


def smallest_text_pt(fig) -> float:
    sizes = [t.get_fontsize() for t in _texts(fig) if t.get_visible() and t.get_text().strip()]
    return min(sizes) if sizes else 10.0


def _texts(artist):
    """The texts in ``artist``, as ``findobj(Text)`` finds them, but of an axis only the ticks it already has:
    ``findobj`` would make every tick its locator asks for (a tick's label has no text before it is drawn)."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    if isinstance(artist, Text):
        yield artist
    if isinstance(artist, Axis):
        children = [artist.label, artist.offsetText,
                    *artist.__dict__.get("majorTicks", ()), *artist.__dict__.get("minorTicks", ())]
    else:
        children = artist.get_children()
    for child in children:
        yield from _texts(child)


def fit_static(fig, smallest_pt: float | None = None) -> None:
    """Draw a static chart narrow enough that on the projector it fits the column with its text >= 11 px."""
    widest = PROJECTOR_COLUMN_PX * (smallest_pt or smallest_text_pt(fig)) / (72 * MIN_TEXT_PX)    # inches
    if fig.get_figwidth() > widest:
        fig.set_size_inches(widest, fig.get_figheight())
        rewrap_source(fig)


def static_widths(fig, smallest_pt: float | None = None) -> tuple[int, int]:
    """A static chart's natural width (CSS px, as saved) and the narrowest width at which its smallest
    text is still MIN_TEXT_PX."""
    smallest_pt = smallest_pt or smallest_text_pt(fig)
    natural = fig.get_figwidth() * STATIC_DPI
    shown_px = smallest_pt * STATIC_DPI / 72          # the smallest text, in CSS px, at the natural width
    return round(natural), min(round(natural), round(natural * MIN_TEXT_PX / shown_px))
