"""Question banks: one YAML file per notebook in ``quizzes/``, read and checked before a question is shown.

A bank is plain text an economics teacher can edit (see ``quizzes/README.md``). Loading checks
everything a participant would trip over — a missing answer, two right options, a wrong option without
feedback, the same feedback twice, a typo in a key — and names the file and the question in a Chinese
message (:class:`BankError`), instead of showing a half-built quiz.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CourseError

# libyaml's safe loader where PyYAML was built with it (a bank in a tenth of the time), else the Python one
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BANK_DIR = Path(__file__).resolve().parents[3] / "quizzes"
ID = re.compile(r"[a-z][a-z0-9_]{0,39}")

QUESTION_KEYS = {"id", "question", "options", "answer", "tolerance", "unit", "mistakes", "hint", "explanation"}
OPTION_KEYS = {"id", "text", "right", "feedback"}
MISTAKE_KEYS = {"id", "value", "feedback"}
KEY_NAMES = {"id": "编号", "question": "题目", "options": "选项", "answer": "答案", "tolerance": "允许误差",
             "unit": "单位", "mistakes": "常见错误", "hint": "提示", "explanation": "解释", "text": "文字",
             "right": "是否正确", "feedback": "反馈", "value": "数值", "questions": "题目列表"}


class BankError(CourseError):
    """A question bank cannot be used; the message names the file and the question."""


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    right: bool
    feedback: str


@dataclass(frozen=True)
class Mistake:
    id: str
    value: float
    feedback: str


@dataclass(frozen=True)
class Question:
    id: str
    number: int                  # 1, 2, … as the participant sees it
    question: str
    hint: str
    explanation: str
    options: tuple[Option, ...] = ()
    answer: float | None = None  # numeric questions
    tolerance: float = 0.0
    unit: str = ""
    mistakes: tuple[Mistake, ...] = ()

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def right_option(self) -> Option | None:
        return next((o for o in self.options if o.right), None)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def is_right(self, value: float) -> bool:
        return abs(value - self.answer) <= self.tolerance + 1e-12

    def mistake_for(self, value: float) -> Mistake | None:
        return next((m for m in self.mistakes if abs(value - m.value) <= self.tolerance + 1e-12), None)

    def texts(self) -> list[str]:
        """Everything a participant can read in this question (for checks such as traceability)."""
        out = [self.question, self.hint, self.explanation]
        out += [t for o in self.options for t in (o.text, o.feedback) if t]
        out += [m.feedback for m in self.mistakes]
        return out


@dataclass(frozen=True)
class Bank:
    notebook: str                # "01"
    path: Path
    questions: tuple[Question, ...] = field(default_factory=tuple)

    @property
    def shown_path(self) -> str:
        return _shown(self.path)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(BANK_DIR.resolve().parent))
    except ValueError:
        return str(path)


def bank_path(notebook: str, folder: Path | None = None) -> Path:
    """The bank of notebook ``notebook`` ("01"): ``quizzes/01_*.yaml``."""
    folder = folder or BANK_DIR
    if not re.fullmatch(r"\d\d", str(notebook)):
        raise BankError(f"自测的编号要写成两位数字，例如 self_check(\"01\")；现在是 {notebook!r}。")
    found = sorted(folder.glob(f"{notebook}_*.yaml"))
    if not found:
        raise BankError(f"找不到笔记本 {notebook} 的自测题库（应为 {_shown(folder)}/{notebook}_….yaml）。"
                        "恢复方法：从课程压缩包或 git 取回这个文件。")
    if len(found) > 1:
        names = "、".join(p.name for p in found)
        raise BankError(f"笔记本 {notebook} 有不止一个自测题库（{names}），请只保留一个。")
    return found[0]


def all_banks(folder: Path | None = None) -> list[Bank]:
    """Every bank in ``quizzes/``, in notebook order."""
    folder = folder or BANK_DIR
    return [load_path(p) for p in sorted(folder.glob("[0-9][0-9]_*.yaml"))]


def load(notebook: str, folder: Path | None = None) -> Bank:
    return load_path(bank_path(notebook, folder))


def load_path(path: Path) -> Bank:
    """Read and check one bank file; raises :class:`BankError` naming the file (and question)."""
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BankError(f"题库 {shown} 不是 UTF-8 编码。请用文本编辑器另存为“UTF-8”。") from None
    except OSError as err:
        raise BankError(f"题库 {shown} 无法读取（{err.strerror or err}）。") from err
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列附近" if mark else "某处"
        raise BankError(f"题库 {shown} 的格式有误（{where}）：常见原因是缩进没有对齐，或在文字里用了英文冒号"
                        "加空格（“: ”）。请改用中文冒号“：”，或给这段文字加上引号。") from None
    notebook = path.name[:2]
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        raise BankError(f"题库 {shown} 里要有 questions: 下面至少一道题（见 quizzes/README.md 的样例）。")
    unknown = set(data) - {"questions"}
    if unknown:
        raise BankError(f"题库 {shown} 最外层有不认识的项：{_names(unknown)}。最外层只有 questions（题目列表）。")
    questions, seen_ids, seen_feedback = [], set(), {}
    for number, raw in enumerate(data["questions"], start=1):
        question = _question(raw, number, shown)
        if question.id in seen_ids:
            raise BankError(f"题库 {shown} 第 {number} 题：编号 id: {question.id} 与前面的题重复。每道题的 id 要不同。")
        seen_ids.add(question.id)
        feedbacks = [o.feedback for o in question.options if not o.right] + [m.feedback for m in question.mistakes]
        for text in feedbacks:
            if text in seen_feedback:
                raise BankError(f"题库 {shown} 第 {number} 题（id: {question.id}）：有一条反馈与第 "
                                f"{seen_feedback[text]} 题的一条完全相同。每个错误选项要有自己的反馈，"
                                "说明它为什么诱人、错在哪里。")
            seen_feedback[text] = number
        questions.append(question)
    return Bank(notebook=notebook, path=path, questions=tuple(questions))


def _names(keys) -> str:
    return "、".join(sorted(str(k) for k in keys))


def _text(value, where: str, key: str, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BankError(f"{where}：缺少 {key}（{KEY_NAMES.get(key, key)}）。")
        return ""
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise BankError(f"{where}：{key}（{KEY_NAMES.get(key, key)}）要是一段文字。")
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _number(value, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BankError(f"{where}：{key}（{KEY_NAMES.get(key, key)}）要是一个数字，例如 4.0；现在是 {value!r}。")
    return float(value)


def _id(value, where: str) -> str:
    if isinstance(value, bool):
        raise BankError(f"{where}：id 写成了 yes、no、on、off 之类的词，YAML 会把它读成“是/否”。请换一个编号。")
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise BankError(f"{where}：id 要是小写英文字母开头的短编号（字母、数字、下划线），例如 core_mark；"
                        f"现在是 {value!r}。id 一经使用就不要再改：课堂统计按它计数。")
    return value


def _question(raw, number: int, shown: str) -> Question:
    where = f"题库 {shown} 第 {number} 题"
    if not isinstance(raw, dict):
        raise BankError(f"{where}：每道题以“- id: …”开头，下面几行缩进对齐。")
    if "id" in raw:
        where += f"（id: {raw['id']}）"
    unknown = set(raw) - QUESTION_KEYS
    if unknown:
        raise BankError(f"{where}：有不认识的项 {_names(unknown)}（可能拼错了）。能用的项："
                        f"{_names(QUESTION_KEYS)}。")
    qid = _id(raw.get("id"), where)
    common = {"id": qid, "number": number, "question": _text(raw.get("question"), where, "question"),
              "hint": _text(raw.get("hint"), where, "hint"),
              "explanation": _text(raw.get("explanation"), where, "explanation")}
    has_options, has_answer = "options" in raw, "answer" in raw
    if has_options == has_answer:
        raise BankError(f"{where}：选择题写 options（选项），填数题写 answer（答案），两者只能有一个。")
    if has_options:
        extra = {"tolerance", "unit", "mistakes"} & set(raw)
        if extra:
            raise BankError(f"{where}：选择题不用 {_names(extra)}（那是填数题的项）。")
        return Question(**common, options=_options(raw["options"], where))
    answer = _number(raw.get("answer"), where, "answer")
    tolerance = _number(raw.get("tolerance", 0), where, "tolerance")
    if tolerance < 0:
        raise BankError(f"{where}：tolerance（允许误差）不能是负数。")
    unit = _text(raw.get("unit"), where, "unit", required=False)
    mistakes = []
    for k, item in enumerate(raw.get("mistakes") or [], start=1):
        spot = f"{where} 常见错误第 {k} 条"
        if not isinstance(item, dict) or set(item) - MISTAKE_KEYS:
            raise BankError(f"{spot}：要写成 id、value（数值）、feedback（反馈）三项。")
        value = _number(item.get("value"), spot, "value")
        if abs(value - answer) <= tolerance:
            raise BankError(f"{spot}：数值 {value:g} 在正确答案的允许误差之内，不能算作错误。")
        mistakes.append(Mistake(_id(item.get("id"), spot), value, _text(item.get("feedback"), spot, "feedback")))
    return Question(**common, answer=answer, tolerance=tolerance, unit=unit, mistakes=tuple(mistakes))


def _options(raw, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 3:
        raise BankError(f"{where}：选择题至少要有 3 个选项（答错一次后还要能再选一次）。")
    options, ids = [], set()
    for k, item in enumerate(raw, start=1):
        spot = f"{where} 第 {k} 个选项"
        if not isinstance(item, dict):
            raise BankError(f"{spot}：每个选项写成“- id: …”和缩进对齐的 text、feedback 等项。")
        unknown = set(item) - OPTION_KEYS
        if unknown:
            raise BankError(f"{spot}：有不认识的项 {_names(unknown)}。能用的项：{_names(OPTION_KEYS)}。")
        oid = _id(item.get("id"), spot)
        if oid in ids:
            raise BankError(f"{spot}：id: {oid} 与同一题的另一个选项重复。")
        ids.add(oid)
        right = item.get("right", False)
        if not isinstance(right, bool):
            raise BankError(f"{spot}：right 只能写 true（正确选项）；错误选项不写这一项。")
        text = _text(item.get("text"), spot, "text")
        feedback = _text(item.get("feedback"), spot, "feedback", required=not right)
        options.append(Option(oid, text, right, feedback))
    rights = [o for o in options if o.right]
    if len(rights) != 1:
        raise BankError(f"{where}：要有且只有一个选项写 right: true（现在有 {len(rights)} 个）。")
    texts = [o.text for o in options]
    if len(set(texts)) != len(texts):
        raise BankError(f"{where}：有两个选项的文字相同。")
    return tuple(options)
