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
        counts = {"blit": 0, "full": 0, "mismatch": []}
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


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from .conftest import ROOT

    env = {"XINZHI_WORKSPACE": str(tmp_path_factory.mktemp("ws")), "XINZHI_STRICT": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.split("REPORT", 1)[1])


def test_blitted_frames_equal_full_redraws(report):
    wrong = {name: r["mismatch"] for name, r in report.items() if r["mismatch"]}
    assert not wrong, f"blitting drew something other than a full redraw would: {wrong}"


def test_most_updates_are_blitted(report):
    blits = sum(r["blit"] for r in report.values())
    total = sum(r["blit"] + r["full"] for r in report.values())
    assert total and blits / total >= 0.3, report
