"""Widgets that fit the screen they are shown on: a laptop, the classroom projector, a phone.

Two parts:

* :class:`WidthSensor` — a tiny widget (anywidget) that tells Python how wide, in CSS pixels, the box
  of a course widget is, now and whenever it changes (a window resized, the file browser opened, the
  browser zoomed). ipympl draws a figure at the size it is given and does not follow its container,
  so :func:`fit_figure` draws it again for the width it gets: the same design size or smaller, never
  scaled down by the browser (which would shrink the text below a readable size), and, when a
  multi-panel figure has less than :data:`MIN_PANEL_PX` per panel, with its panels stacked in one column.
* :data:`STYLE` — the course widgets' CSS (a style element inside every course widget): labels wrap
  instead of being cut off, and move above their control when the widget is narrow; slider tracks keep
  at least :data:`MIN_TRACK_PX`.
"""
from __future__ import annotations

import anywidget
import ipywidgets as w
import traitlets

from .. import charts

MIN_TRACK_PX = 160      # a slider track shorter than this cannot be set to a chosen value by hand
MIN_PANEL_PX = 360      # narrower than this per panel, the panels of a figure go one under another
MIN_HEIGHT_IN = 3.0     # a figure drawn smaller than its design keeps at least this height (inches)
NARROW_PX = 560         # below this width (CSS px) labels stand above their controls
WIDGET_CLASS = "xinzhi-widget"

STYLE = f"""<style>
.{WIDGET_CLASS} {{ container-type: inline-size; width: 100%; max-width: 100%; box-sizing: border-box; }}
.{WIDGET_CLASS} .widget-label, .{WIDGET_CLASS} .widget-label-basic {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.3 !important; align-self: center; }}
.{WIDGET_CLASS} .widget-hslider .slider-container {{ flex: 1 1 {MIN_TRACK_PX + 10}px; min-width: {MIN_TRACK_PX}px; }}
.{WIDGET_CLASS} .widget-inline-hbox {{ max-width: 100%; flex-wrap: wrap; row-gap: 2px; }}
.{WIDGET_CLASS} .widget-button {{ max-width: 100%; white-space: normal; height: auto; min-height: var(--jp-widgets-inline-height); }}
.{WIDGET_CLASS} .jupyter-matplotlib-figure {{ max-width: 100%; }}
@container (max-width: {NARROW_PX}px) {{
  .{WIDGET_CLASS} .widget-inline-hbox {{ height: auto !important; }}
  .{WIDGET_CLASS} .widget-inline-hbox > .widget-label {{ width: 100% !important; max-width: 100% !important;
    text-align: left !important; margin-bottom: 0; }}
  .{WIDGET_CLASS} .widget-text, .{WIDGET_CLASS} .widget-textarea, .{WIDGET_CLASS} .widget-dropdown,
  .{WIDGET_CLASS} .widget-slider {{ width: 100% !important; }}
  .{WIDGET_CLASS} .widget-text input, .{WIDGET_CLASS} .widget-dropdown select {{ max-width: 100%; }}
}}
</style>"""


class WidthSensor(anywidget.AnyWidget):
    """Reports the width (CSS px) of the box it sits in, a quarter of a second after it stops changing."""

    _esm = """
    function render({ model, el }) {
      el.style.height = '0';
      let timer = null, observer = null, box = null, tries = 0;
      // the course widget's own box (its content width), once the sensor is in the page
      const report = () => {
        const width = Math.round(box.clientWidth - parseFloat(getComputedStyle(box).paddingLeft || 0)
                                 - parseFloat(getComputedStyle(box).paddingRight || 0));
        if (width > 0 && width !== model.get('width')) { model.set('width', width); model.save_changes(); }
      };
      const attach = () => {
        box = el.closest('.xinzhi-widget') || (el.isConnected ? el.parentElement : null);
        if (!box) { if (tries++ < 600) requestAnimationFrame(attach); return; }
        observer = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(report, 250); });
        observer.observe(box);
        report();
      };
      attach();
      return () => { if (observer) observer.disconnect(); clearTimeout(timer); };
    }
    export default { render };
    """
    width = traitlets.Int(0).tag(sync=True)


def style() -> w.HTML:
    return w.HTML(STYLE, layout={"height": "0", "margin": "0", "overflow": "hidden"})


def plan(width_px: float, design: tuple[float, float], grid: tuple[int, int], dpi: float) -> tuple:
    """The figure size (inches) and grid for a box ``width_px`` CSS pixels wide.

    Never wider than the design; never wider than the box; panels stacked in one column when a row of
    them would leave each less than MIN_PANEL_PX.
    """
    design_w, design_h = design
    rows, cols = grid
    avail = max(200.0, min(width_px - 6, design_w * dpi)) / dpi
    if cols > 1 and avail * dpi < cols * MIN_PANEL_PX:
        panel_h = 3.8 if avail * dpi < NARROW_PX else min(design_h / rows, 3.4, max(2.6, avail * 0.62))
        return (avail, panel_h * cols * rows), (rows * cols, 1)
    if avail * dpi < NARROW_PX:      # a phone: keep the design's height (legends stand in one column below)
        return (avail, design_h + 1.5), grid
    height = max(MIN_HEIGHT_IN, design_h * avail / design_w) if avail < design_w else design_h
    return (avail, min(height, design_h)), grid


def arrange(fig, grid: tuple[int, int]) -> None:
    """Put the figure's axes (in reading order) on a grid of ``grid`` rows × columns."""
    axes = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
    spec = fig.add_gridspec(*grid)
    for number, ax in enumerate(axes):
        ax.set_subplotspec(spec[number // grid[1], number % grid[1]])


def fit_figure(fig, size: tuple[float, float], grid: tuple[int, int], narrow: bool) -> None:
    """Give the figure a new size and grid and lay it out again (constrained layout) at its next draw."""
    fig.set_layout_engine("constrained")
    current = getattr(fig, "_xinzhi_grid", None)
    if current != grid:
        arrange(fig, grid)
        fig._xinzhi_grid = grid
    fig._xinzhi_narrow = narrow
    for ax in fig.axes:
        legend = ax.get_legend()
        remake = getattr(legend, "_xinzhi_remake", None)
        if remake is not None and legend._ncols != (1 if narrow else legend._xinzhi_ncols):
            remake()       # a legend lays out its columns when it is made: make it again (one column when narrow)
    fig.set_size_inches(*size, forward=True)
    charts.rewrap_source(fig)
    wrap_titles(fig)


def wrap_titles(fig) -> None:
    """Axes titles that are wider than their axes on a narrow figure, wrapped (Chinese line breaking)."""
    if not getattr(fig, "_xinzhi_narrow", False):
        return
    chars = fig.get_figwidth() * 6.2 / max(1, (getattr(fig, "_xinzhi_grid", None) or (1, 1))[1])
    for ax in fig.axes:
        text = ax.title.get_text()
        if text and "\n" not in text and charts._display_width(text) > chars * 2:
            ax.title.set_text(charts.wrap_mixed(text, chars))
