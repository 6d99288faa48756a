"""In JupyterLab and Voilà widgets redraw only what changed; the picture must equal a full redraw.

Runs in a separate Python with ipympl's canvas (as inside a kernel), for every course widget and every
slider and menu: after each change, the blitted frame is compared pixel for pixel with a full draw. Each
control ends back at its first value, so a remembered background (blitting.py) is checked too.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow   # every widget in a second Python: in the full suite, not in test quick

SCRIPT = textwrap.dedent(r'''
    import json, os, sys
    import numpy as np
    import matplotlib
    matplotlib.use("module://ipympl.backend_nbagg")
    import ipywidgets as w
    sys.path.insert(0, os.getcwd())
    import xinzhi
    from tests.conftest import widget_classes

    def frame(canvas):
        return np.asarray(canvas.get_renderer().buffer_rgba()).copy()

    report = {}
    for cls in widget_classes():
        widget = cls()
        canvas = widget.fig.canvas
        assert widget._blitter is not None, "an ipympl canvas should blit"
        canvas.draw()                       # the browser's first request
        counts = {"blit": 0, "axes": 0, "full": 0, "mismatch": []}
        for name, control in widget.controls.items():
            if isinstance(control, (w.FloatSlider, w.IntSlider)):
                values = [control.min + (control.max - control.min) * f for f in (0.25, 0.3, 0.75, 0.8)]
                if isinstance(control, w.IntSlider):
                    values = [int(round(v)) for v in values]
            elif isinstance(control, w.Dropdown):
                values = [v for _, v in control._options_full][:4]
            else:
                continue
            # back to the first value at the end: a background remembered from before is pasted, not redrawn
            for value in [*values, values[0]]:
                control.value = value
                kind = getattr(widget, "last_redraw", "full")
                if kind == "full":
                    canvas.draw()           # what the browser asks for after draw_idle
                counts[kind] += 1
                shown = frame(canvas)
                canvas.draw()               # a full redraw of the same state
                if not np.array_equal(shown, frame(canvas)):
                    counts["mismatch"].append(f"{name}={value!r} ({kind})")
        report[cls.__module__.rsplit(".", 1)[-1] + "." + cls.__name__] = counts
    print("REPORT" + json.dumps(report))
''')


def run(script: str, workspace) -> dict:
    """Run ``script`` in a separate Python with ipympl's canvas; what it printed after "REPORT"."""
    from .conftest import ROOT

    env = {"XINZHI_WORKSPACE": str(workspace), "XINZHI_STRICT": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.split("REPORT", 1)[1])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return run(SCRIPT, tmp_path_factory.mktemp("ws"))


def test_blitted_frames_equal_full_redraws(report):
    wrong = {name: r["mismatch"] for name, r in report.items() if r["mismatch"]}
    assert not wrong, f"blitting drew something other than a full redraw would: {wrong}"


def test_most_updates_are_blitted(report):
    blits = sum(r["blit"] + r["axes"] for r in report.values())
    total = sum(r["blit"] + r["axes"] + r["full"] for r in report.values())
    assert total and blits / total >= 0.3, report


def test_a_figure_whose_one_panel_changed_scale_redraws_that_panel_only(report):
    """Two-panel widgets whose sliders move one panel's limits redraw that panel onto the background (and the
    frames are checked against full redraws above)."""
    panels = {name: r["axes"] for name, r in report.items() if r["axes"]}
    assert "tfp.GrowthAccounting" in panels and len(panels) >= 2, report


# The start of a script that defines a small widget of its own on ipympl's canvas, as inside a kernel.
WIDGET_SCRIPT = textwrap.dedent(r'''
    import json, os, sys
    import numpy as np
    import matplotlib
    matplotlib.use("module://ipympl.backend_nbagg")
    sys.path.insert(0, os.getcwd())
    from xinzhi.widgets.base import FigureWidget, slider

    class Line(FigureWidget):
        title = "一条线"
        alt = "一条随滑块升降的线。"

        def make_controls(self):
            return {"level": slider("高度", 1, 1, 9, 1, integer=True)}

        def setup(self, fig, ax):
            (self.line,) = ax.plot([0, 1], [1, 1])
            ax.set_ylim(0, 10)

        def update(self, level):
            self.line.set_ydata([level, level])

        def source(self):
            return "示意"
''')

SETTLING = WIDGET_SCRIPT + textwrap.dedent(r'''

    class Texts(FigureWidget):
        title = "两段文字"
        alt = "两段文字，各随一个滑块变化；第三个滑块改变横轴范围。"

        def make_controls(self):
            return {name: slider(name, 1, 1, 9, 1, integer=True) for name in ("a", "b", "limit")}

        def setup(self, fig, ax):
            self.a, self.b = ax.text(0.1, 0.5, "a=1"), ax.text(0.5, 0.5, "b=1")

        def update(self, a, b, limit):
            self.a.set_text(f"a={a}")
            self.b.set_text(f"b={b}")
            self.ax.set_xlim(0, limit)

        def source(self):
            return "示意"

    widget = Texts()
    canvas = widget.fig.canvas
    canvas.draw()
    steps, mismatch = [], []
    for name, value in [("a", 2), ("b", 2), ("b", 3), ("b", 4), ("limit", 2), ("a", 3), ("b", 5)]:
        widget.controls[name].value = value
        if widget.last_redraw == "full":
            canvas.draw()
        shown = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
        canvas.draw()
        if not np.array_equal(shown, np.asarray(canvas.get_renderer().buffer_rgba())):
            mismatch.append(f"{name}={value}")
        steps.append([widget.last_redraw, sorted(t.get_text()[0] for t in widget._blitter.animated)])
    print("REPORT" + json.dumps({"steps": steps, "mismatch": mismatch}))
''')


def test_an_artist_that_stops_changing_goes_back_into_the_background(tmp_path):
    """A text that moved and then stayed still for a few updates is drawn into the next full redraw's background
    (later blits no longer draw it), starts moving again when it changes, and every frame equals a full redraw."""
    report = run(SETTLING, tmp_path)
    assert not report["mismatch"], report
    assert report["steps"] == [
        ["full", ["a"]],          # a starts moving
        ["full", ["a", "b"]],     # b starts moving
        ["blit", ["a", "b"]],
        ["blit", ["a", "b"]],     # a has not changed for three updates
        ["full", ["b"]],          # new limits: a full redraw, with a back in the background
        ["full", ["a", "b"]],     # a changes again
        ["blit", ["a", "b"]],
    ], report


FIRST_CHANGE = WIDGET_SCRIPT + textwrap.dedent(r'''

    class Rescaled(Line):
        def update(self, level):
            super().update(level)
            self.ax.set_ylim(0, 10 if level < 8 else 20)
            self.say(f"高度 {level}")

    widget = Rescaled()
    canvas = widget.fig.canvas
    canvas.draw()                                   # the browser's first request
    widget.controls["level"].value = 5
    shown = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
    canvas.draw()
    same = bool(np.array_equal(shown, np.asarray(canvas.get_renderer().buffer_rgba())))
    first = widget.last_redraw

    canvas.syncing_data_url = False                 # a browser shows the figure now
    events, sent = [], []
    canvas.send_event = lambda kind, **kwargs: events.append(kind)
    canvas.send_binary = lambda data: sent.append("image")          # what goes to the browser, in order
    widget.summary.observe(lambda change: sent.append("text"), names="value")
    widget.controls["level"].value = 9              # new limits: drawn in full
    print("REPORT" + json.dumps({"first": first, "same": same, "then": widget.last_redraw,
                                 "asked_the_browser": "draw" in events, "sent": sent}))
''')


def test_a_participants_first_change_is_blitted_and_a_full_redraw_is_sent_at_once(tmp_path):
    """What an update moves is found before the figure is first drawn, so the first change is not a full redraw.
    Once a browser shows the figure, an update that needs a full redraw draws and sends it itself, rather than
    asking the browser to ask for it; the text under the chart follows the picture."""
    assert run(FIRST_CHANGE, tmp_path) == {"first": "blit", "same": True, "then": "full",
                                           "asked_the_browser": False, "sent": ["image", "text"]}


ONE_AT_A_TIME = WIDGET_SCRIPT + textwrap.dedent(r'''
    import threading, time

    class Slow(Line):
        def update(self, level):
            if level == 5:                   # a cell's change, stopped half-way through the figure's update
                updating.set()
                go_on.wait(10)
            super().update(level)

    updating, go_on = threading.Event(), threading.Event()
    widget = Slow()
    canvas = widget.fig.canvas
    cell = threading.Thread(target=lambda: setattr(widget.controls["level"], "value", 5))
    cell.start()
    updating.wait(10)
    # meanwhile, on another thread (a kernel subshell), the browser asks for a drawing
    request = threading.Thread(target=lambda: canvas._msg_callbacks(canvas, {"type": "draw"}, []))
    request.start()
    request.join(0.5)
    waited = request.is_alive()
    go_on.set()
    cell.join(10)
    request.join(10)
    print("REPORT" + json.dumps({"waited": waited, "done": not (cell.is_alive() or request.is_alive())}))
''')


def test_the_browsers_request_waits_while_another_thread_changes_the_figure(tmp_path):
    """JupyterLab handles widget messages on a kernel subshell, beside the running cell: a drawing the browser
    asks for waits until a change under way on the other thread is done, never drawing a half-changed figure."""
    assert run(ONE_AT_A_TIME, tmp_path) == {"waited": True, "done": True}
