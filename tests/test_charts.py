"""The chart style: Chinese in the bundled font, minus signs, palette, source line, alt text."""
from __future__ import annotations

import gc
import re
import warnings
import weakref

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from xinzhi import charts, edition


def test_bundled_font_is_registered_by_path_at_regular_weight():
    families = charts.register_chinese_font()
    assert families[0] == "Noto Sans SC"
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans SC"), fallback_to_default=False)
    assert found == str(charts.FONT_FILE)
    entry = next(f for f in font_manager.fontManager.ttflist if f.fname == str(charts.FONT_FILE))
    assert entry.weight in (400, "normal", "regular")
    assert (charts.FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1


def test_chinese_and_minus_signs_render_without_missing_glyphs():
    fig, ax = charts.new_figure()
    ax.plot([-3, -1, 2], [-2.5, 0, 1.5], label="新质生产力：全要素生产率（TFP）")
    ax.set_title("浙江 丽水 吉利 万事利 “乘号” ≥ 67.1% −3.5%")
    ax.legend()
    charts.set_source(fig, "来源：示意参数，非真实数据")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fmt in ("png", "pdf", "svg"):
            import io

            fig.savefig(io.BytesIO(), format=fmt)
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    plt.close(fig)


def test_a_missing_glyph_fails_the_tests():
    fig, ax = charts.new_figure()
    ax.set_title("\U00020000")  # a rare CJK character outside the bundled subset and common system fonts
    charts.set_source(fig, "测试")
    with pytest.raises(UserWarning, match="missing from font"):
        charts.png_bytes(fig)
    plt.close(fig)


def test_symbols_outside_the_chinese_font_fall_back_glyph_by_glyph():
    fig, ax = charts.new_figure()
    ax.set_title("产值 10¹⁵ 元 ✓ → ½ 😀")          # superscripts and symbols only DejaVu Sans has
    charts.set_source(fig, "测试")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts.png_bytes(fig)
    plt.close(fig)


@pytest.mark.parametrize("typed, shown", [
    ("产值10¹⁵", "产值10¹⁵"), ("👍🏽好", "好"), ("1️⃣号", "1号"), ("\U00020000乡", "乡"), ("$x^2$", r"\$x^2\$"),
    ("Ａ区", "Ａ区"), ("", ""),
])
def test_typed_labels_are_made_drawable(typed, shown):
    assert charts.drawable(typed) == shown
    fig, ax = charts.new_figure()
    ax.set_title(charts.drawable(typed))
    charts.set_source(fig, "测试")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts.png_bytes(fig)
    plt.close(fig)


def test_palette_is_okabe_ito_with_line_styles():
    assert charts.COLORS[:4] == ["#0072B2", "#E69F00", "#009E73", "#D55E00"]
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["color"]), "every colour has its own line style"
    assert matplotlib.rcParams["figure.facecolor"] == "white"


def test_show_requires_a_source_line_and_alt_text():
    fig, ax = charts.new_figure()
    with pytest.raises(ValueError, match="source"):
        charts.show(fig, alt="一张图")
    charts.set_source(fig, "来源：测试")
    with pytest.raises(ValueError, match="alt"):
        charts.show(fig, alt=" ")
    plt.close(fig)


def test_show_embeds_the_image_with_alt_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = charts.new_figure()
    ax.plot([1, 2], [3, 4])
    charts.set_source(fig, "来源：测试")
    charts.show(fig, alt="一条上升的线")
    html = shown[0].data
    assert "alt='一条上升的线'" in html and "data:image/png;base64," in html
    natural, smallest = charts.static_widths(fig)
    assert f"min-width:{smallest}px" in html and f"max-width:{natural}px" in html
    assert smallest * 10 * charts.STATIC_DPI / 72 / natural >= charts.MIN_TEXT_PX - 0.5, \
        "at its narrowest the smallest text (10 pt source line) is still 11 CSS px"
    kept = weakref.ref(fig)
    del fig, ax
    gc.collect()
    assert kept() is None, "nothing holds a shown static chart (pyplot, a canvas widget), so memory stays flat"


def test_source_line_is_rewritten_not_stacked():
    fig, _ = charts.new_figure()
    charts.set_source(fig, "来源：甲")
    charts.set_source(fig, "来源：乙")
    assert charts.source_of(fig) == "来源：乙"
    assert sum(t.get_text().startswith("来源") for t in fig.findobj(matplotlib.text.Text)) == 1
    plt.close(fig)


def test_long_chinese_source_lines_fit_the_figure():
    fig, _ = charts.new_figure(6, 4)
    long = "来源：" + "浙江省统计局《2023年浙江省国民经济和社会发展统计公报》（2024-03-04）；" * 4
    artist = charts.set_source(fig, long)
    fig.canvas.draw()
    box = artist.get_window_extent()
    assert box.x1 <= fig.bbox.x1 + 1, "the source line runs off the figure"
    assert artist.get_text().replace("\n", "") == edition.with_stamp(long)
    plt.close(fig)


def test_nice_ceiling_gives_round_limits_that_do_not_move_with_small_changes():
    assert charts.nice_ceiling(0.93) == 1
    assert charts.nice_ceiling(123) == 150
    assert charts.nice_ceiling(3400) == 4000
    assert charts.nice_ceiling(8e14) == 8e14
    assert charts.nice_ceiling(131) == charts.nice_ceiling(146)
    assert charts.nice_ceiling(float("nan")) == 1 and charts.nice_ceiling(-5) == 1


def _all_source_lines() -> list[str]:
    from xinzhi.data import list_datasets, load

    lines = []
    for name in list_datasets():
        ds = load(name)
        lines.append(ds.source_line())
        if "quote" in ds.table.columns:
            lines += [str(q) for q in ds.table["quote"].head(30)]
    return [line for line in lines if line]


@pytest.mark.parametrize("width", [6.5, 8, 13, 20, 31, 47, 62])
def test_wrapping_follows_chinese_line_breaking_rules(width):
    """禁则: no closing punctuation at a line start, no opening bracket or quote at a line end; Latin kept whole."""
    for text in _all_source_lines():
        wrapped = charts.wrap_mixed(text, width)
        lines = wrapped.split("\n")
        for before, after in zip(lines, lines[1:]):
            assert after[:1] not in charts.NO_LINE_START, f"line starts with {after[:1]!r}: {before!r} / {after!r}"
            assert before[-1:] not in charts.NO_LINE_END, f"line ends with {before[-1:]!r}: {before!r} / {after!r}"
        for word in re.findall(r"[A-Za-z]+|\d+(?:\.\d+)?", text):
            if len(word) <= width * 2:
                assert any(word in line for line in lines), f"the word {word!r} was split: {lines}"
        assert "".join(wrapped.split()) == "".join(text.split()), "wrapping only adds line breaks"


def test_wrapping_keeps_quotes_with_their_words():
    wrapped = charts.wrap_mixed("习近平在黑龙江考察时作出“加快形成新质生产力”等重要指示", 6.5)
    assert not any(line.endswith("“") or line.startswith("”") for line in wrapped.split("\n")), wrapped
