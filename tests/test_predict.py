"""Predict, then reveal: the key widgets ask for a guess before their controls move, then show guess against
result and save the pair; a restart shows the pair again."""
from __future__ import annotations

import re

import ipywidgets as w
import matplotlib.pyplot as plt
import pytest

from xinzhi import records
from xinzhi.inputs import format_number
from xinzhi.widgets.predict import _rounded

from .conftest import widget_classes

PREDICTING = [cls for cls in widget_classes() if getattr(cls, "prediction", None)]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_key_widgets_ask_for_a_guess():
    names = {cls.__name__ for cls in PREDICTING}
    assert {"PlusTimesWidget", "ShareProjectionWidget", "NevSCurve", "GrowthAccounting"} <= names


@pytest.fixture(params=PREDICTING, ids=lambda cls: cls.__name__)
def widget(request, monkeypatch):
    monkeypatch.setenv("XINZHI_STRICT", "1")
    instance = request.param()
    yield instance
    plt.close(instance.fig)


def locked(widget) -> bool:
    return all(getattr(c, "disabled", False) for c in widget.controls.values())


def test_controls_wait_for_a_guess_and_bad_guesses_explain_themselves(widget):
    panel = widget.predict
    assert locked(widget) and "先猜一猜" in panel.prompt.value
    for typed in ["", "很多", "1e999", "五十"]:
        panel.entry.value = typed
        panel.lock_button.click()
        assert panel.state == "asking" and locked(widget)
        assert CJK.search(panel.message.value), f"{typed!r}: no Chinese message"
    assert not records.read(widget.prediction.notebook)[0], "nothing saved before a guess"


def test_guess_then_reveal_saves_the_pair(widget):
    panel = widget.predict
    panel.entry.value = "１２"                       # full-width digits are read too
    assert panel.state == "guessed" and not locked(widget) and panel.message.value == ""
    panel.reveal_button.click()
    assert panel.state == "revealed" and widget.last_error is None
    expected = float(widget.prediction.result(widget))
    assert _rounded(expected) in panel.prompt.value and "你的猜测" in panel.prompt.value
    saved = [r for r in records.read(widget.prediction.notebook)[0] if r["type"] == "prediction"]
    assert len(saved) == 1
    pair = saved[0]
    assert (pair["widget"], pair["guess"], pair["skipped"]) == (widget.prediction.key, 12.0, False)
    assert pair["result"] == pytest.approx(expected) and pair["participant"] and pair["question"]

    again = type(widget)()                          # the cell run again, or the kernel restarted
    try:
        assert again.predict.state == "revealed" and not locked(again)
        assert _rounded(expected) in again.predict.prompt.value
    finally:
        plt.close(again.fig)


def test_moving_the_controls_there_by_hand_reveals(widget):
    panel = widget.predict
    panel.entry.value = "1"
    for name, value in widget.prediction.setting(widget).items():
        control = widget.controls[name]
        control.value = format_number(value) if isinstance(control, w.Text) else value
    assert panel.state == "revealed"


def test_a_guess_can_be_skipped(widget):
    panel = widget.predict
    panel.skip_button.click()
    assert panel.state == "skipped" and not locked(widget)
    saved = records.read(widget.prediction.notebook)[0]
    assert saved[-1]["skipped"] is True and saved[-1]["guess"] is None


def test_a_share_is_compared_in_percentage_points():
    from xinzhi.widgets.numbers import ShareProjectionWidget

    widget = ShareProjectionWidget()
    try:
        widget.predict.entry.value = "90%"
        widget.predict.reveal_button.click()
        assert "个百分点" in widget.predict.prompt.value
    finally:
        plt.close(widget.fig)
