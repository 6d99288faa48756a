"""Self-checks (自测) that teach: the questions come from a bank file, each wrong option has its own feedback.

    from xinzhi.quiz import self_check
    self_check("01")          # the questions of quizzes/01_concept.yaml

How a question behaves:

* options are shuffled per participant (a stable order: the same after a restart), so the answer's
  position says nothing;
* a first wrong try shows that option's own feedback and a hint — not the answer;
* a second wrong try, or the “看答案” button, shows the answer and its explanation; a right try shows
  the explanation;
* every try is saved as a record in the participant's workspace (:mod:`xinzhi.records`), and a restart
  restores the state of every question from those records.

The banks are read and checked by :mod:`xinzhi.quiz.bank`.
"""
from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

import ipywidgets as w

from .. import class_view, records
from ..errors import CourseError
from ..formats import format_number, message_html
from ..inputs import parse_number
from ..marks import mark
from ..widgets.shared import html_line, layout, style
from .bank import Bank, BankError, Question, load

__all__ = ["self_check", "Quiz", "BankError"]

RIGHT, WRONG, NOTE = "#006b4f", "#B24400", "#0072B2"
# Long options wrap on a phone instead of running into each other (ipywidgets gives each a fixed height).
STYLE = ("<style>.xinzhi-choice label{height:auto!important;line-height:1.45!important;white-space:normal;"
         "padding:3px 0;display:flex;flex-direction:row-reverse;justify-content:flex-end;align-items:flex-start;"
         "gap:0.2em}.xinzhi-choice input{flex:none;float:none!important;margin-top:0.2em!important}</style>")


@dataclass
class State:
    """What happened to one question so far, rebuilt from its records."""

    attempts: list[dict] = field(default_factory=list)   # the answer records, oldest first
    revealed_by: str = ""                                  # "", "button" or "second_try"

    @property
    def solved(self) -> bool:
        return any(a["right"] for a in self.attempts)

    @property
    def right_at_first_try(self) -> bool:
        return bool(self.attempts) and self.attempts[0]["right"]

    @property
    def done(self) -> bool:
        return self.solved or bool(self.revealed_by)


def order(question: Question, participant: str, notebook: str) -> list[str]:
    """The option ids in the order this participant sees them (stable: seeded by participant and question)."""
    ids = [o.id for o in question.options]
    random.Random(f"{participant}/{notebook}/{question.id}").shuffle(ids)
    return ids


class _View:
    """One question on screen: its text, the control, the feedback line and the 看答案 button."""

    def __init__(self, quiz: "Quiz", question: Question, shown_order: list[str]):
        self.quiz, self.q, self.order = quiz, question, shown_order
        self.state = State()
        self.restoring = False
        self.feedback = html_line(layout={"min_height": "1.4em"})
        if question.is_choice:
            self.control = w.RadioButtons(options=[(question.option(i).text, i) for i in shown_order], value=None,
                                          layout=layout(width="auto", max_width="100%"), style=style(w.RadioButtons))
            self.control.add_class("xinzhi-choice")
        else:
            unit = f"（单位：{question.unit}）" if question.unit else ""
            self.control = w.Text(placeholder=f"填写数字{unit}，按回车确认", continuous_update=False,
                                  layout=layout(width="min(100%, 300px)"), style=style(w.Text))
            self.control.add_class("xinzhi-answer")
        self.control.observe(self._changed, names="value")
        self.reveal_button = w.Button(description="看答案", tooltip="直接看正确答案和解释",
                                      layout={"width": "auto"}, style=style(w.Button))
        self.reveal_button.add_class("xinzhi-reveal")
        self.reveal_button.on_click(lambda _b: self.quiz._safely(self.reveal))
        title = html_line(f"<div style='margin-top:0.8em'><b>{question.number}.</b> {html.escape(question.question)}</div>")
        self.box = w.VBox([title, self.control, w.HBox([self.reveal_button], layout=layout()), self.feedback],
                          layout=layout())
        self.box.add_class("xinzhi-question")

    # --- what a participant does ------------------------------------------------------------------
    def _changed(self, change) -> None:
        if self.restoring or change["new"] in (None, ""):
            return
        self.quiz._safely(lambda: self.answer(change["new"]))

    def answer(self, value) -> None:
        """One try: an option id (choice) or the typed text (numeric)."""
        if self.state.solved:
            return
        q = self.q
        if q.is_choice:
            option = q.option(value)
            if option is None:
                return
            record, right = {"option": option.id, "position": self.order.index(option.id) + 1}, option.right
        else:
            try:
                number = parse_number(value, name="答案", percent=q.unit == "%")
            except CourseError as err:
                self.feedback.value = _line(NOTE, "warn", html.escape(str(err)))
                return
            mistake = q.mistake_for(number)
            record = {"option": None, "value": number, "mistake": mistake.id if mistake else None}
            right = q.is_right(number)
        attempt = len(self.state.attempts) + 1
        record = {"type": "answer", "question": q.id, **record, "attempt": attempt, "right": right,
                  "right_at_first_try": attempt == 1 and right}
        self.state.attempts.append(record)
        self.quiz._save(record)
        if not record["right"] and attempt >= 2 and not self.state.revealed_by:
            self.state.revealed_by = "second_try"
            self.quiz._save({"type": "reveal", "question": q.id, "by": "second_try"})
        self.show()

    def reveal(self) -> None:
        if self.state.done:
            return
        self.state.revealed_by = "button"
        self.quiz._save({"type": "reveal", "question": self.q.id, "by": "button"})
        self.show()

    # --- what the participant sees ------------------------------------------------------------------
    def show(self) -> None:
        q, state = self.q, self.state
        self.reveal_button.layout.display = "none" if state.done else None
        last = state.attempts[-1] if state.attempts else None
        parts = []
        if last is not None and last["right"]:
            lead = "答对了。" if len(state.attempts) == 1 else "这次答对了。"
            self.feedback.value = _line(RIGHT, "ok", f"<b>{lead}</b>{html.escape(q.explanation)}")
            self._set_control_enabled(False)
            self.quiz._refresh_score()
            return
        if last is not None:
            parts.append(f"<b>还不对。</b>{html.escape(self._wrong_feedback(last))}")
        if state.revealed_by:
            parts.append(f"正确答案：<b>{html.escape(self._answer_text())}</b>。{html.escape(q.explanation)}")
            self._set_control_enabled(False)
        elif last is not None:
            parts.append(f"<b>提示：</b>{html.escape(q.hint)}" + ("再选一次试试。" if q.is_choice else "改一改再按回车。"))
        kind, colour = ("fail", WRONG) if last is not None else ("info", NOTE)
        self.feedback.value = _line(colour, kind, "<br>".join(parts)) if parts else ""
        self.quiz._refresh_score()

    def _wrong_feedback(self, record: dict) -> str:
        q = self.q
        if q.is_choice:
            return q.option(record["option"]).feedback
        mistake = next((m for m in q.mistakes if m.id == record.get("mistake")), None)
        if mistake:
            return mistake.feedback
        return f"你填的是 {format_number(record['value'])}{q.unit}。"

    def _answer_text(self) -> str:
        q = self.q
        if q.is_choice:
            return q.right_option.text
        return f"{format_number(q.answer)}{q.unit}"

    def _set_control_enabled(self, enabled: bool) -> None:
        self.control.disabled = not enabled

    # --- after a restart ----------------------------------------------------------------------------
    def restore(self, saved: list[dict]) -> None:
        """Replay this question's saved records (answers and reveals), without saving them again."""
        for record in saved:
            if record.get("type") == "reveal" and not self.state.done:
                self.state.revealed_by = record.get("by") or "button"
            elif record.get("type") == "answer" and not self.state.solved:
                if self.q.is_choice and self.q.option(record.get("option")) is None:
                    continue                                    # an option the teacher has since removed
                if not self.q.is_choice and not isinstance(record.get("value"), (int, float)):
                    continue
                self.state.attempts.append(record)
        if self.state.attempts:
            last = self.state.attempts[-1]
            self.restoring = True
            try:
                self.control.value = last["option"] if self.q.is_choice else format_number(last["value"])
            finally:
                self.restoring = False
        self.show()


class Quiz:
    """The self-check of one notebook: its bank's questions, each checked as soon as it is answered."""

    def __init__(self, bank: Bank):
        self.bank = bank
        self.status = html_line()
        self.score_line = html_line()
        self.participant = ""
        try:
            self.participant = records.participant_id()
            saved, note = records.read(bank.notebook)
        except CourseError as err:
            saved, note = [], str(err)
        self.views = [_View(self, q, order(q, self.participant, bank.notebook)) for q in bank.questions]
        for view in self.views:
            view.restore([r for r in saved if r.get("question") == view.q.id])
        if note:
            self._status(note)
        header = html_line(STYLE + "<div style='color:#444'>选一个答案（填数题按回车）就会看到反馈。答错一次给提示；"
                           "再错一次，或点“看答案”，会显示正确答案和解释。你的作答自动保存。</div>")
        self.widget = w.VBox([*class_view.controls(), header, *[v.box for v in self.views], self.score_line,
                              self.status],
                             layout={"max_width": "900px"})
        self.widget.add_class("xinzhi-quiz")
        self._refresh_score()

    # --- for tests and for the class view ---------------------------------------------------------
    def view(self, question: int | str) -> _View:
        """A question's view by its index (0-based) or its id."""
        if isinstance(question, int):
            return self.views[question]
        return next(v for v in self.views if v.q.id == question)

    def answer(self, question: int | str, value) -> str:
        """Answer as a participant would (option id, or the typed text); returns the feedback shown."""
        view = self.view(question)
        view.control.value = value
        return view.feedback.value

    def reveal(self, question: int | str) -> str:
        view = self.view(question)
        view.reveal_button.click()
        return view.feedback.value

    @property
    def score(self) -> int:
        return sum(1 for v in self.views if v.state.solved)

    @property
    def first_try(self) -> int:
        return sum(1 for v in self.views if v.state.right_at_first_try)

    # --- machinery ----------------------------------------------------------------------------------
    def _save(self, record: dict) -> None:
        try:
            records.append(self.bank.notebook, record)
        except CourseError as err:
            self._status(str(err))

    def _safely(self, action) -> None:
        try:
            action()
        except CourseError as err:
            self._status(str(err))

    def _status(self, text: str) -> None:
        self.status.value = message_html(text, "warn")

    def _refresh_score(self) -> None:
        if not hasattr(self, "views"):
            return
        answered = sum(1 for v in self.views if v.state.attempts or v.state.revealed_by)
        self.score_line.value = (f"<b>已作答 {answered} / {len(self.views)} 题，答对 {self.score} 题"
                                 f"（其中一次答对 {self.first_try} 题）。</b>")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _line(colour: str, kind: str, body: str) -> str:
    """A line of feedback after a drawn mark (:mod:`xinzhi.marks`: no emoji font needed)."""
    return (f"<div role='status' aria-live='polite' style='color:{colour};margin:0.2em 0 0.4em 0'>"
            f"{mark(kind)} {body}</div>")


def self_check(notebook: str) -> Quiz:
    """The self-check of notebook ``notebook`` ("01" … "08"), from ``quizzes/NN_*.yaml``."""
    return Quiz(load(str(notebook)))
