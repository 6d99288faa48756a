"""Images for the browser encoded for speed: every update of a widget's figure is sent as a PNG.

matplotlib's web canvas (which ipympl uses) encodes the image it sends after each change with Pillow's default
zlib level (6). For these figures level 1 gives files of about the same size at a third to a half of the time
(a full 900×440 figure: 37 → 14 ms; a changed part only: 13 → 8 ms, on 2 busy cores) — the largest part of a
blitted update. :func:`use_fast_png` gives one canvas :func:`get_diff_image`, matplotlib's own method
(``FigureCanvasWebAggCore.get_diff_image``, matplotlib 3.11) with that one setting changed;
tests/test_fastpng.py checks that the browser receives the same pixels as with matplotlib's.
"""
from __future__ import annotations

from io import BytesIO
from types import MethodType

import numpy as np
from PIL import Image

from ..charts import PNG_COMPRESS_LEVEL as COMPRESS_LEVEL


def get_diff_image(canvas):
    """The changed pixels since the last image (or all of them), as PNG bytes; None when nothing is new."""
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)   # one uint32 per pixel: compared in one numpy call
    if canvas._force_full or buff.shape != canvas._last_buff.shape or (pixels[:, :, 3] != 255).any():
        canvas.set_image_mode("full")          # a new size, or transparency: nothing to draw over
        output = buff
    else:
        canvas.set_image_mode("diff")
        output = np.where(buff != canvas._last_buff, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    data = output.view(dtype=np.uint8).reshape((*output.shape, 4))
    with BytesIO() as png:
        Image.fromarray(data).save(png, format="png", compress_level=COMPRESS_LEVEL)
        return png.getvalue()


def use_fast_png(canvas) -> None:
    """Make this web canvas (ipympl's) encode the images it sends with :func:`get_diff_image`."""
    canvas.get_diff_image = MethodType(get_diff_image, canvas)
