"""Self-checks that teach, driven like a participant: every question of every bank in quizzes/.

For each choice question: the right option is accepted at the first try; each wrong option shows its own
feedback and the hint, never the answer; a second wrong try (or 看答案) shows the answer and the
explanation. Numeric questions the same with typed numbers. Attempts are saved as records and come back
after a kernel restart. The banks are checked on load with Chinese messages naming file and question.
"""
from __future__ import annotations

import collections
import json
import re
import textwrap

import pytest

from xinzhi import records, workspace
from xinzhi.inputs import format_number
from xinzhi.quiz import Quiz, bank, order, self_check
from xinzhi.quiz.bank import BankError, load_path

from .conftest import NOTEBOOK_DIR, NOTEBOOKS
from .kernel import kernel, run

BANKS = bank.all_banks()
CHOICES = [(b, q) for b in BANKS for q in b.questions if q.is_choice]
NUMERIC = [(b, q) for b in BANKS for q in b.questions if not q.is_choice]


def qid(item):
    b, q = item
    return f"{b.notebook}-{q.id}"


@pytest.fixture
def fresh(private_workspace, monkeypatch):
    """A function giving a new, empty participant workspace each time it is called."""
    count = iter(range(1000))

    def make():
        folder = private_workspace.parent / f"participant{next(count)}"
        monkeypatch.setenv("XINZHI_WORKSPACE", str(folder))
        return folder
    return make


def test_every_notebook_has_a_bank():
    assert [b.notebook for b in BANKS] == [p.stem[:2] for p in NOTEBOOKS]
    assert all(len(b.questions) >= 3 for b in BANKS)


# ---------------------------------------------------------------------------------------------
# Choice questions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("item", CHOICES, ids=qid)
def test_right_option_is_accepted_at_first_try(item, fresh):
    b, q = item
    fresh()
    quiz = self_check(b.notebook)
    shown = quiz.answer(q.id, q.right_option.id)
    assert "xinzhi-mark-ok" in shown and "答对了" in shown and _plain(q.explanation) in _plain(shown)
    view = quiz.view(q.id)
    assert view.state.right_at_first_try and quiz.score == 1 and quiz.first_try == 1
    assert view.control.disabled, "a solved question is closed"
    assert "答对 1 题" in quiz.score_line.value


@pytest.mark.parametrize("item", CHOICES, ids=qid)
def test_each_wrong_option_has_its_own_feedback_and_no_answer(item, fresh):
    b, q = item
    seen = set()
    for option in (o for o in q.options if not o.right):
        fresh()
        quiz = self_check(b.notebook)
        raw = quiz.answer(q.id, option.id)
        shown = _plain(raw)
        assert "xinzhi-mark-fail" in raw and _plain(option.feedback) in shown, option.id
        assert _plain(q.hint) in shown, "the first wrong try gives the hint"
        assert _plain(q.right_option.text) not in shown, f"{option.id}: the answer shows before the second try"
        assert _plain(q.explanation) not in shown
        assert quiz.view(q.id).reveal_button.layout.display != "none"
        seen.add(shown)
    assert len(seen) == len(q.options) - 1, "two wrong options give the same feedback"


@pytest.mark.parametrize("item", CHOICES, ids=qid)
def test_answer_after_a_second_wrong_try(item, fresh):
    b, q = item
    fresh()
    quiz = self_check(b.notebook)
    first, second = [o for o in q.options if not o.right][:2]
    quiz.answer(q.id, first.id)
    shown = _plain(quiz.answer(q.id, second.id))
    assert _plain(second.feedback) in shown and _plain(q.right_option.text) in shown
    assert _plain(q.explanation) in shown and _plain(q.hint) not in shown
    view = quiz.view(q.id)
    assert view.state.revealed_by == "second_try" and view.control.disabled and quiz.score == 0


@pytest.mark.parametrize("item", CHOICES, ids=qid)
def test_second_try_right_is_accepted(item, fresh):
    b, q = item
    fresh()
    quiz = self_check(b.notebook)
    quiz.answer(q.id, next(o for o in q.options if not o.right).id)
    shown = quiz.answer(q.id, q.right_option.id)
    assert "xinzhi-mark-ok" in shown and "这次答对了" in shown
    assert quiz.score == 1 and quiz.first_try == 0


def test_show_answer_button(fresh):
    fresh()
    quiz = self_check("01")
    q = quiz.views[0].q
    shown = _plain(quiz.reveal(0))
    assert _plain(q.right_option.text) in shown and _plain(q.explanation) in shown
    assert quiz.views[0].reveal_button.layout.display == "none" and quiz.views[0].control.disabled
    saved, _ = records.read("01")
    assert saved[-1]["type"] == "reveal" and saved[-1]["by"] == "button"


# ---------------------------------------------------------------------------------------------
# Numeric questions
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("item", NUMERIC, ids=qid)
def test_numeric_question(item, fresh):
    b, q = item
    fresh()
    quiz = self_check(b.notebook)
    typed = format_number(q.answer) + ("%" if q.unit == "%" else "")
    shown = quiz.answer(q.id, typed)
    assert "xinzhi-mark-ok" in shown and _plain(q.explanation) in _plain(shown), typed
    assert quiz.score == 1

    wrong_values = [m.value for m in q.mistakes] + [q.answer + 10 * q.tolerance + 7.5, -99.0]
    texts = set()
    for value in wrong_values[:2]:
        fresh()
        quiz = self_check(b.notebook)
        assert "不是数字" in quiz.answer(q.id, "很多"), "typing words explains in Chinese and is not a try"
        assert not quiz.view(q.id).state.attempts
        raw = quiz.answer(q.id, format_number(value))
        shown = _plain(raw)
        mistake = q.mistake_for(value)
        assert "xinzhi-mark-fail" in raw and _plain(q.hint) in shown
        if mistake:
            assert _plain(mistake.feedback) in shown
        assert _plain(q.explanation) not in shown, "the answer shows before the second try"
        texts.add(shown)
        shown = _plain(quiz.answer(q.id, format_number(wrong_values[2])))
        assert _plain(q.explanation) in shown and f"正确答案：{format_number(q.answer)}{q.unit}" in shown
    assert len(texts) == 2, "two different mistakes give the same feedback"


@pytest.mark.parametrize("item", [i for i in NUMERIC if i[1].unit == "%"], ids=qid)
def test_percent_answers_read_with_or_without_the_sign(item, fresh):
    b, q = item
    for typed in (format_number(q.answer), format_number(q.answer) + "%", format_number(q.answer) + "％"):
        fresh()
        assert "xinzhi-mark-ok" in self_check(b.notebook).answer(q.id, typed), typed


# ---------------------------------------------------------------------------------------------
# What the banks may say, and where the answer stands
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("b", BANKS, ids=lambda b: b.notebook)
def test_feedback_and_hints_do_not_give_the_answer_away(b):
    for q in b.questions:
        before_second_try = [q.hint] + [o.feedback for o in q.options if not o.right] + [m.feedback for m in q.mistakes]
        if q.is_choice:
            for text in before_second_try:
                assert _plain(q.right_option.text) not in _plain(text), (q.id, text)
        else:
            answer = re.escape(format_number(q.answer))
            pattern = re.compile(rf"(?<![\d.]){answer}(?![\d.])")
            if not pattern.search(q.question):
                for text in before_second_try:
                    assert not pattern.search(text), (q.id, text)
        feedback = [o.feedback for o in q.options if not o.right] + [m.feedback for m in q.mistakes]
        assert len(set(feedback)) == len(feedback)


def test_no_two_feedback_texts_in_a_bank_are_the_same():
    for b in BANKS:
        texts = [t for q in b.questions for t in [o.feedback for o in q.options if not o.right]
                 + [m.feedback for m in q.mistakes]]
        duplicates = [t for t, n in collections.Counter(texts).items() if n > 1]
        assert not duplicates, (b.notebook, duplicates)


def test_options_are_shuffled_per_participant_and_stable():
    q = next(q for _, q in CHOICES if len(q.options) >= 4)
    assert order(q, "p-1", "08") == order(q, "p-1", "08"), "the same participant sees the same order"
    orders = {tuple(order(q, f"p-{n}", "08")) for n in range(40)}
    assert len(orders) > 10, "participants see different orders"


def test_the_answer_position_cannot_be_guessed():
    """Across participants every position holds the answer about equally often; across the questions of
    one participant the answer is not always in the same place; and the bank files themselves do not put
    the answer mostly in one place."""
    for b, q in CHOICES:
        n = len(q.options)
        counts = collections.Counter(order(q, f"p-{k}", b.notebook).index(q.right_option.id) for k in range(600))
        expected = 600 / n
        assert all(abs(counts[i] - expected) < 0.35 * expected for i in range(n)), (b.notebook, q.id, counts)
    for k in range(20):
        positions = [order(q, f"p-{k}", b.notebook).index(q.right_option.id) for b, q in CHOICES]
        assert max(collections.Counter(positions).values()) < 0.6 * len(positions)
    in_file = collections.Counter(q.options.index(q.right_option) for _, q in CHOICES)
    assert max(in_file.values()) <= 0.5 * len(CHOICES), f"right options in the files stand at {dict(in_file)}"


# ---------------------------------------------------------------------------------------------
# Records: saved, restored, ready for a class view
# ---------------------------------------------------------------------------------------------

def test_records_are_flat_and_complete(fresh):
    fresh()
    quiz = self_check("02")
    choice = next(v for v in quiz.views if v.q.is_choice)
    wrong = next(o for o in choice.q.options if not o.right)
    quiz.answer(choice.q.id, wrong.id)
    quiz.answer(choice.q.id, choice.q.right_option.id)
    numeric = next(v for v in quiz.views if not v.q.is_choice)
    quiz.answer(numeric.q.id, format_number(numeric.q.mistakes[0].value))
    saved, note = records.read("02")
    assert not note and [r["type"] for r in saved] == ["answer", "answer", "answer"]
    participant = records.participant_id()
    for r in saved:
        assert {"schema", "type", "participant", "notebook", "question", "option", "attempt", "right",
                "right_at_first_try", "at"} <= set(r)
        assert r["participant"] == participant and r["notebook"] == "02"
        assert all(isinstance(v, (str, int, float, bool, type(None))) for v in r.values()), "flat records"
    first, second, typed = saved
    assert (first["option"], first["attempt"], first["right"]) == (wrong.id, 1, False)
    assert first["position"] == choice.order.index(wrong.id) + 1
    assert (second["attempt"], second["right"], second["right_at_first_try"]) == (2, True, False)
    assert typed["option"] is None and typed["mistake"] == numeric.q.mistakes[0].id
    json.dumps(saved)


def test_state_comes_back_in_a_new_quiz(fresh):
    fresh()
    quiz = self_check("01")
    q0, q1 = quiz.views[0].q, quiz.views[1].q
    quiz.answer(0, next(o for o in q0.options if not o.right).id)
    quiz.answer(1, q1.right_option.id)
    again = self_check("01")
    assert len(again.views[0].state.attempts) == 1 and not again.views[0].control.disabled
    assert _plain(q0.hint) in _plain(again.views[0].feedback.value)
    assert again.views[1].control.disabled and again.score == 1
    assert len(records.read("01")[0]) == 2, "restoring saves nothing new"
    again.answer(0, next(o for o in q0.options if not o.right and o.id != again.views[0].control.value).id)
    assert again.views[0].state.revealed_by == "second_try"


def test_attempts_survive_a_kernel_restart(tmp_path):
    """Answer one question of every bank wrong in a kernel, restart, and find each attempt again."""
    answer_wrong = textwrap.dedent("""
        import json
        from xinzhi.quiz import bank, self_check
        done = {}
        for b in bank.all_banks():
            quiz = self_check(b.notebook)
            view = quiz.views[0]
            wrong = (next(o.id for o in view.q.options if not o.right) if view.q.is_choice
                     else str(view.q.mistakes[0].value if view.q.mistakes else view.q.answer + 99))
            quiz.answer(0, wrong)
            done[b.notebook] = len(view.state.attempts)
        print(json.dumps(done))
    """)
    look = textwrap.dedent("""
        import json
        from xinzhi.quiz import bank, self_check
        found = {}
        for b in bank.all_banks():
            view = self_check(b.notebook).views[0]
            found[b.notebook] = [len(view.state.attempts), view.q.hint in view.feedback.value,
                                 view.control.value not in (None, "")]
        print(json.dumps(found))
    """)
    workspace_dir = tmp_path / "my_work"
    with kernel(NOTEBOOK_DIR, workspace_dir) as client:
        result = run(client, answer_wrong)
        assert not result.error, result.error
        done = json.loads(_stdout(result))
    assert set(done) == {b.notebook for b in BANKS} and set(done.values()) == {1}
    with kernel(NOTEBOOK_DIR, workspace_dir) as client:          # a new kernel: nothing kept in memory
        result = run(client, look)
        assert not result.error, result.error
        found = json.loads(_stdout(result))
    assert found == {b.notebook: [1, True, True] for b in BANKS}


def test_damaged_records_are_reported_and_kept(private_workspace):
    private_workspace.mkdir(parents=True, exist_ok=True)
    (private_workspace / "records_03.json").write_text("{", encoding="utf-8")
    quiz = self_check("03")
    assert "损坏" in quiz.status.value
    assert list(private_workspace.glob("records_03.damaged-*.json"))
    quiz.answer(0, "10")
    assert len(records.read("03")[0]) == 1


def test_a_failed_save_shows_a_chinese_message(monkeypatch, fresh):
    fresh()
    quiz = self_check("00")

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(workspace, "write_bytes_atomic", full_disk)
    quiz.answer(0, quiz.views[0].q.right_option.id)
    assert "保存失败" in quiz.status.value and "xinzhi-mark-ok" in quiz.views[0].feedback.value


# ---------------------------------------------------------------------------------------------
# Checking a bank on load
# ---------------------------------------------------------------------------------------------

GOOD = """
questions:
  - id: first
    question: 一加一等于几？
    options:
      - id: one
        text: 一
        feedback: 少算了一个。
      - id: two
        text: 二
        right: true
      - id: three
        text: 三
        feedback: 多算了一个。
    hint: 数一数手指。
    explanation: 一加一等于二。
  - id: second
    question: 二加二等于几？
    answer: 4
    tolerance: 0
    hint: 数一数。
    explanation: 二加二等于四。
"""


@pytest.mark.parametrize("change,expected", [
    (lambda t: t.replace("    explanation: 一加一等于二。\n", ""), "第 1 题（id: first）：缺少 explanation"),
    (lambda t: t.replace("        feedback: 少算了一个。\n", ""), "第 1 个选项：缺少 feedback"),
    (lambda t: t.replace("text: 一\n", "text: 一\n        right: true\n"), "有且只有一个选项"),
    (lambda t: t.replace("多算了一个。", "少算了一个。"), "完全相同"),
    (lambda t: t.replace("    hint: 数一数手指。", "    hnit: 数一数手指。"), "不认识的项 hnit"),
    (lambda t: t.replace("  - id: second", "  - id: first"), "编号 id: first 与前面的题重复"),
    (lambda t: t.replace("      - id: three", "      - id: no"), "yes、no"),
    (lambda t: t.replace("    answer: 4", "    answer: 四"), "第 2 题（id: second）：answer（答案）要是一个数字"),
    (lambda t: t.replace("  - id: second\n", "  - id: second\n    options: []\n"), "只能有一个"),
    (lambda t: t.replace("    question: 一加一等于几？", "    question: 一加一: 等于几？"), "格式有误（第 4 行"),
    (lambda t: t.replace("      - id: three\n        text: 三\n        feedback: 多算了一个。\n", ""), "至少要有 3 个选项"),
])
def test_bad_banks_are_named_in_chinese(tmp_path, change, expected):
    path = tmp_path / "09_test.yaml"
    path.write_text(change(GOOD), encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_path(path)
    message = str(caught.value)
    assert expected in message and "09_test.yaml" in message, message


def test_the_good_example_loads(tmp_path):
    path = tmp_path / "09_test.yaml"
    path.write_text(GOOD, encoding="utf-8")
    loaded = load_path(path)
    assert [q.id for q in loaded.questions] == ["first", "second"]
    assert Quiz(loaded).views[1].q.answer == 4


def test_a_missing_bank_is_a_chinese_message_in_the_notebook():
    with pytest.raises(BankError, match="找不到笔记本 42"):
        self_check("42")
    with pytest.raises(BankError, match="两位数字"):
        self_check("1")


# ---------------------------------------------------------------------------------------------
# The notebooks show the widget, not the answers
# ---------------------------------------------------------------------------------------------

SELF_CHECK_CELL = re.compile(r'from xinzhi\.quiz import self_check\s+self_check\("(\d\d)"\)\s*')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_self_check_cell_is_one_hidden_call(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    calls = [c for c in cells if c["cell_type"] == "code" and "self_check" in "".join(c["source"])]
    assert len(calls) == 1, f"{path.name}: one self-check cell"
    source = "".join(calls[0]["source"])
    match = SELF_CHECK_CELL.fullmatch(source)
    assert match and match.group(1) == path.stem[:2], f"{path.name}: the cell is a single call, not {source!r}"
    assert calls[0]["metadata"].get("jupyter", {}).get("source_hidden") is True, f"{path.name}: hide its source"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_code_cell_holds_an_answer_or_an_explanation(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = _plain("\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"))
    for word in (r"\banswer=", r"\bexplanation=", r"\bChoice\(", r"\bNumeric\("):
        assert not re.search(word, code), f"{path.name}: a code cell holds {word}"
    for b in BANKS:
        for q in b.questions:
            secrets_ = [q.explanation] + ([q.right_option.text] if q.is_choice else [])
            for text in secrets_:
                if len(_plain(text)) >= 8:
                    assert _plain(text) not in code, f"{path.name}: a code cell shows {text!r}"


def _plain(text: str) -> str:
    """Text as read: no tags, entities undone, no spaces."""
    import html

    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", text or "")))


def _stdout(result) -> str:
    return "".join(o["content"]["text"] for o in result.outputs if o["msg_type"] == "stream"
                   and o["content"]["name"] == "stdout")
