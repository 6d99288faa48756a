"""Widgets that fit the screen they are shown on: a laptop, the classroom projector, a phone.

* :class:`ViewSensor` — a tiny widget (anywidget) that tells Python how much room, in CSS pixels, the
  figure of a course widget has: the width of its column, now and whenever it changes (a window resized,
  the file browser opened, the browser zoomed) and, in the app view, the height left for it under or
  beside the controls. ipympl draws a figure at the size it is given and does not follow its container,
  so :func:`fit_figure` draws it again for the room it gets: the design size or smaller, never scaled
  down by the browser (which would shrink the text below a readable size), and, when a multi-panel
  figure has too little room per panel, with its panels stacked in one column.
* :data:`STYLE` — the course widgets' CSS (a style element inside every course widget): labels wrap
  instead of being cut off, and move above their control when the widget is narrow; slider tracks keep
  at least :data:`MIN_TRACK_PX`; a message about a control shows right under that control.
* The app view (Voilà, 演示模式, on the classroom projector): a widget's controls and its figure fit in
  one view, so nothing scrolls between a slider and what it moves. Where the widget is at least
  :data:`APP_MIN_PX` wide, the controls stand in compact rows above the figure or in a column beside it
  (:func:`arrangement`), and the figure is drawn for the height that is left. JupyterLab and a phone
  keep one column: controls, then the figure, as wide as the widget.
"""
from __future__ import annotations

import math
import warnings

import anywidget
import ipywidgets as w
import traitlets

from .. import charts
from .shared import html_line

MIN_TRACK_PX = 160      # a slider track shorter than this cannot be set to a chosen value by hand
MIN_PANEL_PX = 360      # narrower than this per panel, the panels of a figure go one under another
MIN_HEIGHT_IN = 3.0     # a figure drawn smaller than its design keeps at least this height (inches)
MIN_VIEW_ROW_IN = 2.3   # in the app view, each row of panels keeps at least this height (inches)
MIN_AXES_PX = 110       # in the app view, a plot's own area keeps at least this height (CSS px)
NARROW_PX = 560         # below this width (CSS px) labels stand above their controls
APP_MIN_PX = 700        # the app view arranges controls and figure for one view from this widget width up
WIDGET_CLASS = "xinzhi-widget"
BODY_CLASS = "xinzhi-body"            # the controls and the chart, arranged together
CONTROLS_CLASS = "xinzhi-controls"    # everything that moves the figure
CONTROL_LIST_CLASS = "xinzhi-control-list"   # a plain list of controls: two to a row in the app view
CHART_CLASS = "xinzhi-chart"          # the message line and the figure
NOTE_CLASS = "xinzhi-note"            # a message about one control, right under it
VIEW_MARGIN_PX = 16     # kept free under the figure in the app view

_W = f".{WIDGET_CLASS}"
_APP = f"body[data-voila] {_W}"      # Voilà marks its page with data-voila: the app view
STYLE = f"""<style>
{_W} {{ container-type: inline-size; width: 100%; max-width: 100%; box-sizing: border-box; }}
{_W} .{CONTROLS_CLASS} {{ container-type: inline-size; }}
{_W} .widget-label, {_W} .widget-label-basic {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.3 !important; align-self: center; }}
{_W} .widget-hslider .slider-container {{ flex: 1 1 {MIN_TRACK_PX + 10}px; min-width: {MIN_TRACK_PX}px; }}
{_W} .widget-inline-hbox {{ max-width: 100%; flex-wrap: wrap; row-gap: 2px; }}
{_W} .widget-hslider {{ flex-wrap: nowrap; }}
{_W} .widget-hslider .widget-readout {{ flex: 0 0 auto; min-width: 3em; overflow: visible; }}
{_W} .widget-button {{ max-width: 100%; white-space: normal; height: auto; min-height: var(--jp-widgets-inline-height); }}
{_W} .jupyter-matplotlib-figure {{ max-width: 100%; }}
{_W} .{NOTE_CLASS}, {_W} .{CHART_CLASS} > .widget-html:first-child {{ height: auto; flex: 0 0 100%; max-width: 100%; }}
{_W} .{NOTE_CLASS}:has(> .widget-html-content:empty),
{_W} .{CHART_CLASS} > .widget-html:first-child:has(> .widget-html-content:empty) {{ display: none; }}
{_W} .{NOTE_CLASS} .widget-html-content, {_W} .{CHART_CLASS} > .widget-html .widget-html-content {{ height: auto; line-height: 1.5; }}
{_W} .{NOTE_CLASS} [role] {{ margin: 0 0 4px 0 !important; }}
@container (max-width: {NARROW_PX}px) {{
  {_W} .widget-inline-hbox {{ height: auto !important; }}
  {_W} .widget-inline-hbox > .widget-label {{ width: 100% !important; max-width: 100% !important;
    text-align: left !important; margin-bottom: 0; }}
  {_W} .widget-hslider {{ flex-wrap: wrap; }}
  {_W} .widget-text, {_W} .widget-textarea, {_W} .widget-dropdown,
  {_W} .widget-slider {{ width: 100% !important; }}
  {_W} .widget-text input, {_W} .widget-dropdown select {{ max-width: 100%; }}
}}
/* Voilà lays outputs out as table cells, which keep a stale height when a widget grows or shrinks (an
   empty gap under it, or a box that scrolls inside); as blocks they follow their content. */
body[data-voila] .jp-OutputArea-child {{ display: flex; }}
body[data-voila] .jp-OutputArea-child > .jp-OutputArea-output {{ display: block; flex: 1 1 auto; min-width: 0; }}
@container (min-width: {APP_MIN_PX}px) {{
  {_APP} .{BODY_CLASS} {{ --xinzhi-view-fit: 1; }}
  {_APP}.xinzhi-above .{CONTROL_LIST_CLASS} {{ display: grid; column-gap: 16px;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 380px), 1fr)); }}
  {_APP}.xinzhi-above .{CONTROL_LIST_CLASS} > .{NOTE_CLASS} {{ grid-column: 1 / -1; }}
  {_APP}.xinzhi-beside .{BODY_CLASS} {{ flex-direction: row; align-items: flex-start; gap: 12px; }}
  {_APP}.xinzhi-beside .{CONTROLS_CLASS} {{ flex: 0 0 clamp(260px, 36%, 360px);
 }}
  {_APP}.xinzhi-beside .{CHART_CLASS} {{ flex: 1 1 0; min-width: 0; }}
}}
</style>"""


class ViewSensor(anywidget.AnyWidget):
    """Reports the room (CSS px) the figure of its course widget has, a quarter of a second after it
    stops changing: ``width``, the width of the chart's column, and ``height``, in the app view the height
    of the window less what stands between the top of the controls and the figure (0: no bound).

    ``drawn`` goes the other way: the width (CSS px) the figure is drawn at and the size of its smallest
    text, written on the widget's box as ``data-figure-width`` and ``data-text-px`` — what a page check
    needs to tell the size at which chart text is shown.
    """

    _esm = """
    function render({ model, el }) {
      el.style.height = '0';
      let timer = null, observer = null, box = null, tries = 0;
      const px = (v) => parseFloat(v) || 0;
      const report = () => {
        const slot = box.querySelector('.%(chart)s') || box;
        const style = getComputedStyle(slot);
        const width = Math.round(slot.clientWidth - px(style.paddingLeft) - px(style.paddingRight));
        let height = 0;
        const body = box.querySelector('.%(body)s');
        const figure = slot.querySelector('.jupyter-matplotlib, .widget-image');
        if (body && figure && getComputedStyle(body).getPropertyValue('--xinzhi-view-fit').trim() === '1') {
          const top = (box.querySelector('.%(controls)s') || body).getBoundingClientRect().top;
          const figureTop = figure.getBoundingClientRect().top;
          let above = figureTop - top;
          // a message shown for the moment does not make the figure smaller
          for (const note of box.querySelectorAll('.%(note)s, .%(chart)s > .widget-html')) {
            const r = note.getBoundingClientRect();
            if (r.height && r.top >= top && r.bottom <= figureTop + 1) above -= r.height;
          }
          // controls taller than most of the window cannot share it with the figure: the figure alone fits it
          height = Math.max(1, Math.round(window.innerHeight - (above > 0.6 * window.innerHeight ? 0 : above)
                                          - %(margin)d));
        }
        if (width > 0 && (width !== model.get('width') || height !== model.get('height'))) {
          model.set('width', width); model.set('height', height); model.save_changes();
        }
      };
      const later = () => { clearTimeout(timer); timer = setTimeout(report, 250); };
      const show = () => {
        const drawn = model.get('drawn') || {};
        if (box && drawn.width) { box.dataset.figureWidth = drawn.width; box.dataset.textPx = drawn.text; }
      };
      const attach = () => {
        box = el.closest('.%(widget)s') || (el.isConnected ? el.parentElement : null);
        if (!box) { if (tries++ < 600) requestAnimationFrame(attach); return; }
        observer = new ResizeObserver(later);
        observer.observe(box);
        window.addEventListener('resize', later);
        show();
        report();
      };
      model.on('change:drawn', show);
      attach();
      return () => {
        if (observer) observer.disconnect();
        window.removeEventListener('resize', later);
        clearTimeout(timer);
      };
    }
    export default { render };
    """ % {"chart": CHART_CLASS, "body": BODY_CLASS, "controls": CONTROLS_CLASS, "note": NOTE_CLASS,
           "widget": WIDGET_CLASS, "margin": VIEW_MARGIN_PX}
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    drawn = traitlets.Dict().tag(sync=True)


def style() -> w.HTML:
    return html_line(STYLE, layout={"height": "0", "margin": "0", "overflow": "hidden"})


def arrangement(grid: tuple[int, int], design: tuple[float, float], controls: int) -> str:
    """How the app view arranges a widget: "beside" (controls in a column left of the figure) for a
    one-panel figure that is nearly square or has many controls to go with it; otherwise "above"
    (compact rows of controls over a figure as wide as the widget)."""
    nearly_square = design[1] >= 0.9 * design[0]
    return "beside" if tuple(grid) == (1, 1) and (nearly_square or controls >= 5) else "above"


def plan(width_px: float, design: tuple[float, float], grid: tuple[int, int], dpi: float,
         height_px: float = 0) -> tuple:
    """The figure size (inches) and grid for a column ``width_px`` CSS pixels wide and, in the app view,
    ``height_px`` high (0: any height).

    Never wider than the design; never wider than the column; panels stacked in one column when a row of
    them would leave each less than MIN_PANEL_PX (with a height bound: when stacking gives the panels
    more of their design size than a row does).
    """
    design_w, design_h = design
    rows, cols = grid
    avail = max(200.0, min(width_px - 6, design_w * dpi)) / dpi
    if height_px > 0:
        return _plan_for_view(avail, height_px / dpi, design, grid, dpi)
    if cols > 1 and avail * dpi < cols * MIN_PANEL_PX:
        panel_h = 3.8 if avail * dpi < NARROW_PX else min(design_h / rows, 3.4, max(2.6, avail * 0.62))
        return (avail, panel_h * cols * rows), (rows * cols, 1)
    if avail * dpi < NARROW_PX:      # a phone: keep the design's height (legends stand in one column below)
        return (avail, design_h + 1.5), grid
    height = max(MIN_HEIGHT_IN, design_h * avail / design_w) if avail < design_w else design_h
    return (avail, min(height, design_h)), grid


def _plan_for_view(avail: float, tall: float, design: tuple[float, float], grid: tuple[int, int],
                   dpi: float) -> tuple:
    """In the app view: keep the design grid or stack the panels, whichever leaves the smallest panel more
    of its design size; rows no lower than MIN_VIEW_ROW_IN, no higher than the design's."""
    design_w, design_h = design
    rows, cols = grid
    panel_w, panel_h = design_w / cols, design_h / rows

    def kept(layout):
        r, c = layout
        if c > 1 and avail * dpi / c < 0.6 * MIN_PANEL_PX:
            return 0.0
        return min(1.0, avail / c / panel_w, tall / r / panel_h)

    options = [grid] + ([(rows * cols, 1)] if cols > 1 else [])
    chosen = max(options, key=lambda layout: (kept(layout), layout == grid))
    height = max(MIN_VIEW_ROW_IN * chosen[0], min(tall, panel_h * chosen[0]))
    return (avail, height), chosen


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
    fig.set_size_inches(*size, forward=True)
    for ax in fig.axes:
        remake = getattr(ax.get_legend(), "_xinzhi_remake", None)
        if remake is not None:
            remake()       # a legend lays out its columns when it is made: make it again for the new width
    charts.rewrap_source(fig)
    wrap_titles(fig)


def lowest_plot_px(fig, dpi: float) -> float:
    """The height (CSS px) of the lowest plot area among the figure's panels, as now laid out."""
    heights = [ax.get_position().height * fig.get_figheight() * dpi for ax in fig.axes if ax.get_subplotspec()]
    return min(heights, default=float("inf"))


def laid_out(fig) -> bool:
    """Lay the figure out now (constrained layout); False when there is too little room for its axes."""
    engine = fig.get_layout_engine()
    if engine is None:
        return True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.execute(fig)
    return not any("collapsed" in str(warning.message) for warning in caught)


def drawn(fig, dpi: float) -> dict:
    """The figure's width and its smallest text, in CSS px as drawn (see :class:`ViewSensor`)."""
    return {"width": round(fig.get_figwidth() * dpi), "text": round(charts.smallest_text_pt(fig) * dpi / 72, 1)}


def wrap_titles(fig) -> bool:
    """Axes titles wider than their axes (with an em to spare on each side) wrapped into lines of even
    length (Chinese line breaking), and unwrapped again when there is room. True when one changed."""
    changed = False
    for ax in fig.axes:
        title = ax.title
        text = title.get_text()
        if text and text == getattr(title, "_xinzhi_wrapped", None):
            text = title._xinzhi_plain          # wrapped here before: start again from the title as written
        if not text or "\n" in text:
            continue
        room = ax.get_position().width * fig.get_figwidth() * 72 / title.get_fontsize() + 2   # in em
        lines = math.ceil(charts._display_width(text) / 2 / max(room, 6))
        shown = text
        if lines > 1:     # lines of even length; a little longer (never past the room) when a break rule adds a line
            even = charts._display_width(text) / 2 / lines
            for width in sorted({min(even + extra, room) for extra in (1, 2, 3, 4)}):
                shown = charts.wrap_mixed(text, width)
                if shown.count("\n") < lines:
                    break
        if shown != title.get_text():
            title.set_text(shown)
            changed = True
        title._xinzhi_plain, title._xinzhi_wrapped = text, shown
    return changed
