"""What every course widget is made of: one figure built once, controls, a message line, a caption.

How to add a widget
-------------------
Subclass :class:`FigureWidget` in the notebook's module under ``xinzhi/widgets/`` and write four methods:

* ``make_controls()`` — a dict of the sliders, menus and boxes (use :func:`slider`, :func:`dropdown`,
  :func:`number_box`), with Chinese labels and sensible ranges. Their style is shared (``shared.py``): to
  give one control another label width, assign it a new one (``control.style = {...}``), never change it
  in place;
* ``setup(fig, ax)`` — draw the artists once (lines, bars, texts);
* ``update(**values)`` — move those artists to the new values (``set_data``, ``set_height`` …); it gets
  one keyword per control (buttons excepted). Raise :class:`~xinzhi.errors.InputError` for a value that
  cannot be used: the participant sees its Chinese message;
* ``source()`` — the source line under the chart (from the data package, or "示意参数" for
  illustrative parameters).

and set ``title`` and ``alt`` (what the chart shows, for people who cannot see it). That is all a widget
needs; the tests find every subclass and drive it at its extremes (``tests/test_widgets.py``), in a real
kernel's canvas (``tests/test_blitting.py``) and in the benchmarks, so a new widget is covered as soon as it
exists.

The public hooks (a widget uses these, never the underscored machinery):

* ``layout()`` — the parts of the widget, top to bottom. The default is :meth:`header`, the controls,
  the ``status`` line and :meth:`chart`; override it to arrange the controls in rows or steps, building
  from those same parts. ``intro`` (HTML) adds a note under the title; ``max_width`` bounds the whole.
  In the app view the parts from the first control down to the figure are arranged to fit one view
  (``fit.py``): compact rows above the figure or a column beside it (``app_layout``).
* ``with self.batch():`` — set several controls and redraw once, at the end (buttons such as "reset").
* ``save_key`` — a workspace name: the controls' values (:meth:`state`) are restored when the cell runs
  again and saved by :meth:`save` (at every change with ``autosave = True``); a copy of a notebook starts
  from the original's save and then saves apart (``per_notebook`` in workspace.py). Override :meth:`state` /
  :meth:`restore_state` only when what is saved is not simply the controls' values.
* ``show_message(text, kind, near=control)`` — a Chinese note right under the control it is about
  (``kind``: "info", "warn", "ok"); without ``near``, on the line above the chart. It is cleared at the
  next good update. ``lasting=True`` writes it on the status line instead, where it stays (saving,
  restoring). An :class:`~xinzhi.errors.InputError` raised by ``update`` shows under the control it
  names (``number(name)`` names its box), else under the control just changed.
* ``say(html)`` — the live explanation under the chart; ``number(name, …)`` — a typed number, checked;
  ``safely(action)`` — a button callback that can only ever end in a message.
* ``inert_controls`` — controls that do not change the figure (notes, buttons): changing them does not
  redraw.

The base class wires the controls, redraws in place (only what changed, see ``blitting.py``) and turns
every problem into a Chinese message: no control value can produce a traceback.
"""
from __future__ import annotations

import html
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as w
import matplotlib
from traitlets import TraitError

from .. import charts, workspace
from ..errors import CourseError, InputError
from ..formats import message_html
from . import fit
from ..inputs import parse_number
from .blitting import Blitter, plotted_parts
from .fastpng import use_fast_png
from . import shared
from .shared import html_line

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
                  style=shared.style(cls, **SLIDER_STYLE), layout=SLIDER_LAYOUT, continuous_update=continuous, **kwargs)
    if unit:
        control.description = f"{label}（{unit}）"
    return control


def dropdown(label: str, options, value=None):
    options = list(options.items()) if isinstance(options, dict) else list(options)
    control = w.Dropdown(options=options, description=label, style=shared.style(w.Dropdown, **SLIDER_STYLE),
                         layout=SLIDER_LAYOUT)
    if value is not None:
        control.value = value
    return control


def number_box(label: str, value: str, placeholder: str = ""):
    """A box for a typed number; read it with :meth:`FigureWidget.number`. Tests type bad values into it."""
    box = w.Text(value=str(value), description=label, placeholder=placeholder,
                 style=shared.style(w.Text, **SLIDER_STYLE), layout=TEXT_LAYOUT, continuous_update=False)
    box.add_class(NUMBER_BOX_CLASS)
    return box


def note(text: str) -> w.HTML:
    """A line of grey explanatory text between controls (HTML allowed)."""
    return html_line(f"<div style='color:#444'>{text}</div>")


def _restorable(control, value):
    """``value`` as control would take it, or raise ValueError: the right type, inside its range or options."""
    if isinstance(control, (w.IntSlider, w.FloatSlider, w.BoundedIntText, w.BoundedFloatText)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
            raise ValueError(value)
        value = min(control.max, max(control.min, value))
        return int(round(value)) if isinstance(control, (w.IntSlider, w.BoundedIntText)) else float(value)
    if isinstance(control, (w.Dropdown, w.RadioButtons, w.ToggleButtons, w.Select, w.SelectionSlider)):
        if value not in [v for _, v in control._options_full]:
            raise ValueError(value)
        return value
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if isinstance(control, (w.Text, w.Textarea)):
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    raise ValueError(value)


class FigureWidget:
    """A figure built once and updated in place by its controls. Subclass it; see the module docstring."""

    title: str = ""
    alt: str = ""                 # what the chart shows, for people who cannot see it
    intro: str = ""               # a note under the title (HTML), e.g. what the default values are
    illustrative: bool = False    # True: the parameters are illustrative, and the widget says so
    figure_size: tuple[float, float] = (8.0, 4.6)
    figure_grid: tuple[int, int] = (1, 1)
    max_width: str = "900px"
    app_layout: str = ""          # the app view: "above" or "beside" the figure; "" chooses (fit.arrangement)
    inert_controls: frozenset[str] = frozenset()   # controls that do not change the figure (notes, buttons)
    save_key: str = ""            # a workspace name: the controls' values are restored from it, saved to it
    autosave: bool = False        # with save_key: save at every change, so nothing typed is lost
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
        self._batch_depth, self._pending = 0, False
        self._cause = None                          # the control whose change is being drawn
        self._redrawing, self._said = False, None   # during refresh(): the text say() will show after it
        self._notes: dict[str, w.HTML] = {}         # message lines under controls, made when first needed
        self.widget = None
        self._lock = threading.RLock()   # one thread at a time changes or draws the figure (see _one_at_a_time)
        self.fig, self.ax = charts.new_figure(*self.figure_size, *self.figure_grid, interactive=True)
        self.message = html_line()
        self.status = html_line()
        self.summary = html_line()
        self.controls: dict[str, w.Widget] = self.make_controls()
        self.load_note = ""
        if self.save_key:
            self.load_saved()
        self.setup(self.fig, self.ax)
        charts.set_source(self.fig, self.source())
        if self.freeze_layout:
            self._freeze_id = self.fig.canvas.mpl_connect("draw_event", self._freeze)
        use_canvas = interactive_backend() and os.environ.get("XINZHI_FIGURES", "ipympl") == "ipympl"
        self.view = self.fig.canvas if use_canvas else w.Image(format="png")
        self._blitter = Blitter(self.fig) if use_canvas and self.blit else None
        if use_canvas:
            use_fast_png(self.fig.canvas)
            _one_at_a_time(self.fig.canvas, self._lock)
        for name, control in self.controls.items():
            if not isinstance(control, w.Button):
                control.observe(self._on_change, names="value")
        self.refresh()
        if self._blitter is not None:
            self._find_moving()
        # drawn for the room the figure gets in the browser (see fit.py), which the page reports
        self.sensor = fit.ViewSensor(drawn=fit.drawn(self.fig, self._dpi()))
        self.sensor.observe(self._fit_to_view, names=["width", "height"])
        self.widget = self._assemble(self.layout())
        self._add_notes(self.widget)
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

    # --- layout: override layout() to arrange the parts ----------------------------------------
    def layout(self) -> list[w.Widget]:
        """The widget's parts, top to bottom: header, controls, status line, chart."""
        controls = w.VBox(list(self.controls.values()), layout=shared.layout())
        controls.add_class(fit.CONTROL_LIST_CLASS)
        return [*self.header(), controls, self.status, *self.chart()]

    def header(self) -> list[w.Widget]:
        """The title, the 示意参数 note of an illustrative widget, and ``intro``."""
        parts = []
        if self.title:
            parts.append(html_line(f"<h4 style='margin:0.3em 0'>{html.escape(self.title)}</h4>"))
        if self.illustrative:
            parts.append(note("注意：图中参数是<b>示意参数</b>，用来说明道理，不是哪个地区或企业的真实数据。"))
        if self.intro:
            parts.append(note(self.intro))
        return parts

    def chart(self) -> list[w.Widget]:
        """The message line (right under the controls), the figure, the live explanation and the chart's description."""
        parts = [self.message, self.view, self.summary]
        if self.alt:
            parts.append(html_line(f"<div style='font-size:0.9em;color:#444'>图示说明：{html.escape(self.alt)}</div>"))
        return parts

    # --- helpers for subclasses ----------------------------------------------------------------
    def number(self, name: str, **limits) -> float:
        """The value typed into control ``name``, checked; raises InputError with a Chinese message."""
        control = self.controls[name]
        label = (control.description or name).split("（")[0]
        try:
            return parse_number(control.value, name=f"“{label}”", **limits)
        except InputError as err:
            err.control = name
            raise

    def say(self, text: str) -> None:
        """A line of live explanation under the chart (HTML allowed)."""
        shown = f"<div style='font-size:1.05em;line-height:1.6'>{text}</div>"
        if self._redrawing:
            self._said = shown    # shown once the figure's new pixels are on their way (refresh)
        else:
            self.summary.value = shown

    def show_message(self, text: str, kind: str = "info", *, lasting: bool = False, raw: bool = False,
                     near=None) -> None:
        """A Chinese note for the participant; ``kind`` "info", "ok" or "warn"; empty text clears it.

        ``near`` (a control or its name): the note goes right under that control; otherwise on the line
        above the chart. Either is cleared at the next good update, and only one shows at a time.
        ``lasting=True`` puts it on the status line instead, where it stays until replaced (saving and
        restoring). ``raw``: text is HTML.
        """
        if lasting:
            self.status.value = message_html(text, kind, raw=raw)
            return
        line = self._line_near(self.controls.get(near) if isinstance(near, str) else near)
        if text:
            self._clear_messages(keep=line)
        line.value = message_html(text, kind, raw=raw)

    def messages(self) -> dict[str, str]:
        """The notes shown now (HTML), by the name of the control they stand under ("" for the line above
        the chart); lasting ones on the status line are not included."""
        names = {control.model_id: name for name, control in self.controls.items()}
        shown = {names.get(model_id, model_id): line.value for model_id, line in self._notes.items() if line.value}
        if self.message.value:
            shown[""] = self.message.value
        return shown

    def safely(self, action):
        """Wrap a button callback so that it can only ever show a message (under the button), never a
        traceback."""
        def run(*args):
            button = args[0] if args and isinstance(args[0], w.Widget) else None
            try:
                with self._lock:
                    action()
            except InputError as err:
                self.show_message(str(err), kind="warn", near=getattr(err, "control", None) or button)
            except Exception as err:  # noqa: BLE001 - the participant sees a message, tests see last_error
                self._fail(err, near=button)
        return run

    @contextmanager
    def batch(self):
        """Change several controls, then redraw once: ``with self.batch(): …``."""
        self._batch_depth += 1
        try:
            yield self
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._pending:
                self._pending = False
                self.refresh()

    # --- saving and restoring ------------------------------------------------------------------
    def state(self) -> dict:
        """What :meth:`save` keeps: the controls' values (anything JSON can hold)."""
        return self.values()

    def restore_state(self, saved) -> list[str]:
        """Set the controls from a saved :meth:`state`, keeping only values of the right type and range.

        Returns the names of the controls that were set; anything else in ``saved`` is ignored.
        """
        done = []
        if not isinstance(saved, dict):
            return done
        with self.batch():
            for name, value in saved.items():
                control = self.controls.get(name)
                if control is None or isinstance(control, w.Button):
                    continue
                try:
                    control.value = _restorable(control, value)
                except (ValueError, TypeError, TraitError):
                    continue
                done.append(name)
        return done

    def save(self) -> Path | None:
        """Save :meth:`state` under ``save_key``; returns the file, or None (with a message) if it failed."""
        try:
            return workspace.save(self.save_key, self.state(), per_notebook=True)
        except CourseError as err:
            self.show_message(str(err), kind="warn", lasting=True)
            return None

    def load_saved(self) -> bool:
        """Set the controls to what was saved under ``save_key`` and say so on the status line.

        Returns False when nothing was restored; a damaged file is set aside (kept) and ``load_note`` says so.
        """
        try:
            loaded = workspace.load(self.save_key, default=None, per_notebook=True)
        except (CourseError, OSError, ValueError) as err:
            loaded = workspace.LoadResult(None, note=f"读取之前保存的内容时出了问题（{err}），现在从默认值开始。")
        self.load_note = loaded.note
        if loaded.note:
            self.show_message(loaded.note, kind="warn", lasting=True)
            return False
        if not self.restore_state(loaded.value):
            return False
        said = f"已恢复你在 {loaded.saved_at} 保存的内容。"
        if loaded.copied_from:  # this notebook is a copy: it starts from the original's work, then saves apart
            said = (f"已恢复你在 {loaded.saved_at} 于笔记本《{loaded.copied_from}》里保存的内容。"
                    f"本笔记本之后的改动单独保存，不会覆盖《{loaded.copied_from}》的那一份。")
        self.show_message(said, lasting=True)
        return True

    # --- machinery -----------------------------------------------------------------------------
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items() if not isinstance(c, w.Button)}

    def _on_change(self, change) -> None:
        if self.autosave and self.save_key:
            self.save()
        owner = change.get("owner") if isinstance(change, dict) else getattr(change, "owner", None)
        if any(owner is self.controls.get(name) for name in self.inert_controls):
            return
        if self._batch_depth:
            self._pending = True
            return
        self._cause = owner
        try:
            self.refresh()
        finally:
            self._cause = None

    def refresh(self) -> None:
        """Update the figure for the controls' values. The browser gets the new pixels first, then the new text
        under the chart, so that laying out the text does not hold up the picture."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        before = self._blitter.snapshot() if self._blitter else None
        self._redrawing, self._said = True, None
        try:
            self.update(**self.values())
        except InputError as err:
            self.show_message(str(err), kind="warn", near=getattr(err, "control", None) or self._cause)
            return
        except Exception as err:  # noqa: BLE001
            self._fail(err, near=self._cause)
            return
        else:
            self._clear_messages()
            self._draw(before)
        finally:
            self._redrawing = False
            if self._said is not None:
                self.summary.value = self._said

    # --- where things go on the page ---------------------------------------------------------------
    def _assemble(self, parts: list[w.Widget]) -> w.VBox:
        """The widget's box: the parts as layout() gives them, with those that move the figure and the figure
        itself grouped (controls | message line and figure) so that the app view can arrange them.

        The group reaches up from the figure over the parts holding controls that change it; a part above
        them holding only controls that do not (long texts, notes) ends it and stays where layout() put it."""
        shown = [fit.style(), self.sensor]
        moving = {id(c) for name, c in self.controls.items()
                  if name not in self.inert_controls and not isinstance(c, w.Button)}
        inert = set(map(id, self.controls.values())) - moving
        inputs = 0
        if self.view in parts:
            first = next((i for i, part in enumerate(parts) if _holds(part, moving | inert)), None)
            at = parts.index(self.view)
            start = at - 1 if at and parts[at - 1] is self.message else at
            begin, seen = start, False
            for i in range(start - 1, (first if first is not None else start) - 1, -1):
                moves = _holds(parts[i], moving)
                if seen and not moves and _holds(parts[i], inert):
                    # of the parts between, only the one right above the controls (their heading) goes with them
                    begin = max(begin, next(j for j in range(begin, start) if _holds(parts[j], moving)) - 1)
                    break
                seen, begin = seen or moves, i
            if begin < start:
                group = w.VBox(parts[begin:start], layout=shared.layout())
                group.add_class(fit.CONTROLS_CLASS)
                chart = w.VBox(parts[start:at + 1], layout=shared.layout())
                chart.add_class(fit.CHART_CLASS)
                body = w.VBox([group, chart], layout=shared.layout())
                body.add_class(fit.BODY_CLASS)
                inputs = sum(_holds(part, {c}) for c in moving for part in parts[begin:start])
                parts = [*parts[:begin], body, *parts[at + 1:]]
        box = w.VBox(shown + parts, layout=shared.layout(max_width=self.max_width, width="100%"))
        box.add_class(fit.WIDGET_CLASS)
        box.add_class("xinzhi-" + (self.app_layout or fit.arrangement(self.figure_grid, self.figure_size, inputs)))
        return box

    def _add_notes(self, box) -> None:
        """An empty message line right under every control (hidden while empty), made before the page shows
        the widget: a box whose children change later has the views after the change made again (a box
        being typed into would lose its focus)."""
        controls = {id(c) for c in self.controls.values()}
        children = getattr(box, "children", ())
        shown = []
        for child in children:
            shown.append(child)
            if id(child) in controls:
                if child.model_id not in self._notes:
                    line = html_line()
                    line.add_class(fit.NOTE_CLASS)
                    self._notes[child.model_id] = line
                    shown.append(line)
            else:
                self._add_notes(child)
        if len(shown) != len(children):
            box.children = tuple(shown)

    def _line_near(self, control) -> w.HTML:
        """The message line right under ``control`` (made, and put in its box, the first time it is needed);
        the line above the chart when there is no such control on the page."""
        if control is None or self.widget is None:
            return self.message
        line = self._notes.get(control.model_id)
        if line is None:
            box = _box_of(self.widget, control)
            if box is None:
                return self.message
            line = html_line()
            line.add_class(fit.NOTE_CLASS)
            children = list(box.children)
            children.insert(children.index(control) + 1, line)
            box.children = tuple(children)
            self._notes[control.model_id] = line
        return line

    def _clear_messages(self, keep=None) -> None:
        for line in [self.message, *self._notes.values()]:
            if line.value and line is not keep:
                line.value = ""

    def _freeze(self, _event) -> None:
        self.fig.canvas.mpl_disconnect(self._freeze_id)
        self.fig.set_layout_engine("none")

    def _dpi(self) -> float:
        # the figure's own dpi: on a high-density screen ipympl multiplies fig.dpi by the pixel ratio
        return getattr(self.fig, "_original_dpi", self.fig.dpi)

    def _fit_to_view(self, _change=None) -> None:
        """The browser reports the figure's room: draw the figure for it (never scaled down by the browser)."""
        with self._lock:
            self._fit()

    def _fit(self) -> None:
        width, height = self.sensor.width, self.sensor.height
        if width <= 0:
            return
        if self.view is self.fig.canvas:
            # ipympl's front end turns its resize handle on whenever the page connects; dragging it would only
            # undo the fit, so the figure's own setting (off) is sent again
            self.fig.canvas.send_state("resizable")
        dpi = self._dpi()
        size, grid = fit.plan(width, self.figure_size, self.figure_grid, dpi, height)
        size = tuple(round(v, 2) for v in size)
        if (size, grid) == getattr(self, "_fitted", None):
            return
        self._fitted = (size, grid)
        try:
            for _more in range(8):     # a figure whose labels and legends need more height than planned gets it
                fit.fit_figure(self.fig, size, grid, narrow=size[0] * dpi < fit.NARROW_PX)
                done = fit.laid_out(self.fig)
                if done and fit.wrap_titles(self.fig):    # titles measured against the axes as now laid out
                    done = fit.laid_out(self.fig)
                if done and height and fit.lowest_plot_px(self.fig, dpi) < fit.MIN_AXES_PX:
                    done = False     # squeezed by its titles and legends: a plot needs room to be read
                if done:
                    break
                size = (size[0], round(size[1] + 0.4, 2))
            if self.freeze_layout:
                self._freeze_id = self.fig.canvas.mpl_connect("draw_event", self._freeze)
            self._draw()
            self.sensor.drawn = fit.drawn(self.fig, dpi)
        except Exception as err:  # noqa: BLE001 - the participant sees a message, tests see last_error
            self._fail(err)

    def _find_moving(self) -> None:
        """What an update moves, found before the first draw: the same update made again touches it."""
        for artist in plotted_parts(self.fig):
            artist.stale = False
        try:
            self.update(**self.values())
        except Exception:  # noqa: BLE001 - the first update has already shown what went wrong
            return
        fit.wrap_titles(self.fig)
        self._blitter.find_moving()

    def _fail(self, err: Exception, near=None) -> None:
        self.last_error = err
        if os.environ.get("XINZHI_STRICT"):  # set by the test suite: an unexpected error must fail loudly
            raise err
        log.exception("widget %s failed", type(self).__name__)
        self.show_message("这个设置暂时画不出来，请把刚才改动的控件调回去再试。"
                          f"（技术信息：{type(err).__name__}）", kind="warn", near=near)

    def _draw(self, before=None) -> None:
        self.draw_count += 1
        fit.wrap_titles(self.fig)
        if self._blitter is not None:
            self.last_redraw = self._blitter.redraw(before)
        elif self.view is self.fig.canvas:
            self.fig.canvas.draw_idle()
        else:
            self.view.value = charts.png_bytes(self.fig, dpi=80)

    def close(self) -> None:
        charts.close(self.fig)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _one_at_a_time(canvas, lock) -> None:
    """The browser's requests to this canvas (draw, resize, refresh) handled holding the widget's lock.

    JupyterLab sends widget messages to a kernel subshell (its setting ``commsOverSubshells``, on by default):
    they are handled on another thread than the running cell, which may be drawing or fitting the same figure.
    Two threads drawing one figure at once send the browser a torn image, often a blank one, which stays until
    the next change. Holding the lock, the browser's request waits for the cell's drawing, and the reverse."""
    handle = canvas._handle_message
    canvas.on_msg(handle, remove=True)

    def locked(widget, content, buffers):
        with lock:
            handle(widget, content, buffers)

    canvas.on_msg(locked)


def _holds(part, controls: set[int]) -> bool:
    """Whether ``part`` is one of the controls (by id) or has one inside."""
    return id(part) in controls or any(_holds(child, controls) for child in getattr(part, "children", ()))


def _box_of(root, control):
    """The box (under ``root``) whose children include ``control``; None if it is not shown."""
    children = getattr(root, "children", ())
    if any(child is control for child in children):
        return root
    for child in children:
        found = _box_of(child, control)
        if found is not None:
            return found
    return None
