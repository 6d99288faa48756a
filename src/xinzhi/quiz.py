"""Self-checks (自测) with immediate feedback, and a final quiz with a score.

    from xinzhi.quiz import Choice, Numeric, self_check
    self_check([
        Choice("新质生产力的核心标志是？", ["投资规模", "全要素生产率大幅提升"], answer=1,
               explanation="……"),
        Numeric("……的增速约为多少？", answer=5.2, tolerance=0.2, unit="%", explanation="……"),
    ], key="quiz_01")

With ``key`` the answers are saved to the participant's workspace and restored next time.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w

from . import workspace
from .errors import CourseError
from .inputs import format_number, parse_number
from .marks import mark


@dataclass(frozen=True)
class Choice:
    question: str
    options: list[str]
    answer: int
    explanation: str

    def check(self, value) -> tuple[bool | None, str]:
        if value is None:
            return None, ""
        right = value == self.answer
        return right, self.explanation


@dataclass(frozen=True)
class Numeric:
    question: str
    answer: float
    tolerance: float
    unit: str
    explanation: str

    def check(self, value) -> tuple[bool | None, str]:
        if value is None or str(value).strip() == "":
            return None, ""
        try:
            number = parse_number(value, name="答案", percent=self.unit == "%")
        except CourseError as err:
            return None, str(err)
        right = abs(number - self.answer) <= self.tolerance
        return right, f"参考答案约为 {format_number(self.answer)}{self.unit}。{self.explanation}"


class Quiz:
    """A list of questions, each checked as soon as it is answered."""

    def __init__(self, questions, key: str | None = None, title: str = "自测"):
        if not questions:
            raise ValueError("a quiz needs questions")
        self.questions = list(questions)
        self.key = key
        self.status = w.HTML()
        self.score_line = w.HTML()
        self._inputs, self._feedback = [], []
        saved = workspace.load(key, default={}) if key else workspace.LoadResult({})
        answers = saved.value if isinstance(saved.value, dict) else {}
        rows = [w.HTML(f"<h4 style='margin:0.3em 0'>{html.escape(title)}</h4>")]
        for number, question in enumerate(self.questions, start=1):
            feedback = w.HTML()
            if isinstance(question, Choice):
                control = w.RadioButtons(options=[(text, i) for i, text in enumerate(question.options)],
                                         value=None, layout={"width": "max-content"})
                stored = answers.get(str(number))
                if isinstance(stored, int) and 0 <= stored < len(question.options):
                    control.value = stored
            else:
                control = w.Text(placeholder=f"填写数字{('（单位：' + question.unit + '）') if question.unit else ''}",
                                 continuous_update=False, layout={"width": "260px"})
                stored = answers.get(str(number))
                if isinstance(stored, str):
                    control.value = stored
            control.observe(lambda _change: self._refresh(save=True), names="value")
            self._inputs.append(control)
            self._feedback.append(feedback)
            rows += [w.HTML(f"<b>{number}.</b> {html.escape(question.question)}"), control, feedback]
        rows += [self.score_line, self.status]
        if saved.note:
            self.status.value = f"<div role='alert'>{mark('warn')} {html.escape(saved.note)}</div>"
        self.widget = w.VBox(rows, layout={"max_width": "900px"})
        self._refresh(save=False)

    @property
    def score(self) -> int:
        return sum(1 for q, c in zip(self.questions, self._inputs) if q.check(c.value)[0])

    def answer(self, index: int, value) -> str:
        """Answer question ``index`` (0-based) as a participant would; returns the feedback shown."""
        self._inputs[index].value = value
        return self._feedback[index].value

    def _refresh(self, save: bool) -> None:
        for question, control, feedback in zip(self.questions, self._inputs, self._feedback):
            right, text = question.check(control.value)
            if right is None:
                feedback.value = f"<div style='color:#D55E00'>{html.escape(text)}</div>" if text else ""
            elif right:
                feedback.value = f"<div style='color:#006b4f'>{mark('ok')} 正确。{html.escape(text)}</div>"
            else:
                feedback.value = f"<div style='color:#B24400'>{mark('fail')} 还不对，再想想。{html.escape(text)}</div>"
        answered = sum(1 for q, c in zip(self.questions, self._inputs) if q.check(c.value)[0] is not None)
        self.score_line.value = f"<b>已作答 {answered} / {len(self.questions)} 题，答对 {self.score} 题。</b>"
        if save and self.key:
            try:
                workspace.save(self.key, {str(i + 1): c.value for i, c in enumerate(self._inputs)})
            except CourseError as err:
                self.status.value = f"<div role='alert'>{mark('warn')} {html.escape(str(err))}</div>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def self_check(questions, key: str | None = None, title: str = "自测") -> Quiz:
    return Quiz(questions, key=key, title=title)
