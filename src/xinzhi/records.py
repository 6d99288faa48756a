"""What a participant answered and guessed, kept as records that a class view can count as they are.

Every self-check answer, every shown answer and every predict-then-reveal guess is one record: a flat
dictionary that carries everything needed to read it on its own (who, which notebook, which question or
widget, which option, which attempt, right or not, when). The records of one notebook are appended to
``records_NN.json`` in the participant's workspace (NN = the notebook's number), oldest first.

    {"schema": 1, "type": "answer", "participant": "p-5f0c9a1e27b4", "notebook": "01",
     "question": "origin", "option": "heilongjiang", "position": 2, "attempt": 1, "right": true,
     "right_at_first_try": true, "at": "2026-03-05T09:41:07+08:00"}
    {"schema": 1, "type": "answer", ..., "question": "zero_factor", "option": null, "value": 6.0,
     "mistake": "sum", "attempt": 1, "right": false, "right_at_first_try": false, ...}
    {"schema": 1, "type": "reveal", ..., "question": "origin", "by": "button"}      # or "second_try"
    {"schema": 1, "type": "prediction", ..., "widget": "plus_times", "question": "……", "guess": 3.0,
     "result": 0.0, "unit": ""}

``option`` is the option's stable id from the question bank (``quizzes/NN_*.yaml``), ``position`` where
it stood on this participant's screen (1 = top; options are shuffled per participant). The records stay in
the workspace; on the classroom hub, a participant who joined the class view also sends them there
(:mod:`xinzhi.class_view`; never on a laptop, never without the participant's click).
"""
from __future__ import annotations

import secrets
from datetime import datetime

from . import workspace

SCHEMA = 1
_PARTICIPANT_FILE = "participant"


def participant_id() -> str:
    """This participant's random id, made once and kept in the workspace (new workspace, new id)."""
    saved = workspace.load(_PARTICIPANT_FILE, default={}).value
    if isinstance(saved, dict) and isinstance(saved.get("id"), str) and saved["id"]:
        return saved["id"]
    new = f"p-{secrets.token_hex(6)}"
    workspace.save(_PARTICIPANT_FILE, {"id": new})
    return new


def _name(notebook: str) -> str:
    return f"records_{notebook}"


def read(notebook: str) -> tuple[list[dict], str]:
    """The notebook's records, oldest first, and a Chinese note if the file had to be set aside."""
    loaded = workspace.load(_name(notebook), default={})
    value = loaded.value if isinstance(loaded.value, dict) else {}
    records = [r for r in value.get("records", []) if isinstance(r, dict)]
    return records, loaded.note


def append(notebook: str, record: dict) -> dict:
    """Complete ``record`` (schema, participant, notebook, time) and add it to the notebook's file.

    The file is read again before writing, so two parts of a notebook (its self-check and a widget's
    prediction) never overwrite each other's records. Raises CourseError (Chinese) if it cannot be saved.
    """
    full = {"schema": SCHEMA, "type": record.get("type", ""), "participant": participant_id(),
            "notebook": notebook, **record,
            "at": datetime.now().astimezone().isoformat(timespec="seconds")}
    records, _note = read(notebook)
    records.append(full)
    workspace.save(_name(notebook), {"schema": SCHEMA, "notebook": notebook, "records": records})
    from . import class_view  # here, not at the top: class_view reads records

    class_view.offer(full)
    return full
