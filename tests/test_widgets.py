"""Every course widget, driven like a participant would: ends of every slider, every menu option, bad typing.

Widgets are discovered, not listed: a new FigureWidget subclass is covered as soon as it exists.
"""
from __future__ import annotations

import math
import re

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest

from xinzhi import charts
from xinzhi.widgets.base import NUMBER_BOX_CLASS, FigureWidget

from .conftest import widget_classes

CLASSES = widget_classes()
BAD_TYPING = ["", "abc", "-5", "1e308", "NaN", "inf", "１２", "1,000", "50%", "  ", "3万", "1e-300", "0"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_course_has_widgets():
    assert len(CLASSES) >= 1, "no FigureWidget subclass found in xinzhi.widgets"


def ids(cls):
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__qualname__}"


def picture(widget: FigureWidget) -> bytes:
    return charts.png_bytes(widget.fig, dpi=40)


def settings_for(control):
    """The values a participant can reach with this control, ends first."""
    if isinstance(control, (w.IntSlider, w.FloatSlider, w.FloatLogSlider, w.BoundedIntText, w.BoundedFloatText)):
        middle = control.min + (control.max - control.min) / 2
        if isinstance(control, (w.IntSlider, w.BoundedIntText)):
            middle = int(middle)
        return [control.min, control.max, middle, control.value]
    if isinstance(control, (w.IntRangeSlider, w.FloatRangeSlider)):
        return [(control.min, control.min), (control.max, control.max), (control.min, control.max), control.value]
    if isinstance(control, w.SelectionSlider):
        values = [v for _, v in control._options_full] if hasattr(control, "_options_full") else list(control.options)
        return [values[0], values[-1], control.value]
    if isinstance(control, (w.Dropdown, w.RadioButtons, w.ToggleButtons, w.Select)):
        return [value for _, value in control._options_full] + [control.value]
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return [not control.value, control.value]
    if isinstance(control, (w.SelectMultiple,)):
        return [tuple(v for _, v in control._options_full[:1]), tuple(v for _, v in control._options_full), control.value]
    return []


@pytest.fixture(params=CLASSES, ids=ids)
def widget(request, monkeypatch):
    monkeypatch.setenv("XINZHI_STRICT", "1")
    instance = request.param()
    yield instance
    plt.close(instance.fig)


def test_builds_with_source_alt_and_title(widget):
    assert widget.last_error is None
    source = charts.source_of(widget.fig)
    assert source.strip(), "every chart needs a source line"
    assert not re.search(r"[=÷Σ^]", source), f"a source line names documents, not formulas: {source!r}"
    assert CJK.search(widget.alt or ""), "every widget needs Chinese alt text"
    assert widget.title and CJK.search(widget.title)
    assert widget.controls, "a widget without controls is a chart"
    for name, control in widget.controls.items():
        label = getattr(control, "description", "") or ""
        if not isinstance(control, (w.HTML, w.Label)):
            assert CJK.search(label), f"control {name!r} needs a Chinese label"
    assert len(picture(widget)) > 2000, "the figure renders nothing"


def test_every_control_at_its_ends_and_options(widget):
    for name, control in widget.controls.items():
        if isinstance(control, w.Button):
            continue
        original = control.value
        watched = bool(settings_for(control)) and name not in widget.inert_controls
        changed_picture = False
        before = picture(widget) if watched else b""
        for value in settings_for(control):
            control.value = value
            assert widget.last_error is None, f"{name}={value!r}: {widget.last_error!r}"
            # a PNG only until the figure is seen to change (rendering is the slow part); every value is still set
            if watched and not changed_picture and picture(widget) != before:
                changed_picture = True
        control.value = original
        if settings_for(control) and name not in widget.inert_controls:
            assert changed_picture, f"moving {name!r} never changed the figure"


def line_under(widget: FigureWidget, control) -> str:
    """What the widget shows right under ``control``: the part after it in the box that holds it."""
    def search(box):
        children = list(getattr(box, "children", ()))
        for i, child in enumerate(children):
            if child is control:
                after = children[i + 1] if i + 1 < len(children) else None
                return getattr(after, "value", "") if isinstance(after, w.HTML) else ""
            found = search(child)
            if found is not None:
                return found
        return None
    return search(widget.widget) or ""


def test_bad_typing_gives_a_chinese_message_under_the_box_or_a_sensible_result(widget):
    texts = {n: c for n, c in widget.controls.items() if NUMBER_BOX_CLASS in c._dom_classes}
    for name, control in texts.items():
        original = control.value
        for typed in BAD_TYPING:
            control.value = typed
            assert widget.last_error is None, f"{name}={typed!r}: {widget.last_error!r}"
            for shown in widget.messages().values():
                assert CJK.search(shown), f"{name}={typed!r}: message not in Chinese: {shown!r}"
            for line in widget.fig.findobj(match=lambda a: hasattr(a, "get_ydata")):
                data = [float(v) for v in line.get_ydata() if v is not None] if len(line.get_ydata()) else []
                assert all(not math.isinf(v) for v in data), f"{name}={typed!r} drew an infinite value"
        for typed in ["", "abc"]:
            control.value = typed
            shown = widget.messages()
            assert list(shown) == [name], f"{name}={typed!r}: the message should stand under this box: {shown}"
            assert CJK.search(line_under(widget, control)), f"{name}={typed!r} must explain itself in Chinese, " \
                                                            "right under the box"
        control.value = original
        assert not widget.messages(), f"{name}: the message stays after a good value"


def test_a_message_about_a_slider_stands_under_that_slider():
    from xinzhi.widgets.lishui import SiteChoice

    widget = SiteChoice()
    try:
        weights = [name for name in widget.controls if re.fullmatch(r"w\d+", name)]
        for name in weights:
            widget.controls[name].value = 0        # all weights 0: nothing left to compare
        last = widget.controls[weights[-1]]
        assert list(widget.messages()) == [weights[-1]], widget.messages()
        assert CJK.search(line_under(widget, last)), "the message belongs under the slider just moved"
        last.value = 3
        assert not widget.messages() and not line_under(widget, last)
    finally:
        plt.close(widget.fig)


def test_buttons_never_raise(widget):
    for name, control in widget.controls.items():
        if isinstance(control, w.Button):
            control.click()
            assert widget.last_error is None, f"button {name!r}: {widget.last_error!r}"


def test_building_twice_reuses_one_figure_per_widget():
    for cls in CLASSES:
        before = len(plt.get_fignums())
        first = cls()
        second = cls()
        assert len(plt.get_fignums()) == before + 1, f"{cls.__name__}: re-running the cell leaks a figure"
        open_figures = [manager.canvas.figure for manager in plt._pylab_helpers.Gcf.get_all_fig_managers()]
        assert first.fig not in open_figures and second.fig in open_figures
        plt.close(second.fig)


# --- the public contract of FigureWidget (see the docstring of xinzhi/widgets/base.py) -------------------

PRIVATE_HOOKS = sorted(name for name in vars(FigureWidget) if name.startswith("_") and not name.startswith("__"))


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_widgets_use_only_the_public_hooks(cls):
    """A widget overrides public hooks (layout, state, save …), never the base's underscored machinery."""
    for klass in cls.__mro__:
        if klass is FigureWidget or not issubclass(klass, FigureWidget):
            continue
        overridden = [name for name in PRIVATE_HOOKS if name in vars(klass)]
        assert not overridden, f"{klass.__name__} overrides private hooks {overridden}"
        source = __import__("inspect").getsource(klass)
        reached = [name for name in PRIVATE_HOOKS if re.search(rf"\b(?:self|super\(\))\.{name}\b", source)]
        assert not reached, f"{klass.__name__} reaches into {reached}"


def another_value(control, current=None):
    """A value a participant could give this control, other than ``current`` (its value; None for buttons)."""
    current = control.value if current is None else current
    if isinstance(control, (w.Text, w.Textarea)):
        if NUMBER_BOX_CLASS in control._dom_classes:     # the same number written another way
            return current + ("0" if "." in current else ".0")
        return current + "甲"
    return next((v for v in settings_for(control) if v != current), None)


def changeable(widget):
    """[(name, control, another value)] for the controls that change the figure."""
    return [(name, control, another_value(control)) for name, control in widget.controls.items()
            if name not in widget.inert_controls and another_value(control) is not None]


def test_batch_redraws_once(widget, monkeypatch):
    changes = [(control, value) for _name, control, value in changeable(widget)]
    control, value = changes[0]
    changes.append((control, another_value(control, value)))     # and the first one again

    refreshes = []
    monkeypatch.setattr(widget, "refresh", lambda: refreshes.append(1))
    with widget.batch():
        for control, value in changes:
            control.value = value
        assert not refreshes, "no redraw inside a batch"
    assert len(refreshes) == 1, "one redraw at the end of a batch"


def test_state_round_trip(widget):
    """state() holds every control's value; restore_state() sets them back and ignores what does not fit."""
    first = widget.state()
    name, control, value = changeable(widget)[0]
    control.value = value
    changed = widget.state()
    assert changed[name] == control.value
    widget.restore_state(first)
    assert widget.state() == first and widget.last_error is None
    restored = widget.restore_state({name: object(), "no such control": 1})
    assert restored == [] and widget.state() == first


@pytest.mark.parametrize("cls", [c for c in CLASSES if c.save_key], ids=ids)
def test_saved_work_comes_back_when_the_cell_runs_again(cls, monkeypatch):
    monkeypatch.setenv("XINZHI_STRICT", "1")
    widget = cls()
    for _name, control, value in changeable(widget):
        control.value = value
    assert widget.save() is not None
    expected = widget.state()
    plt.close(widget.fig)
    again = cls()
    assert again.state() == expected
    assert "已恢复" in again.status.value and again.last_error is None
    plt.close(again.fig)


def test_show_message_is_a_note_in_chinese(widget):
    widget.show_message("注意", kind="warn")
    assert "注意" in widget.message.value and "alert" in widget.message.value
    widget.show_message("已保存", kind="ok", lasting=True)
    assert "已保存" in widget.status.value
    widget.show_message("")
    assert widget.message.value == "" and "已保存" in widget.status.value


def test_design_space_rounds_what_it_calls_approximate():
    """“约 670万分之一”, not “约 666.67万 分之一”: a figure called approximate keeps two significant digits."""
    from xinzhi.widgets.wensli import DesignSpace

    widget = DesignSpace()
    try:
        for motif in (100, 7, 1):
            widget.controls["motif"].value = motif
            found = re.findall(r"约 ([\d.,]+)(?:万|亿)?分之一", widget.summary.value)
            assert found, widget.summary.value
            digits = found[0].replace(",", "").replace(".", "").strip("0")
            assert len(digits) <= 2, widget.summary.value
    finally:
        plt.close(widget.fig)
