"""Rebuild src/xinzhi/fonts/NotoSansSC-Regular-subset.ttf.

Takes the Simplified Chinese face of the variable Noto Sans CJK collection,
subsets it to GB2312, every other Chinese character the course's own text uses
(company and place names such as 玨芯), plus common Latin, punctuation and math symbols, fixes the
weight at Regular (wght=400), converts the CFF2 outlines to TrueType (glyf)
and renames the family "Noto Sans SC".

Usage:
    python scripts/build_font.py [SOURCE.ttc] [-o OUTPUT.ttf]

SOURCE defaults to NotoSansCJK-VF.otf.ttc from the `manimgx-fonts-cjk`
package installed in the current environment. Needs fontTools.
"""

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable
from fontTools.varLib import instancer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "src" / "xinzhi" / "fonts" / "NotoSansSC-Regular-subset.ttf"

FAMILY = "Noto Sans SC"
STYLE = "Regular"
PS_NAME = "NotoSansSC-Regular"
MAX_ERR = 1.0  # max deviation (font units) of the quadratic curves from the cubic ones

# Code point ranges kept besides GB2312 (only those the font actually has survive).
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0370, 0x03FF),  # Greek
    (0x2000, 0x206F),  # General Punctuation
    (0x2070, 0x209F),  # Superscripts and Subscripts
    (0x2100, 0x214F),  # Letterlike Symbols
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (circled numbers)
    (0x25A0, 0x25FF),  # Geometric Shapes
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]

# OpenType features kept: kerning, proportional CJK punctuation, marks, basic
# ligatures. Vertical, locale (JP/KR/TC forms) and width-variant features are
# dropped, which keeps their extra glyphs out of the subset.
LAYOUT_FEATURES = ["ccmp", "liga", "calt", "kern", "mark", "palt", "halt"]


def gb2312_chars():
    """Every character reachable by a valid GB2312 two-byte code (EUC-CN)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


# Folders whose text participants see (notebooks, pages, question banks, data, the package's messages): any
# Chinese character in them outside GB2312 goes into the font too, so nothing the course shows is a box.
COURSE_TEXT = ["notebooks", "docs", "quizzes", "data", "src/xinzhi"]


def course_chars():
    chars = set()
    for folder in COURSE_TEXT:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".ipynb", ".md", ".yaml", ".csv", ".py"}:
                text = path.read_text(encoding="utf-8", errors="ignore")
                chars.update(ord(ch) for ch in text if "\u3400" <= ch <= "\u9fff")
    return chars


def find_source():
    import manimgx_fonts_cjk

    return Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc"


def open_sc_face(path):
    """Return (font, index) for the face whose family name ends in "SC"."""
    for i, font in enumerate(TTCollection(str(path)).fonts):
        if font["name"].getDebugName(1).endswith(" SC"):
            return font, i
    raise SystemExit(f"no Simplified Chinese (SC) face in {path}")


def cff_to_glyf(font):
    """Replace CFF/CFF2 outlines with quadratic TrueType glyf outlines."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()

    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    glyf.compile(font)  # computes bounding boxes

    # TrueType needs left side bearing == xMin.
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))

    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)

    post = font["post"]  # format 2 keeps glyph names (some PDF/PS writers use them)
    post.formatType = 2.0
    post.extraNames, post.mapping, post.glyphOrder = [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font):
    """Name the font "Noto Sans SC" / "Regular" (the RFN "Source" is not used)."""
    name = font["name"]
    version = f"{font['head'].fontRevision:.3f}"
    new = {
        1: FAMILY,
        2: STYLE,
        3: f"{version};NotoSansSC-Regular-subset",
        4: f"{FAMILY} {STYLE}",
        6: PS_NAME,
    }
    # Drop old naming records in all languages, incl. typographic/variation names
    # and the fvar/STAT axis names (IDs >= 256) that nothing refers to any more.
    name.names = [r for r in name.names
                  if r.nameID not in (1, 2, 3, 4, 6, 16, 17, 21, 22, 25) and r.nameID < 256]
    for name_id, text in new.items():
        name.setName(text, name_id, 3, 1, 0x409)
        name.setName(text, name_id, 1, 0, 0)
    font["OS/2"].usWeightClass = 400
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | 0b1000000  # REGULAR
    font["head"].macStyle = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?", type=Path, help="NotoSansCJK-VF.otf.ttc")
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args()
    source = args.source or find_source()

    font, index = open_sc_face(source)
    print(f"source: {source} face #{index} ({font['name'].getDebugName(1)})")

    # 1. Subset first (much faster than instancing 65k glyphs).
    unicodes = gb2312_chars() | course_chars()
    for lo, hi in EXTRA_RANGES:
        unicodes.update(range(lo, hi + 1))
    opts = subset.Options()
    opts.layout_features = LAYOUT_FEATURES
    opts.hinting = True  # CFF hints go away with the outline conversion anyway;
    # stripping them here leaves None-valued CFF2 private dicts the instancer rejects.
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.drop_tables += ["DSIG", "VORG", "vhea", "vmtx", "VVAR"]
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)

    # 2. Fix the weight axis at Regular; the result is a static CFF2 font.
    font = instancer.instantiateVariableFont(font, {"wght": 400})
    for tag in ("STAT", "MVAR"):
        if tag in font:
            del font[tag]

    # 3. CFF2 -> TrueType outlines, 4. names.
    cff_to_glyf(font)
    rename(font)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    font.recalcTimestamp = False  # keep the source's head.modified: rebuilds are byte-identical
    font.save(args.output)
    font = TTFont(args.output)
    print(f"wrote {args.output}: {args.output.stat().st_size:,} bytes, "
          f"{font['maxp'].numGlyphs} glyphs, {len(font.getBestCmap())} code points")


if __name__ == "__main__":
    main()
