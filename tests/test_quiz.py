from __future__ import annotations

from xinzhi import workspace
from xinzhi.quiz import Choice, Numeric, self_check

QUESTIONS = [
    Choice("哪个是乘号？", ["产业", "深度融合"], answer=1, explanation="深度融合把两者连起来。"),
    Numeric("2 的 10 次方？", answer=1024, tolerance=0.5, unit="", explanation="2×2×…"),
]


def test_feedback_is_immediate_and_scored():
    quiz = self_check(QUESTIONS, key="quiz_test")
    assert quiz.score == 0
    assert "xinzhi-mark-fail" in quiz.answer(0, 0)
    assert "xinzhi-mark-ok" in quiz.answer(0, 1)
    assert "xinzhi-mark-ok" in quiz.answer(1, "1,024")
    assert quiz.score == 2
    assert "答对 2 题" in quiz.score_line.value


def test_bad_numeric_answer_explains_in_chinese():
    quiz = self_check(QUESTIONS)
    assert "不是数字" in quiz.answer(1, "很多")
    assert quiz.score == 0


def test_answers_are_saved_and_restored():
    first = self_check(QUESTIONS, key="quiz_keep")
    first.answer(0, 1)
    first.answer(1, "1024")
    second = self_check(QUESTIONS, key="quiz_keep")
    assert second.score == 2


def test_damaged_saved_answers_are_reported(private_workspace):
    private_workspace.mkdir(parents=True, exist_ok=True)
    (private_workspace / "quiz_bad.json").write_text("{", encoding="utf-8")
    quiz = self_check(QUESTIONS, key="quiz_bad")
    assert "损坏" in quiz.status.value
    assert workspace.load("quiz_bad").value is None
