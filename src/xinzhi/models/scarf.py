"""A procedural square-scarf (方巾) pattern: motif, symmetry order, palette and seed → an RGB image.

Pure NumPy, no plotting: :func:`scarf_image` returns a ``(size, size, 3)`` ``uint8`` array that a
widget shows with ``imshow``/``set_data`` and a participant can save as a PNG. The same
``(motif, symmetry, palette, seed)`` always gives the same picture; every other seed gives another.
A 360 × 360 scarf takes a few tens of milliseconds.

Layout of every scarf, as in a classic silk square: a central medallion with ``symmetry``-fold
rotational and mirror symmetry, four small corner medallions, a thin ring, a patterned frame and a
quiet background lattice.

About the colours: the *names* are traditional Chinese colour names (传统色名). The RGB values are
the course's own choice — approximations picked to look right on a projector and to keep light and
dark shades clearly apart — and are **not** quoted from any colour standard or colour card.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: motif key → Chinese name (keys are ASCII so that file names stay portable)
MOTIFS: dict[str, str] = {"flower": "花卉", "cloud": "云纹", "fret": "回纹", "wave": "水波"}

MIN_SYMMETRY, MAX_SYMMETRY = 2, 16
MIN_SIZE, MAX_SIZE = 32, 2000


@dataclass(frozen=True)
class Palette:
    """Five colours from light to dark: background, two middle tones, an accent, an outline colour."""

    key: str
    name: str
    colours: tuple[tuple[str, str], ...]   # (traditional name, hex value chosen by the course)

    def rgb(self) -> np.ndarray:
        return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for _, h in self.colours], dtype=np.uint8)

    def names(self) -> list[str]:
        return [name for name, _ in self.colours]


#: Palettes of traditional colour names. RGB values: the course's own approximations (see module doc).
PALETTES: dict[str, Palette] = {p.key: p for p in [
    Palette("qinghua", "青花", (("月白", "#EEF3F6"), ("天青", "#A9C8DA"), ("石青", "#5B8DB8"),
                                ("靛青", "#2E5A88"), ("藏青", "#1B2A49"))),
    Palette("zhusha", "朱砂", (("缃色", "#F5E6C4"), ("藤黄", "#E8B33A"), ("朱砂", "#C8442E"),
                               ("胭脂", "#8E2135"), ("玄色", "#2B1B17"))),
    Palette("qinglv", "青绿山水", (("米白", "#F4F0E2"), ("松花绿", "#A7C48A"), ("石绿", "#3E8E7E"),
                                   ("石青", "#2F6A9A"), ("黛蓝", "#1F3142"))),
    Palette("qiuxiang", "秋香", (("象牙白", "#F8F1E0"), ("秋香色", "#C9B35A"), ("赭石", "#A0522D"),
                                 ("栗色", "#6B3A2A"), ("墨色", "#2A2622"))),
    Palette("yulan", "玉兰", (("素白", "#FAF7F2"), ("藕荷", "#D8BFD8"), ("丁香", "#B08CB8"),
                              ("绛紫", "#6C3463"), ("黛色", "#2F2A3A"))),
]}

PALETTE_SOURCE = ("颜色名称为中国传统色名；RGB 数值是本课程自选的近似值（为投影与深浅区分而调），"
                  "不引自任何色卡标准。")


def check_design(motif: str, symmetry: int, palette: str, seed: int, size: int = 360) -> None:
    """Raise ValueError for anything the generator cannot draw."""
    if motif not in MOTIFS:
        raise ValueError(f"unknown motif {motif!r}; choose from {list(MOTIFS)}")
    if palette not in PALETTES:
        raise ValueError(f"unknown palette {palette!r}; choose from {list(PALETTES)}")
    for name, value, low, high in (("symmetry", symmetry, MIN_SYMMETRY, MAX_SYMMETRY),
                                   ("size", size, MIN_SIZE, MAX_SIZE), ("seed", seed, 0, 2**32 - 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")


# ----------------------------------------------------------------------------------------------
# Motif fields: each returns an integer colour index (0–4) per pixel inside a disc of radius 1,
# or -1 where the motif leaves the background visible.
# ----------------------------------------------------------------------------------------------

def _petal(theta, k, offset, sharpness):
    return np.abs(np.cos(k * (theta - offset) / 2.0)) ** sharpness


def _flower(r, theta, k, rng):
    out = np.full(r.shape, -1, dtype=np.int8)
    layers = int(rng.integers(3, 6))
    radii = np.sort(rng.uniform(0.25, 1.0, layers))[::-1]
    radii[0] = 1.0
    colours = rng.permutation([1, 2, 3, 1, 2, 3])[:layers]
    for i, (radius, colour) in enumerate(zip(radii, colours)):
        offset = (i % 2) * math.pi / k
        depth = rng.uniform(0.25, 0.6)
        shape = radius * (1.0 - depth * (1.0 - _petal(theta, k, offset, rng.uniform(0.6, 2.5))))
        inside = r <= shape
        outline = inside & (r > shape - 0.035)
        out[inside] = colour
        out[outline] = 4
    heart = rng.uniform(0.08, 0.16)
    out[r < heart] = 3
    out[r < heart * 0.5] = 0
    return out


def _cloud(r, theta, k, rng):
    out = np.full(r.shape, -1, dtype=np.int8)
    rings = int(rng.integers(3, 6))
    bump = rng.uniform(0.08, 0.2)
    turns = rng.uniform(3.0, 7.0)
    for j in range(rings, 0, -1):
        radius = j / rings
        edge = radius * (1.0 - bump + bump * _petal(theta, k, (j % 2) * math.pi / k, 1.0))
        inside = r <= edge
        out[inside] = 1 + (j % 3)
        out[inside & (r > edge - 0.03)] = 4
    curl = np.sin(turns * np.log(r + 1e-3) * 2.0 + k * theta) > rng.uniform(0.55, 0.8)
    out[curl & (out >= 0) & (r > 0.15)] = 0
    out[r < 0.1] = 3
    return out


def _fret(r, theta, k, rng):
    out = np.full(r.shape, -1, dtype=np.int8)
    sector = 2.0 * math.pi / k
    phi = np.abs(np.mod(theta, sector) - sector / 2.0)
    u, v = r * np.cos(phi), r * np.sin(phi)
    cells = int(rng.integers(5, 10))
    iu, iv = np.floor(u * cells), np.floor(v * cells * 1.5)
    steps = np.mod(iu + iv, 3).astype(np.int8)
    key = (np.mod(iu, 2) == 0) & (np.mod(iv, 2) == 1)
    inside = r <= 1.0
    out[inside] = 1 + steps[inside]
    out[inside & key] = 4
    band = (r > 0.9) & inside
    out[band] = 3
    out[r < 0.18] = 0
    out[(r < 0.18) & (r > 0.14)] = 4
    return out


def _wave(r, theta, k, rng):
    out = np.full(r.shape, -1, dtype=np.int8)
    crests = int(rng.integers(4, 9))
    amplitude = rng.uniform(0.03, 0.08)
    level = r * crests + amplitude * crests * np.cos(k * theta) * np.sin(np.pi * r)
    band = np.floor(level).astype(int)
    frac = level - band
    inside = r <= 1.0
    out[inside] = (1 + np.mod(band, 3))[inside].astype(np.int8)
    out[inside & (frac > 0.86)] = 4
    out[inside & (frac < 0.12)] = 0
    out[r < 0.12] = 3
    return out


_FIELDS = {"flower": _flower, "cloud": _cloud, "fret": _fret, "wave": _wave}


def scarf_indices(motif: str = "flower", symmetry: int = 8, palette: str = "qinghua", seed: int = 0,
                  size: int = 360) -> np.ndarray:
    """The scarf as a ``(size, size)`` array of colour indices 0–4 into the palette."""
    check_design(motif, symmetry, palette, seed, size)
    rng = np.random.default_rng([int(seed), int(symmetry), list(MOTIFS).index(motif)])
    axis = (np.arange(size) + 0.5) / size * 2.0 - 1.0
    x, y = np.meshgrid(axis, axis)
    image = np.zeros((size, size), dtype=np.int8)

    # background lattice: small diamonds, low contrast
    pitch = rng.uniform(9.0, 16.0) * math.pi
    diamonds = np.abs(np.sin(pitch * (x + y) / 2)) + np.abs(np.sin(pitch * (x - y) / 2))
    image[diamonds < rng.uniform(0.25, 0.45)] = 1

    # central medallion
    radius = rng.uniform(0.50, 0.60)
    r = np.hypot(x, y) / radius
    theta = np.arctan2(y, x) + rng.uniform(0, 2 * math.pi / symmetry)
    field = _FIELDS[motif](r, theta, symmetry, rng)
    image = np.where(field >= 0, field, image)
    ring = np.abs(np.hypot(x, y) - radius * 1.07) < 0.012
    image[ring] = 4

    # four corner medallions: the same motif, smaller, with its own random draw
    corner = 0.64
    small = rng.uniform(0.13, 0.17)
    cx, cy = np.abs(x) - corner, np.abs(y) - corner
    rc = np.hypot(cx, cy) / small
    near = rc <= 1.0
    if near.any():
        tc = np.arctan2(cy[near], cx[near])
        corner_field = _FIELDS[motif](rc[near], tc, symmetry, rng)
        part = image[near]
        image[near] = np.where(corner_field >= 0, corner_field, part)

    # frame: an outer band with a repeating border motif, and a thin inner line
    edge = np.maximum(np.abs(x), np.abs(y))
    along = np.where(np.abs(x) >= np.abs(y), y, x)
    band = edge > 0.86
    depth = (1.0 - edge) / 0.14
    repeats = int(rng.integers(8, 15)) * 2
    if motif in ("fret", "cloud"):
        wave = np.mod(np.floor(along * repeats) + np.floor(depth * 4), 2) == 0
    else:
        wave = depth < 0.5 + 0.35 * np.cos(math.pi * along * repeats)
    image[band] = 3
    image[band & wave] = 2
    image[(edge > 0.84) & (edge <= 0.86)] = 4
    image[edge > 0.985] = 4
    return image


def scarf_image(motif: str = "flower", symmetry: int = 8, palette: str = "qinghua", seed: int = 0,
                size: int = 360) -> np.ndarray:
    """The scarf as a ``(size, size, 3)`` ``uint8`` RGB array (deterministic per argument set)."""
    indices = scarf_indices(motif, symmetry, palette, seed, size)
    return PALETTES[palette].rgb()[indices]


def describe(motif: str, symmetry: int, palette: str, seed: int) -> str:
    """A short Chinese caption: “花卉 · 8 重对称 · 青花 · 第 42 号”."""
    check_design(motif, symmetry, palette, seed)
    return f"{MOTIFS[motif]} · {symmetry} 重对称 · {PALETTES[palette].name} · 第 {seed} 号"
