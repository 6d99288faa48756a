"""The class view (deploy/class_results and xinzhi.class_view) without a hub: store, checks, counts, API, sending.

Fast. The service runs in a thread with one stand-in (tests/hub/class_service.py: tokens looked up in a table
instead of asked of JupyterHub); tests/hub/test_class_view.py runs it under a real hub with its real scopes.
"""
from __future__ import annotations

import csv
import io
import json
import re
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from .class_service import DEPLOY, ClassService, participant, teacher
from class_results import board, intake  # noqa: E402  (put on the path by class_service)
from class_results.store import RESULTS_PER_MEMBER, Refused, Store  # noqa: E402

from xinzhi import class_view, records  # noqa: E402
from xinzhi.quiz import self_check  # noqa: E402
from xinzhi.quiz.bank import all_banks  # noqa: E402
from xinzhi.widgets import predictions  # noqa: E402

BANKS = {b.notebook: b for b in all_banks()}
PREDICTIONS = predictions()
ORIGIN = BANKS["01"].question("origin")
RIGHT = ORIGIN.right_option.id
WRONG = [o.id for o in ORIGIN.options if not o.right]


def answer(question: str, option: str | None, attempt: int = 1, **extra) -> dict:
    return {"schema": 1, "type": "answer", "participant": "p-123", "notebook": "01", "question": question,
            "option": option, "attempt": attempt, "right": True, "at": "2026-03-05T09:41:07+08:00", **extra}


@pytest.fixture
def service(tmp_path):
    running = ClassService(tmp_path / "data").start()
    yield running
    running.stop()


@pytest.fixture
def open_class(service):
    """A class opened by the teacher; (service, class id, teacher's token)."""
    token = service.token(teacher())
    status, created = service.call(token, "POST", "api/classes", {"name": "2026 年春季专题班"})
    assert status == 201, created
    return service, created["id"], token


# --- what is accepted --------------------------------------------------------------------------------------------
def test_intake_keeps_known_fields_and_never_trusts_right():
    kind, notebook, item, body, digest = intake.record(answer("origin", WRONG[0], right=True, extra="x"), BANKS,
                                                       PREDICTIONS)
    assert (kind, notebook, item) == ("answer", "01", "origin")
    assert body == {"type": "answer", "notebook": "01", "question": "origin", "option": WRONG[0], "attempt": 1,
                    "at": "2026-03-05T09:41:07+08:00"}, "no participant id, no 'right', nothing unknown"
    assert len(digest) == 64


@pytest.mark.parametrize("bad, why", [
    (answer("origin", "no_such_option"), "option"), (answer("no_such_question", RIGHT), "question"),
    ({**answer("origin", RIGHT), "notebook": "99"}, "notebook"), ({**answer("origin", RIGHT), "notebook": "../01"}, "notebook"),
    (answer("origin", RIGHT, attempt=0), "attempt"), (answer("origin", RIGHT, attempt=True), "attempt"),
    ({"type": "prediction", "notebook": "01", "widget": "plus_times", "guess": float("nan"), "result": 0}, "guess"),
    ({"type": "prediction", "notebook": "01", "widget": "<b>", "guess": 1, "result": 0}, "widget"),
    ({"type": "prediction", "notebook": "01", "widget": "my_own_chart", "guess": 1, "result": 0}, "predictions"),
    ({"type": "prediction", "notebook": "02", "widget": "plus_times", "guess": 1, "result": 0}, "predictions"),
    ({"type": "prediction", "notebook": "01", "widget": "plus_times", "guess": 1, "result": 0,
      "question": "长" * 301}, "question"),
    ({"type": "delete", "notebook": "01"}, "type"), ("a string", "object"),
])
def test_intake_refuses_what_cannot_be_read(bad, why):
    with pytest.raises(intake.Unreadable, match=why):
        intake.record(bad, BANKS, PREDICTIONS)


def test_a_bad_record_is_left_out_the_rest_kept():
    items, problems = intake.request({"records": [answer("origin", RIGHT), answer("gone", "x")]}, BANKS, PREDICTIONS)
    assert [i[2] for i in items] == ["origin"] and problems == ["record 2: question is not in the notebook's bank"]
    with pytest.raises(intake.Unreadable):
        intake.request({"records": [], "user": "someone_else"}, BANKS, PREDICTIONS)
    with pytest.raises(intake.Unreadable):
        intake.request({"records": [answer("origin", RIGHT)] * (intake.RECORDS_PER_REQUEST + 1)}, BANKS, PREDICTIONS)


# --- the store ----------------------------------------------------------------------------------------------------
def test_pseudonyms_are_per_class_random_and_leaving_deletes(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    first = store.create("甲班")
    names = [f"u{i}" for i in range(30)]
    pseudonyms = [store.join(first["id"], n) for n in names]
    assert len(set(pseudonyms)) == 30 and all(100 <= p <= 999 for p in pseudonyms)
    assert pseudonyms != sorted(pseudonyms), "not handed out in the order people joined"
    assert store.join(first["id"], "u0") == pseudonyms[0], "joining twice keeps the pseudonym"
    items, _ = intake.request({"records": [answer("origin", RIGHT)]}, BANKS, PREDICTIONS)
    assert store.add(first["id"], "u0", items) == 1
    assert store.add(first["id"], "u0", items) == 0, "the same record twice is stored once"
    with pytest.raises(Refused) as refused:
        store.add(first["id"], "not_joined", items)
    assert refused.value.status == 403
    assert store.leave(first["id"], "u0") == 1 and store.results(first["id"]) == []
    store.archive(first["id"])
    with pytest.raises(Refused):
        store.add(first["id"], "u1", items)
    with pytest.raises(Refused):
        store.join(first["id"], "u31")
    second = store.create("乙班")
    assert store.current()["id"] == second["id"]
    with pytest.raises(Refused):
        store.create("丙班")  # one open class at a time
    # nothing in the results table names a user
    columns = [row[1] for row in store.db.execute("PRAGMA table_info(results)")]
    assert "user" not in columns


def test_a_refused_batch_stores_nothing_and_a_restart_keeps_everything(tmp_path):
    path = tmp_path / "r.sqlite"
    store = Store(path)
    class_id = store.create("班")["id"]
    store.join(class_id, "u")
    tries = [answer("origin", RIGHT, attempt=a) for a in range(1, 11)]
    items, _ = intake.request({"records": tries}, BANKS, PREDICTIONS)
    assert store.add(class_id, "u", items) == 10
    too_many = [(*item[:4], f"d{n}") for n, item in enumerate(items * (RESULTS_PER_MEMBER // 10))]
    with pytest.raises(Refused):
        store.add(class_id, "u", too_many)
    assert len(store.results(class_id)) == 10
    store.db.close()  # as if the service were killed: a new process opens the same file
    again = Store(path)
    assert len(again.results(class_id)) == 10 and again.pseudonym(class_id, "u") is not None
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_retention_deletes_old_results_and_idle_classes(tmp_path):
    now = [1_000_000.0]
    store = Store(tmp_path / "r.sqlite", clock=lambda: now[0])
    old = store.create("旧班")["id"]
    store.join(old, "u")
    items, _ = intake.request({"records": [answer("origin", RIGHT)]}, BANKS, PREDICTIONS)
    store.add(old, "u", items)
    store.archive(old)
    now[0] += 10 * 86_400
    new = store.create("新班")["id"]
    store.join(new, "u")
    store.add(new, "u", items)
    now[0] += 25 * 86_400  # the old class is 35 days old, the new one 25
    assert store.expire(30 * 86_400) == (1, 1)
    assert [c["id"] for c in store.classes()] == [new] and len(store.results(new)) == 1


def test_reset_keeps_members_wipe_removes_everything(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    class_id = store.create("班")["id"]
    store.join(class_id, "u")
    items, _ = intake.request({"records": [answer("origin", RIGHT)]}, BANKS, PREDICTIONS)
    store.add(class_id, "u", items)
    assert store.reset(class_id) == 1 and store.get(class_id)["joined"] == 1
    store.wipe(class_id)
    assert store.classes() == [] and store.db.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 0


# --- the counts and the page --------------------------------------------------------------------------------------
def stored(store, class_id, user, payload):
    store.join(class_id, user)
    items, problems = intake.request(payload, BANKS, PREDICTIONS)
    assert not problems
    store.add(class_id, user, items)


def test_counts_use_each_participants_first_try_and_the_bank(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    class_id = store.create("班")["id"]
    firsts = [RIGHT, RIGHT, RIGHT, WRONG[1], WRONG[1], WRONG[0]]
    for n, option in enumerate(firsts):
        later = [answer("origin", RIGHT, attempt=2)] if option != RIGHT else []
        stored(store, class_id, f"u{n}", {"records": [*later, answer("origin", option, right=True)]})
    stored(store, class_id, "peeker", {"records": [{"type": "reveal", "notebook": "01", "question": "origin",
                                                     "by": "button"}]})
    numeric = BANKS["01"].question("zero_factor")
    stored(store, class_id, "typist", {"records": [
        answer("zero_factor", None, value=numeric.answer), answer("zero_factor", None, value=numeric.mistakes[0].value, attempt=1)]})
    data = board.summary(store.get(class_id), store.results(class_id), BANKS, {}, "01")
    origin = next(q for q in data["questions"] if q["id"] == "origin")
    counts = {o["id"]: o["count"] for o in origin["options"]}
    assert counts == {RIGHT: 3, WRONG[1]: 2, WRONG[0]: 1}
    assert (origin["answered"], origin["right_at_first_try"], origin["share_right"]) == (6, 3, 0.5)
    option = ORIGIN.option(WRONG[1])
    assert origin["common_wrong"] == {"id": option.id, "text": option.text, "count": 2, "feedback": option.feedback}
    assert origin["revealed_without_trying"] == 1
    zero = next(q for q in data["questions"] if q["id"] == "zero_factor")
    assert zero["answered"] == 1 and sum(o["count"] for o in zero["options"]) == 1
    page = board.render(data)
    assert option.text in page and option.feedback in page and "data-count='3'" in page


def test_participants_text_is_escaped_and_outliers_do_not_squash_the_histogram(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    class_id = store.create("班")["id"]
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    for n, guess in enumerate([0, 1, 2, 2, 3, 1e12]):
        stored(store, class_id, f"u{n}", {
            "records": [{"type": "prediction", "notebook": "01", "widget": "plus_times", "question": "产出是多少？",
                         "guess": guess, "result": 0.0, "unit": ""}],
            "formula": {"region": evil, "carrier_text": evil, "tech_text": "AI", "sign_text": "="}})
    stored(store, class_id, "liar", {"records": [{"type": "prediction", "notebook": "01", "widget": "plus_times",
                                                  "question": evil, "guess": 5, "result": 99.0, "unit": "%"}]})
    data = board.summary(store.get(class_id), store.results(class_id), BANKS, {}, "01")
    (prediction,) = data["predictions"]
    assert prediction["result"] == 0.0 and prediction["question"] == "产出是多少？", "one odd record relabels nothing"
    assert board.within_reach(prediction["guesses"], 0.0)[1:] == (0, 1)
    page = board.render(data) + board.render(board.summary(store.get(class_id), store.results(class_id), BANKS,
                                                           {}, "08"))
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "远大于图中范围的 1 人" in page


# --- the API ------------------------------------------------------------------------------------------------------
def test_a_participant_posts_only_their_own_results_and_reads_nothing(open_class):
    service, class_id, teacher_token = open_class
    a, b = service.token(participant("xuesheng1")), service.token(participant("xuesheng2"))
    base = f"api/classes/{class_id}/members/"
    payload = {"records": [answer("origin", RIGHT)]}
    assert service.call(a, "GET", "api/current")[1] == {"class": {"id": class_id, "name": "2026 年春季专题班"},
                                                       "pseudonym": None}
    assert service.call(a, "POST", base + "xuesheng1/results", payload)[0] == 403, "not joined yet"
    status, joined = service.call(a, "POST", base + "xuesheng1")
    assert status == 200 and 100 <= joined["pseudonym"] <= 999
    assert service.call(a, "POST", base + "xuesheng1/results", payload)[1] == {"added": 1, "left_out": []}
    refused = [
        service.call(a, "POST", base + "xuesheng2", {}),                         # join for someone else
        service.call(a, "POST", base + "xuesheng2/results", payload),            # post for someone else
        service.call(a, "POST", base + "xuesheng2%2F..%2Fxuesheng1/results", payload),
        service.call(a, "DELETE", base + "xuesheng2"),                           # withdraw someone else's
        service.call(a, "GET", f"api/classes/{class_id}/board"),                 # read the aggregate
        service.call(a, "GET", f"api/classes/{class_id}/export.csv"),
        service.call(a, "GET", "api/classes"),
        service.call(a, "GET", ""),                                              # the page
        service.call(a, "POST", "api/classes", {"name": "我的班"}),
        service.call(a, "POST", f"api/classes/{class_id}/reset", {"confirm": class_id}),
        service.call(a, "POST", f"api/classes/{class_id}/wipe", {"confirm": class_id}),
        service.call(None, "POST", base + "xuesheng1/results", payload),         # no token
        service.call("forged", "POST", base + "xuesheng1/results", payload),
        service.call(teacher_token, "POST", base + "xuesheng1/results", payload),  # not even the teacher
    ]
    assert [status for status, _ in refused] == [403] * len(refused), refused
    assert all("error" in reply for _, reply in refused if isinstance(reply, dict))
    assert service.call(b, "POST", base + "xuesheng2/results", payload)[0] == 403, "b has not joined"
    # another class: an archived one takes nothing
    assert service.call(teacher_token, "POST", f"api/classes/{class_id}/archive", {})[0] == 200
    assert service.call(teacher_token, "POST", "api/classes", {"name": "下一期"})[0] == 201
    assert service.call(a, "POST", base + "xuesheng1/results", payload)[0] == 403
    assert service.call(a, "POST", "api/classes/00000000/members/xuesheng1/results", payload)[0] == 404
    status, board_ = service.call(teacher_token, "GET", f"api/classes/{class_id}/board?notebook=01")
    assert status == 200 and board_["summary"]["joined"] == 1


def test_garbage_floods_and_oversized_bodies_are_refused(open_class):
    service, class_id, _ = open_class
    a = service.token(participant("xuesheng1"))
    base = f"api/classes/{class_id}/members/xuesheng1"
    assert service.call(a, "POST", base)[0] == 200
    assert service.call(a, "POST", base + "/results", raw=b"\xff\xfe not json")[0] == 400
    assert service.call(a, "POST", base + "/results", raw=b"[1, 2]")[0] == 400
    assert service.call(a, "POST", base + "/results", raw=b"{" + b" " * (600 * 1024) + b"}")[0] in (0, 400, 413), \
        "over the limit: refused unread"
    statuses = [service.call(a, "GET", "api/current")[0] for _ in range(130)]
    assert 429 in statuses and statuses[0] == 200


def test_reset_and_wipe_need_a_confirmation_export_is_safe_for_spreadsheets(open_class):
    service, class_id, token = open_class
    a = service.token(participant("xuesheng1"))
    base = f"api/classes/{class_id}/members/xuesheng1"
    service.call(a, "POST", base)
    service.call(a, "POST", base + "/results", {"records": [answer("origin", WRONG[0])],
                                               "formula": {"region": "=HYPERLINK(\"http://x\")", "carrier_text": "+1",
                                                           "tech_text": "@SUM(A1)", "sign_text": "-2"}})
    status, text = service.call(token, "GET", f"api/classes/{class_id}/export.csv")
    assert status == 200 and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["班级", "匿名代号", "类型"] and len(rows) == 3
    assert "xuesheng1" not in text, "the export shows pseudonyms only"
    assert ORIGIN.option(WRONG[0]).text in text and "否" in rows[1]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    for action in ("reset", "wipe"):
        assert service.call(token, "POST", f"api/classes/{class_id}/{action}", {})[0] == 400
    assert service.call(token, "POST", f"api/classes/{class_id}/reset", {"confirm": class_id})[1]["deleted"] == 2
    assert service.call(token, "POST", f"api/classes/{class_id}/wipe", {"confirm": class_id})[0] == 200
    assert service.call(token, "GET", "api/classes")[1] == {"classes": []}


# --- the participant's side ---------------------------------------------------------------------------------------
@pytest.fixture
def on_hub(open_class, monkeypatch):
    service, class_id, token = open_class
    monkeypatch.setenv(class_view.URL_ENV, service.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", service.token(participant("xuesheng3")))
    monkeypatch.setenv("JUPYTERHUB_USER", "xuesheng3")
    yield service, class_id, token
    class_view.flush(10)


def board_of(service, token, class_id, notebook="01") -> dict:
    return service.call(token, "GET", f"api/classes/{class_id}/board?notebook={notebook}")[1]["summary"]


def test_on_a_laptop_nothing_is_sent_and_no_button_shows(monkeypatch):
    for name in (class_view.URL_ENV, "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"):
        monkeypatch.delenv(name, raising=False)
    assert not class_view.available() and class_view.controls() == []

    def no_network(*args, **kwargs):
        raise AssertionError("nothing may be sent from a laptop")
    monkeypatch.setattr(class_view, "_call", no_network)
    quiz = self_check("01")
    quiz.answer("origin", RIGHT)
    assert not any("xinzhi-class-view-box" in getattr(c, "_dom_classes", ()) for c in quiz.widget.children)
    assert records.read("01")[0], "the record is saved locally as always"


def test_nothing_is_sent_before_the_click_then_everything_once(on_hub):
    service, class_id, token = on_hub
    quiz = self_check("01")
    (toggle,) = class_view.controls()
    assert quiz.widget.children[0] is toggle, "the button and its line open the self-check"
    assert "加入课堂看板" == toggle.children[0].description and "只有老师" in toggle.children[1].value
    quiz.answer("origin", WRONG[0])
    time.sleep(0.5)
    assert board_of(service, token, class_id)["joined"] == 0, "nothing before the click"
    toggle.children[0].click()
    assert "你的匿名代号" in toggle.children[1].value and toggle.children[0].description == "退出并撤回"
    quiz.answer("origin", RIGHT)
    for question in BANKS["01"].questions[1:]:  # quickly, while the first ones are being sent
        quiz.answer(question.id, question.right_option.id if question.is_choice else str(question.answer))
    assert class_view.flush(10)
    questions = board_of(service, token, class_id)["questions"]
    assert (questions[0]["answered"], questions[0]["right_at_first_try"]) == (1, 0)
    assert [q["right_at_first_try"] for q in questions[1:]] == [1] * (len(questions) - 1), "every answer arrived"
    sent = service.results(class_id)
    assert len(sent) == len(questions) + 1, "the answer before joining, then one per question: each once"
    assert all("participant" not in r.body for r in sent)
    toggle.children[0].click()  # leave
    assert f"撤回了你的 {len(sent)} 条结果" in toggle.children[1].value and service.results(class_id) == []


def test_a_formula_is_sent_once_typing_stops(on_hub):
    from xinzhi.widgets.capstone import MyFormula

    service, class_id, token = on_hub
    class_view.join()
    widget = MyFormula()
    for text in ("轴", "轴承", "轴承产业"):
        widget.controls["carrier_text"].value = text
    widget.controls["tech_text"].value = "数控机床联网"
    assert class_view.flush(10)
    capstone = board_of(service, token, class_id, "08")["capstone"]
    assert capstone["count"] == 1 and capstone["formulas"][0]["carrier_text"] == "轴承产业"
    assert len(service.results(class_id)) == 1, "the newest formula replaces the earlier ones"


def test_records_wait_while_the_service_is_down_and_follow_when_it_is_back(on_hub, tmp_path):
    service, class_id, token = on_hub
    class_view.join()
    service.stop()
    quiz = self_check("01")
    quiz.answer("origin", RIGHT)
    assert not class_view.flush(1.5)
    assert "连不上" in class_view.SENDER.problem
    again = ClassService(service.folder)  # the same data folder and port: a restarted service
    again.port, again.url, again.auth = service.port, service.url, service.auth
    again.start()
    try:
        assert class_view.flush(40)
        assert len(again.results(class_id)) == 1
    finally:
        again.stop()


def test_an_unforeseen_error_tells_nothing_about_the_server(open_class):
    service, class_id, teacher_token = open_class

    def broken():
        raise sqlite3.OperationalError("unable to open database file /var/lib/xinzhi/class-results/results.sqlite")
    service.store.classes = broken
    for path in ("api/classes", f"api/classes/{class_id}/board"):
        status, reply = service.call(teacher_token, "GET", path)
        assert status == 500 and "/var/lib" not in json.dumps(reply) and "sqlite" not in json.dumps(reply), reply
        assert "出了错" in reply["error"]
    status, page = service.call(teacher_token, "GET", "")
    assert status == 500 and "/var/lib" not in page and "Traceback" not in page and "出了错" in page


def test_the_instructor_guide_names_each_board_question_by_its_number_and_its_answers():
    """docs/instructor_guide.md says, per notebook, what to look for on the board: 第 N 题选“…” / 填 x. The board
    numbers questions as the bank does; when a bank is reordered or an option rewritten, this names the line."""
    from pathlib import Path
    guide = (Path(__file__).resolve().parents[2] / "docs" / "instructor_guide.md").read_text(encoding="utf-8")

    def within(words: str, text: str) -> bool:  # the guide may shorten an option: its characters, in order
        found = iter(text)
        return all(ch in found for ch in words.replace(" ", ""))
    lines = [line for line in guide.splitlines() if line.startswith("- **课堂看板**")]
    checked, wrong = 0, []
    for line in lines:
        notebook = re.findall(r"打开(?:看板的)? ?(\d\d)", line)[-1]
        for mention in re.finditer(r"第 ?(\d+) ?题(.*?)(?=第 ?\d+ ?题|$)", line):
            number, clause = int(mention.group(1)), mention.group(2)
            question = next((q for q in BANKS[notebook].questions if q.number == number), None)
            if question is None:
                wrong.append(f"{notebook} 第 {number} 题: no such question")
                continue
            if question.is_choice:
                picked = [t for group in re.findall(r"选((?:“[^”]+”(?:或|、)?)+)", clause)
                          for t in re.findall(r"“([^”]+)”", group)]
                wrong += [f"{notebook} 第 {number} 题 ({question.id}): “{t}”" for t in picked
                          if not any(within(t, o.text) for o in question.options)]
            else:
                values = [question.answer, *(m.value for m in question.mistakes)]
                typed = re.findall(r"填 ?(\d+(?:\.\d+)?)", clause)
                wrong += [f"{notebook} 第 {number} 题 ({question.id}): 填 {x}" for x in typed
                          if not any(abs(float(x) - v) < 1e-9 for v in values)]
                picked = typed
            checked += len(picked)
    assert len(lines) >= 9 and checked >= 20, (len(lines), checked)
    assert not wrong, wrong


def test_the_page_runs_only_its_own_script(open_class):
    """Content-Security-Policy with a fresh nonce per page: a script that slipped into the board would not run."""
    service, class_id, teacher_token = open_class
    pages = []
    for _ in range(2):
        request = urllib.request.Request(service.url, headers={"Authorization": f"token {teacher_token}"})
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30) as reply:
            pages.append((reply.headers["Content-Security-Policy"], reply.read().decode("utf-8")))
    nonces = []
    for csp, page in pages:
        rules = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";"))
        nonce = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{16,})'", rules["script-src"]).group(1)
        assert "unsafe" not in rules["script-src"] and rules["object-src"] == "'none'"
        scripts = re.findall(r"<script([^>]*)>", page)
        assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts), scripts
        assert not re.search(r"\son[a-z]+=", page), "no inline event handlers (the policy would block them)"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    status, _ = service.call(teacher_token, "GET", "api/classes")
    assert status == 200


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="the service gives its folder to its account only when the hub starts it as root (CI does)")
def test_the_service_never_gives_its_account_a_file_linked_from_elsewhere(tmp_path):
    """Started as root, the service hands its data folder to its own account; a second name for a file of root's,
    planted in that folder, would hand that file over too: the service refuses to start instead."""
    folder, secret = tmp_path / "class-results", tmp_path / "hub-secret"
    folder.mkdir(mode=0o700)
    secret.write_text("the hub's own", encoding="utf-8")
    os.link(secret, folder / "results.sqlite")
    script = ("import sys; from pathlib import Path; from class_results.__main__ import drop_privileges; "
              f"drop_privileges(Path({str(folder)!r}), 'nobody')")
    run = subprocess.run([sys.executable, "-c", script], cwd=DEPLOY, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "链接着别处的文件" in run.stderr, run.stderr[-1000:]
    assert secret.stat().st_uid == 0 and folder.stat().st_uid == 0
