"""The images a widget's canvas sends are encoded faster (fastpng.py) and show the same pixels as matplotlib's."""
from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap

import numpy as np
from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
from matplotlib.figure import Figure
from PIL import Image

from xinzhi.widgets import fastpng

from .conftest import ROOT


def zlib_level(png: bytes) -> int:
    """The compression level a PNG's first image chunk says it was written with (0 fastest … 3 best)."""
    at = 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            return png[at + 9] >> 6    # zlib header, second byte: FLEVEL in the top two bits
        at += 12 + length
    raise AssertionError("no image data in the PNG")


def canvases():
    """Two identical figures on matplotlib's web canvas, the second sending fast PNGs."""
    made = []
    for _ in range(2):
        fig = Figure(figsize=(4, 3), dpi=100)
        ax = fig.add_subplot()
        (line,) = ax.plot([0, 1, 2], [0, 1, 0])
        canvas = FigureCanvasWebAggCore.new_manager(fig, 1).canvas   # a browser-less manager, as for a widget
        made.append((canvas, line))
    fastpng.use_fast_png(made[1][0])
    return made


def shown(screen, png: bytes, mode: str) -> np.ndarray:
    """What the browser's canvas shows after drawing this image over ``screen`` (ipympl: a "full" image clears
    the canvas first; a "diff" image's transparent pixels leave what was there)."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    if mode == "full" or screen is None:
        return image
    return np.where(image[:, :, 3:] > 0, image, screen)


def test_the_browser_shows_the_same_pixels_as_with_matplotlib():
    pair = canvases()
    steps = [lambda c, line: None,                                   # first image: whole
             lambda c, line: line.set_ydata([1, 0, 1]),              # the one after a whole one: whole too
             lambda c, line: line.set_ydata([0, 0, 1]),              # a change: only what differs
             lambda c, line: c.figure.patch.set_alpha(0.5)]          # transparency: whole again
    screens, modes = [None, None], []
    for step in steps:
        sent = []
        for n, (canvas, line) in enumerate(pair):
            step(canvas, line)
            canvas.draw()
            png = canvas.get_diff_image()
            screens[n] = shown(screens[n], png, canvas._current_image_mode)
            sent.append((canvas._current_image_mode, zlib_level(png)))
            assert canvas.get_diff_image() is None, "nothing new: nothing to send"
        (_mode, level), (fast_mode, fast_level) = sent
        assert np.array_equal(screens[0], screens[1]), f"the browser would show other pixels after {fast_mode!r}"
        assert fast_level < level, "the fast image should be encoded at a lower zlib level"
        modes.append(fast_mode)
    assert modes == ["full", "full", "diff", "full"]


def test_course_widgets_on_ipympl_send_fast_pngs(tmp_path):
    script = textwrap.dedent("""
        import sys
        import matplotlib
        matplotlib.use("module://ipympl.backend_nbagg")
        from xinzhi.widgets import fastpng
        from xinzhi.widgets.concept import PlusTimesWidget
        widget = PlusTimesWidget()
        canvas = widget.fig.canvas
        assert canvas.get_diff_image.__func__ is fastpng.get_diff_image, canvas.get_diff_image
        sent = []
        canvas.send_binary = sent.append    # what would go to the browser after a draw
        canvas.draw()
        open(sys.argv[1], "wb").write(sent[-1])
    """)
    env = {"XINZHI_WORKSPACE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    sent = tmp_path / "sent.png"
    done = subprocess.run([sys.executable, "-c", script, str(sent)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert zlib_level(sent.read_bytes()) == 0, "a widget's canvas should send images at the fastest level"
