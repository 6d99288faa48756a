"""Predict, then reveal: before touching a widget's controls, participants type a guess.

One decorator adds the step to any course widget (:class:`~xinzhi.widgets.base.FigureWidget`):

    @predict_first(notebook="01", key="plus_times",
                   question="产业保持 6，把“科技创新”拖到 0：乘法的产出会是多少？",
                   target={"industry": 6.0, "technology": 0.0},
                   result=lambda widget: growth.multiplicative_output(6.0, 0.0))
    class PlusTimesWidget(FigureWidget): ...

The decorator puts a box on top of the widget's ``layout()`` (the public hook of base.py), so the widget's
own code does not change. The widget opens with its controls locked under “先猜一猜：……”. Once the guess is
typed (read by :func:`xinzhi.inputs.parse_number`, so “84%”、“八十” get a Chinese message) and locked, the
controls unlock. When the controls reach the question's setting — moved there by the participant, or
by the 揭晓 button — the box shows the guess against the result, and the pair is saved as a record
(:mod:`xinzhi.records`) that a class view can gather later. A participant may also skip the guess. After
a restart the saved pair is shown again and the controls are free.

``question``, ``target``, ``how`` and ``result`` may be functions of the widget, so that a question can be built
from the data (a start share, the last year of a series) rather than typed in.
"""
from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass
from typing import Callable

import ipywidgets as w

from .. import class_view, records
from ..errors import CourseError, InputError
from ..formats import message_html
from ..inputs import format_number, parse_number
from .shared import html_line

GUESS_CLASS = "xinzhi-guess"


@dataclass(frozen=True)
class Prediction:
    notebook: str                                   # "01"
    key: str                                        # the widget's stable name in the records
    question: str | Callable                        # text, or widget -> text
    target: dict | Callable                         # {control name: value}, or widget -> that
    result: Callable                                # widget -> the number at the target setting
    unit: str = ""                                  # "%" reads “84” and “84%” alike
    how: str | Callable = ""                        # what to move, e.g. "把“科技创新”拖到 0"

    def text(self, widget) -> str:
        return self.question(widget) if callable(self.question) else self.question

    def setting(self, widget) -> dict:
        return self.target(widget) if callable(self.target) else dict(self.target)

    def steps(self, widget) -> str:
        return self.how(widget) if callable(self.how) else self.how


def predict_first(**spec):
    """Class decorator: the widget asks for a guess before its controls can be moved (see module doc)."""
    prediction = Prediction(**spec)

    def decorate(cls):
        parts = cls.layout

        @functools.wraps(parts)
        def layout(self):
            self.predict = PredictPanel(self, prediction)   # the controls exist by now, the chart is drawn
            return [self.predict.box, *parts(self)]

        cls.layout = layout
        cls.prediction = prediction
        return cls
    return decorate


class PredictPanel:
    """The box above a widget: guess, lock, move (or 揭晓), then guess against result."""

    def __init__(self, widget, prediction: Prediction):
        self.widget, self.p = widget, prediction
        self.question = prediction.text(widget)
        self.guess: float | None = None
        self.state = "asking"                       # asking → guessed → revealed (or skipped)
        unit = f"（单位：{prediction.unit}）" if prediction.unit else ""
        self.entry = w.Text(placeholder=f"你的猜测{unit}", continuous_update=False,
                            layout={"width": "min(100%, 220px)"})
        self.entry.add_class(GUESS_CLASS)
        self.lock_button = w.Button(description="锁定我的猜测", button_style="primary", layout={"width": "auto"})
        self.skip_button = w.Button(description="不猜，直接动手", layout={"width": "auto"})
        self.reveal_button = w.Button(description="揭晓：调到题目的设置", layout={"width": "auto", "align_self": "flex-start"})
        self.lock_button.on_click(lambda _b: self._safely(self.lock))
        self.entry.observe(lambda _c: self._safely(self.lock) if self.entry.value.strip() else None, names="value")
        self.skip_button.on_click(lambda _b: self._safely(self.skip))
        self.reveal_button.on_click(lambda _b: self._safely(self.reveal))
        self.prompt = html_line()
        self.message = html_line()
        self.row = w.HBox([self.entry, self.lock_button, self.skip_button], layout={"flex_flow": "row wrap"})
        self.box = w.VBox([*class_view.controls(), self.prompt, self.row, self.reveal_button, self.message],
                          layout={"border": "1px solid #0072B2", "padding": "4px 10px", "margin": "0 0 8px 0"})
        self.box.add_class("xinzhi-predict")
        self._was_disabled = {name: getattr(c, "disabled", False) for name, c in widget.controls.items()}
        for control in widget.controls.values():
            control.observe(lambda _c: self._safely(self._check_target), names="value")
        self._restore()
        self._show()

    # --- what a participant does --------------------------------------------------------------------
    def lock(self) -> None:
        if self.state != "asking":
            return
        self.guess = parse_number(self.entry.value, name="你的猜测", percent=self.p.unit == "%")
        self.state = "guessed"
        self._show()
        self._check_target()

    def skip(self) -> None:
        if self.state != "asking":
            return
        self.state = "skipped"
        self._save({"guess": None, "result": None, "skipped": True})
        self._show()

    def reveal(self) -> None:
        """Move the controls to the question's setting; the result shows once they are all there."""
        if self.state != "guessed":
            return
        with self.widget.batch():                           # one redraw, not one per control
            for name, value in self.p.setting(self.widget).items():
                control = self.widget.controls[name]
                control.value = format_number(value) if isinstance(control, w.Text) else value
        self._check_target()

    # --- machinery ----------------------------------------------------------------------------------
    def _check_target(self) -> None:
        if self.state == "guessed" and self._at_target():
            self.result = float(self.p.result(self.widget))
            self.state = "revealed"
            self._save({"guess": self.guess, "result": self.result, "skipped": False})
            self._show()

    def _at_target(self) -> bool:
        for name, wanted in self.p.setting(self.widget).items():
            value = self.widget.controls[name].value
            if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
                try:
                    value = parse_number(value) if isinstance(value, str) else float(value)
                except (InputError, TypeError, ValueError):
                    return False
                if not math.isclose(value, float(wanted), rel_tol=1e-6, abs_tol=1e-6):
                    return False
            elif value != wanted:
                return False
        return True

    def _save(self, values: dict) -> None:
        records.append(self.p.notebook, {"type": "prediction", "widget": self.p.key, "question": self.question,
                                         **values, "unit": self.p.unit})

    def _restore(self) -> None:
        try:
            saved, _note = records.read(self.p.notebook)
        except CourseError:
            return
        mine = [r for r in saved if r.get("type") == "prediction" and r.get("widget") == self.p.key]
        if not mine:
            return
        last = mine[-1]
        if last.get("skipped"):
            self.state = "skipped"
        elif isinstance(last.get("guess"), (int, float)) and isinstance(last.get("result"), (int, float)):
            self.state, self.guess, self.result = "revealed", float(last["guess"]), float(last["result"])
            self.entry.value = format_number(self.guess)

    def _show(self) -> None:
        asking = self.state == "asking"
        for name, control in self.widget.controls.items():
            control.disabled = asking or self._was_disabled[name]
        self.entry.disabled = not asking
        self.row.layout.display = None if self.state in ("asking", "guessed") else "none"
        self.lock_button.layout.display = self.skip_button.layout.display = None if asking else "none"
        self.reveal_button.layout.display = None if self.state == "guessed" else "none"
        question = html.escape(self.question)
        if asking:
            self.prompt.value = (f"<b style='color:#0072B2'>先猜一猜：</b>{question}<br><span style='color:#444'>先写下你的猜测并锁定，"
                                 "下面的控件才能拖动。猜错没关系：先猜再看，印象最深。</span>")
        elif self.state == "guessed":
            steps = self.p.steps(self.widget)
            how = f"{html.escape(steps)}，" if steps else "把控件调到题目的设置，"
            self.prompt.value = (f"<b style='color:#0072B2'>先猜一猜：</b><b>{question}</b><br>你的猜测：<b>{self._fmt(self.guess)}</b>。"
                                 f"现在动手：{how}或者点“揭晓”。")
        elif self.state == "skipped":
            self.prompt.value = f"<span style='color:#444'>这道预测题跳过了：{question}</span>"
        else:
            self.prompt.value = f"<b style='color:#0072B2'>先猜一猜：</b><b>{question}</b><br>{self._verdict()}"
        if self.state != "asking":
            self.message.value = ""

    def _verdict(self) -> str:
        guess, result = self.guess, self.result
        gap = guess - result
        scale = max(abs(result), 1.0)
        if abs(gap) <= 0.05 * scale:
            note = "猜得很准。"
        else:
            note = f"比结果{'高' if gap > 0 else '低'}了 {self._gap(abs(gap))}。"
        if not note.startswith("猜得"):
            note += "想一想：差在哪一步？"
        return f"你的猜测：<b>{self._fmt(guess)}</b>　结果：<b>{self._fmt(result)}</b>　{note}"

    def _gap(self, value: float) -> str:
        """A difference: two shares differ by percentage points, not by per cent."""
        if self.p.unit == "%":
            return f"{_rounded(value)} 个百分点"
        return self._fmt(value)

    def _fmt(self, value: float) -> str:
        return f"{_rounded(value)}{self.p.unit}"

    def _safely(self, action) -> None:
        """Run a callback: a course error (a guess that is not a number, a full disk) is shown in the box;
        anything else goes the way of every widget failure (a message; a traceback in tests)."""
        def guarded():
            try:
                action()
            except CourseError as err:
                self.message.value = message_html(str(err), "warn")
        self.widget.safely(guarded)()


def _rounded(value: float) -> str:
    """One decimal for numbers of 10 or more (94.0), two below (−0.21): as precise as a guess can be."""
    return format_number(round(value, 1 if abs(value) >= 10 else 2))
