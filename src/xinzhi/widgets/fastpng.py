"""Images for the browser encoded for speed: every update of a widget's figure is sent as a PNG.

matplotlib's web canvas (which ipympl uses) encodes the image it sends after each change with Pillow, which
chooses a PNG filter for every row (trying five) and compresses at zlib level 6. The images sent here are
flat colour or, after a change, mostly zero (only the changed pixels): rows left unfiltered and compressed at
level 1 come out no larger, in a third of the time (a 1200×580 figure: a changed part 19 → 6 ms, the whole
figure 24 → 7 ms, on 2 busy cores) — the largest part of a blitted update. Pillow has no setting to leave rows
unfiltered, so :func:`png` writes the file itself (a PNG is a signature and three chunks, see the PNG
specification, section 5). :func:`use_fast_png` gives one canvas :func:`get_diff_image`, matplotlib's own
method (``FigureCanvasWebAggCore.get_diff_image``, matplotlib 3.11) with that encoder, and one change:

The image after a whole one is whole too. ipympl's front end shows an image when the browser has decoded it,
and a new image arriving before that replaces it unseen. A whole image comes after the figure changed size —
the browser has just cleared its canvas — and the browser asks for a drawing twice then (for the new size, and
to refresh); the second, a difference from the first, would leave the canvas blank but for the pixels that
differ if it replaced the first unseen. Sent whole, it shows the figure either way.

tests/test_fastpng.py checks that the browser receives the same pixels as with matplotlib's.
"""
from __future__ import annotations

import struct
import zlib
from types import MethodType

import numpy as np

COMPRESS_LEVEL = 1
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rgba: np.ndarray) -> bytes:
    """8-bit RGBA pixels (height × width × 4) as a PNG file: rows unfiltered, deflated at ``COMPRESS_LEVEL``."""
    height, width = rgba.shape[:2]
    rows = np.zeros((height, 1 + 4 * width), np.uint8)   # each row starts with its filter type, 0: none
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)   # 8 bits, RGBA, deflate, no interlace
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.data, COMPRESS_LEVEL))
            + _chunk(b"IEND", b""))


def get_diff_image(canvas):
    """The changed pixels since the last image (or all of them), as PNG bytes; None when nothing is new."""
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)   # one uint32 per pixel: compared in one numpy call
    whole = canvas._force_full or buff.shape != canvas._last_buff.shape or (pixels[:, :, 3] != 255).any()
    if whole or getattr(canvas, "_after_whole", False):
        canvas.set_image_mode("full")          # a new size, or transparency: nothing to draw over
        output = buff
        canvas._after_whole = whole            # the image after this one is whole too (module docstring)
    else:
        canvas.set_image_mode("diff")
        output = np.where(buff != canvas._last_buff, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    return png(output.view(dtype=np.uint8).reshape((*output.shape, 4)))


def use_fast_png(canvas) -> None:
    """Make this web canvas (ipympl's) encode the images it sends with :func:`get_diff_image`."""
    canvas.get_diff_image = MethodType(get_diff_image, canvas)
