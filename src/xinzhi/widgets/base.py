"""What every course widget is made of: one figure built once, controls, a message line, a caption.

A course widget is a subclass of :class:`FigureWidget` that says four things:

* ``make_controls()`` — the sliders, menus and boxes, with Chinese labels and sensible ranges;
* ``setup(fig, ax)`` — draw the artists once (lines, bars, texts);
* ``update(**values)`` — move those artists to the new values (``set_data``, ``set_height`` …);
  raise :class:`~xinzhi.errors.InputError` for a value that cannot be used;
* ``source()`` — the source line under the chart (from the data package, or "示意参数" for
  illustrative parameters).

The base class wires the controls, redraws in place, and turns every problem into a Chinese message:
no control value can produce a traceback. Tests drive every subclass at its extremes
(``tests/test_widgets.py``), so a new widget is covered as soon as it exists.
"""
from __future__ import annotations

import html
import logging
import os

import ipywidgets as w
import matplotlib

from .. import charts
from . import fit
from .blitting import Blitter
from ..errors import InputError
from ..inputs import parse_number

log = logging.getLogger(__name__)

SLIDER_STYLE = {"description_width": "11em"}
SLIDER_LAYOUT = {"width": "min(100%, 560px)"}
TEXT_LAYOUT = {"width": "min(100%, 360px)"}
NUMBER_BOX_CLASS = "xinzhi-number"
_live: dict[tuple[str, str], "FigureWidget"] = {}


def interactive_backend() -> bool:
    """True when figures are ipympl widgets (in a kernel); False with a static backend (tests)."""
    return "ipympl" in matplotlib.get_backend()


def slider(label: str, value, minimum, maximum, step, *, unit: str = "", integer: bool = False, fmt: str | None = None,
           continuous: bool = True):
    """A slider with a Chinese label that always fits, and its unit in the readout.

    ``continuous=False`` redraws when the slider is let go rather than at every step of a drag: for a
    widget whose every change redraws the whole figure (new limits, new data).
    """
    cls = w.IntSlider if integer else w.FloatSlider
    kwargs = {"readout_format": fmt} if fmt else {}
    control = cls(value=value, min=minimum, max=maximum, step=step, description=label,
                  style=SLIDER_STYLE, layout=SLIDER_LAYOUT, continuous_update=continuous, **kwargs)
    if unit:
        control.description = f"{label}（{unit}）"
    return control


def dropdown(label: str, options, value=None):
    options = list(options.items()) if isinstance(options, dict) else list(options)
    control = w.Dropdown(options=options, description=label, style=SLIDER_STYLE, layout=SLIDER_LAYOUT)
    if value is not None:
        control.value = value
    return control


def number_box(label: str, value: str, placeholder: str = ""):
    """A box for a typed number; read it with :meth:`FigureWidget.number`. Tests type bad values into it."""
    box = w.Text(value=str(value), description=label, placeholder=placeholder, style=SLIDER_STYLE,
                 layout=TEXT_LAYOUT, continuous_update=False)
    box.add_class(NUMBER_BOX_CLASS)
    return box


class FigureWidget:
    """A figure built once and updated in place by its controls. Subclass it; see the module docstring."""

    title: str = ""
    alt: str = ""                 # what the chart shows, for people who cannot see it
    illustrative: bool = False    # True: the parameters are illustrative, and the widget says so
    figure_size: tuple[float, float] = (8.0, 4.6)
    figure_grid: tuple[int, int] = (1, 1)
    inert_controls: frozenset[str] = frozenset()   # controls that do not change the figure (notes, buttons)
    # Lay the figure out once (constrained layout, at its first draw), then keep that layout: redraws are
    # about a third faster. Set False for a widget whose labels change length a lot between updates.
    freeze_layout: bool = True
    # In JupyterLab and Voilà, redraw only the artists an update changed (see blitting.py).
    blit: bool = True

    def __init__(self, key: str = ""):
        previous = _live.pop((type(self).__qualname__, key), None)
        if previous is not None:
            previous.close()
        self.last_error: Exception | None = None
        self.draw_count = 0
        self.fig, self.ax = charts.new_figure(*self.figure_size, *self.figure_grid)
        self.message = w.HTML(layout={"min_height": "1.6em"})
        self.summary = w.HTML()
        self.controls: dict[str, w.Widget] = self.make_controls()
        self.setup(self.fig, self.ax)
        charts.set_source(self.fig, self.source())
        if self.freeze_layout:
            self._freeze_id = self.fig.canvas.mpl_connect("draw_event", self._freeze)
        use_canvas = interactive_backend() and os.environ.get("XINZHI_FIGURES", "ipympl") == "ipympl"
        self.view = self.fig.canvas if use_canvas else w.Image(format="png")
        self._blitter = Blitter(self.fig) if use_canvas and self.blit else None
        for name, control in self.controls.items():
            if not isinstance(control, w.Button):
                control.observe(self._changed, names="value")
        self.refresh()
        # drawn for the width the widget gets in the browser (see fit.py)
        self.sensor = fit.WidthSensor()
        self.sensor.observe(self._fit_to_width, names="width")
        self.widget = self._layout()
        self.widget.add_class(fit.WIDGET_CLASS)
        self.widget.layout.width = "100%"     # its width comes from the page, not from what it holds
        self.widget.children = (fit.style(), self.sensor, *self.widget.children)
        _live[(type(self).__qualname__, key)] = self

    # --- what subclasses write -------------------------------------------------------------
    def make_controls(self) -> dict[str, w.Widget]:
        raise NotImplementedError

    def setup(self, fig, ax) -> None:
        raise NotImplementedError

    def update(self, **values) -> None:
        raise NotImplementedError

    def source(self) -> str:
        raise NotImplementedError

    # --- helpers for subclasses ----------------------------------------------------------------
    def number(self, name: str, **limits) -> float:
        """The value typed into control ``name``, checked; raises InputError with a Chinese message."""
        control = self.controls[name]
        label = (control.description or name).split("（")[0]
        return parse_number(control.value, name=f"“{label}”", **limits)

    def say(self, text: str) -> None:
        """A line of live explanation under the chart (HTML allowed)."""
        self.summary.value = f"<div style='font-size:1.05em;line-height:1.6'>{text}</div>"

    def safely(self, action):
        """Wrap a button callback so that it can only ever show a message, never a traceback."""
        def run(*_args):
            try:
                action()
            except InputError as err:
                self._show_message(str(err), kind="warn")
            except Exception as err:  # noqa: BLE001 - the participant sees a message, tests see last_error
                self._fail(err)
        return run

    # --- machinery -----------------------------------------------------------------------------
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items() if not isinstance(c, w.Button)}

    def _changed(self, _change) -> None:
        self.refresh()

    def refresh(self) -> None:
        before = self._blitter.snapshot() if self._blitter else None
        try:
            self.update(**self.values())
        except InputError as err:
            self._show_message(str(err), kind="warn")
            return
        except Exception as err:  # noqa: BLE001
            self._fail(err)
            return
        self._show_message("")
        self._draw(before)

    def _freeze(self, _event) -> None:
        self.fig.canvas.mpl_disconnect(self._freeze_id)
        self.fig.set_layout_engine("none")

    def _fit_to_width(self, change) -> None:
        """The browser reports the widget's width: draw the figure for it (never scaled down by the browser)."""
        width = int(change["new"] or 0)
        if width <= 0:
            return
        # the figure's own dpi: on a high-density screen ipympl multiplies fig.dpi by the pixel ratio
        dpi = getattr(self.fig, "_original_dpi", self.fig.dpi)
        size, grid = fit.plan(width, self.figure_size, self.figure_grid, dpi)
        size = tuple(round(v, 2) for v in size)
        if (size, grid) == getattr(self, "_fitted", None):
            return
        self._fitted = (size, grid)
        try:
            fit.fit_figure(self.fig, size, grid, narrow=width < fit.NARROW_PX)
            if self.freeze_layout:
                self._freeze_id = self.fig.canvas.mpl_connect("draw_event", self._freeze)
            self._draw()
        except Exception as err:  # noqa: BLE001 - the participant sees a message, tests see last_error
            self._fail(err)

    def _fail(self, err: Exception) -> None:
        self.last_error = err
        if os.environ.get("XINZHI_STRICT"):  # set by the test suite: an unexpected error must fail loudly
            raise err
        log.exception("widget %s failed", type(self).__name__)
        self._show_message("这个设置暂时画不出来，请把刚才改动的控件调回去再试。"
                           f"（技术信息：{type(err).__name__}）", kind="warn")

    def _draw(self, before=None) -> None:
        self.draw_count += 1
        fit.wrap_titles(self.fig)
        if self._blitter is not None:
            self.last_redraw = self._blitter.redraw(before)
        elif self.view is self.fig.canvas:
            self.fig.canvas.draw_idle()
        else:
            self.view.value = charts.png_bytes(self.fig, dpi=80)

    def _show_message(self, text: str, kind: str = "info") -> None:
        if not text:
            self.message.value = ""
            return
        colour = "#D55E00" if kind == "warn" else "#0072B2"
        self.message.value = (f"<div role='alert' style='border-left:4px solid {colour};padding:4px 10px;"
                              f"background:#fafafa'>{html.escape(text)}</div>")

    def _layout(self) -> w.VBox:
        parts = []
        if self.title:
            parts.append(w.HTML(f"<h4 style='margin:0.3em 0'>{html.escape(self.title)}</h4>"))
        if self.illustrative:
            parts.append(w.HTML("<div style='color:#444'>注意：图中参数是<b>示意参数</b>，用来说明道理，"
                                "不是哪个地区或企业的真实数据。</div>"))
        parts.append(w.VBox(list(self.controls.values())))
        parts += [self.message, self.view, self.summary]   # a message about a bad value right under the controls
        if self.alt:
            parts.append(w.HTML(f"<div style='font-size:0.9em;color:#444'>图示说明：{html.escape(self.alt)}</div>"))
        return w.VBox(parts, layout={"max_width": "900px"})

    def close(self) -> None:
        import matplotlib.pyplot as plt

        plt.close(self.fig)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
