"""What a participant may send to the class view, checked field by field before anything is stored.

A participant's kernel sends the records it already keeps (:mod:`xinzhi.records`: answers, reveals,
predictions) and the capstone formula. Only known fields are kept, each of a known type and length; anything
else in a record is dropped, and a record that cannot be read is refused with a reason. Whether an answer is
right is never taken from the sender: the board works it out from the question bank.
"""
from __future__ import annotations

import hashlib
import json
import math
import re

ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
NOTEBOOK = re.compile(r"\d\d")
MOMENT = re.compile(r"[0-9T:+\-.Z ]{10,40}")
TEXT_LIMIT = 500        # characters of one formula box sent to the board (the projector shows far fewer)
QUESTION_LIMIT = 300
RECORDS_PER_REQUEST = 500
FORMULA_TEXTS = ("region", "carrier_text", "tech_text", "sign_text")
FORMULA_NUMBERS = ("carrier_pct", "tech_pct", "fusion_pct", "years")


class Unreadable(ValueError):
    """A record that cannot be stored; the message says which field."""


def _id(value, field: str) -> str:
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise Unreadable(f"{field} is not a short id")
    return value


def _number(value, field: str, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > 1e15:
        raise Unreadable(f"{field} is not a finite number")
    return float(value)


def _count(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Unreadable(f"{field} is not a whole number from {low} to {high}")
    return value


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise Unreadable(f"{field} is not a text of at most {limit} characters")
    return " ".join(value.split())


def digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def record(raw, banks: dict, predictions: set) -> tuple[str, str, str, dict, str]:
    """``(kind, notebook, item, body, digest)`` of one record, or :class:`Unreadable`.

    ``predictions``: the ``(notebook, key)`` of the course's predict-then-reveal widgets; a guess for any other
    key is refused, so that nobody can put a chart of their own on the projector."""
    if not isinstance(raw, dict):
        raise Unreadable("a record is an object")
    kind = raw.get("type")
    notebook = raw.get("notebook")
    if not isinstance(notebook, str) or not NOTEBOOK.fullmatch(notebook) or notebook not in banks:
        raise Unreadable("notebook is not one of the course's")
    body: dict = {"type": kind, "notebook": notebook}
    if isinstance(raw.get("at"), str) and MOMENT.fullmatch(raw["at"]):
        body["at"] = raw["at"]
    if kind in ("answer", "reveal"):
        question = banks[notebook].question(_id(raw.get("question"), "question"))
        if question is None:
            raise Unreadable("question is not in the notebook's bank")
        body["question"] = question.id
        if kind == "reveal":
            if raw.get("by") not in ("button", "second_try"):
                raise Unreadable("by is neither button nor second_try")
            body["by"] = raw["by"]
        else:
            body["attempt"] = _count(raw.get("attempt"), "attempt", 1, 100)
            if question.is_choice:
                option = question.option(_id(raw.get("option"), "option"))
                if option is None:
                    raise Unreadable("option is not one of the question's")
                body["option"] = option.id
                if raw.get("position") is not None:
                    body["position"] = _count(raw["position"], "position", 1, len(question.options))
            else:
                body["value"] = _number(raw.get("value"), "value")
        item = question.id
    elif kind == "prediction":
        item = body["widget"] = _id(raw.get("widget"), "widget")
        if (notebook, item) not in predictions:
            raise Unreadable("widget is not one of the notebook's predictions")
        body["question"] = _text(raw.get("question", ""), "question", QUESTION_LIMIT)
        body["unit"] = _text(raw.get("unit", ""), "unit", 8)
        body["skipped"] = raw.get("skipped") is True
        body["guess"] = None if body["skipped"] else _number(raw.get("guess"), "guess")
        body["result"] = None if body["skipped"] else _number(raw.get("result"), "result")
    else:
        raise Unreadable("type is not answer, reveal or prediction")
    return kind, notebook, item, body, digest(body)


def formula(raw) -> tuple[str, str, str, dict, str]:
    """The capstone formula: the region and the three parts as typed (trimmed), the percentages and years."""
    if not isinstance(raw, dict):
        raise Unreadable("a formula is an object")
    body = {key: _text(raw.get(key, ""), key, TEXT_LIMIT) for key in FORMULA_TEXTS}
    body.update({key: _number(raw.get(key), key, optional=True) for key in FORMULA_NUMBERS})
    if not any(body[key] for key in FORMULA_TEXTS[1:]):
        raise Unreadable("a formula names at least one of 被乘数, 乘数, 乘号")
    return "formula", "08", "capstone", body, digest(body)


def request(payload, banks: dict, predictions: set) -> tuple[list[tuple[str, str, str, dict, str]], list[str]]:
    """The items of one request ``{"records": [...], "formula": {...}}`` and why any were left out.

    A record that cannot be read is left out and named, the others are kept: a question the teacher has since
    removed from a bank must not hold back the rest of a participant's answers."""
    if not isinstance(payload, dict) or not payload or set(payload) - {"records", "formula"}:
        raise Unreadable("send an object with records and/or formula")
    raw_records = payload.get("records", [])
    if not isinstance(raw_records, list) or len(raw_records) > RECORDS_PER_REQUEST:
        raise Unreadable(f"records is a list of at most {RECORDS_PER_REQUEST}")
    items, problems = [], []
    for number, raw in enumerate(raw_records, start=1):
        try:
            items.append(record(raw, banks, predictions))
        except Unreadable as err:
            problems.append(f"record {number}: {err}")
    if payload.get("formula") is not None:
        try:
            items.append(formula(payload["formula"]))
        except Unreadable as err:
            problems.append(f"formula: {err}")
    return items, problems
