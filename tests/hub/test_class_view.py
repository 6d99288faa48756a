"""The class view (课堂看板) on the real classroom hub, with JupyterHub's own service, scopes and roles.

The shared hub of tests/hub/ (eight participants, each a system user with a running server and a kernel that
ran notebook 01). The teacher opens a class; each participant clicks 加入课堂看板 in their own kernel, answers
notebook 01's self-check (some right, some wrong, some at the second try) and types a capstone formula. The
teacher's board then shows exactly those counts within 5 seconds. Then the attacks: a participant's tokens
(server token, personal token, browser session) are refused when they read the aggregate, post or withdraw for
another participant, post to another class (the results file is in test_classroom_hub.py's kernel probe). The service is killed and restarted by
the hub without losing a result, an answer made while it was down arrives afterwards. Chromium opens the page
at projector size (1280×720 at 150 %) through the hub's login, checks the counts, sees a new answer within 5 s,
exports the CSV and resets with a confirmation. Measured times go to test-artifacts/class_view.json.
"""
from __future__ import annotations

import json
import os
import pwd
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .test_classroom_hub import ADMIN, ADMIN_PASSWORD, ARTIFACTS, Participant, wait_for  # noqa: F401 (skips)

import psutil  # noqa: E402
import requests  # noqa: E402

from xinzhi.formats import format_number  # noqa: E402
from xinzhi.quiz.bank import load  # noqa: E402

pytestmark = pytest.mark.slow

SERVICE = "/services/class-results/"
BANK = load("01")
LIMIT = 5.0              # seconds from the last answer to the board showing it
RESTART_LIMIT = 90       # the hub polls its services every 30 s (with jitter) and restarts one that died


def _plan() -> dict:
    """What each of the eight participants types, question by question, built from the bank (right R, wrong W0, W1):
    a wrong first try is followed by a second; some end wrong twice."""
    plan = {}
    for question_id, pattern in [
        ("origin", ["R"] * 4 + ["W0 R"] * 3 + ["W1 R"]),
        ("core_mark", ["R"] * 5 + ["W0 R"] + ["W1 W0"] * 2),
        ("multiplier", ["R"] * 6 + ["W1 R", "W0 W1"]),
        ("zero_factor", ["R", "W0 R", "W0 R", "W1 R", "R", "R", "X R", "R"]),
    ]:
        question = BANK.question(question_id)
        if question.is_choice:
            values = {"R": question.right_option.id, **{f"W{n}": o.id for n, o in
                                                        enumerate(o for o in question.options if not o.right)}}
        else:
            wrong = [m.value for m in question.mistakes]
            other = max([question.answer, *wrong]) + 7  # neither right nor a known mistake
            values = {"R": question.answer, "W0": wrong[0], "W1": wrong[1], "X": other}
            values = {k: format_number(v) for k, v in values.items()}
        plan[question_id] = [[values[t] for t in tries.split()] for tries in pattern]
    return plan


PLAN = _plan()
THREE = BANK.question("three_elements")  # answered later: once while the service is down, once in Chromium
THREE_WRONG, THREE_RIGHT = next(o.id for o in THREE.options if not o.right), THREE.right_option.id
CARRIERS = ["半导体材料产业", "半导体材料产业。", "新能源汽车", "丝绸产业", "新能源汽车", "半导体材料产业", "轴承产业",
            "<i>新能源汽车</i>"]
TECHS = ["人工智能", "人工智能", "固态电池", "AI 图案设计", "固态电池", "超高纯钽", "数控机床联网", "人工智能"]
SIGNS = ["链主带配套", "科技+金融", "链主带配套", "链主带配套", "科技+金融", "人才政策", "链主带配套", "科技+金融"]
FIGURES: dict = {}

JOIN_AND_ANSWER = """
import json, time
from xinzhi import class_view
from xinzhi.quiz import self_check
from xinzhi.widgets.capstone import MyFormula
joined = class_view.join()
quiz = self_check("01")
for question, tries in {plan!r}:
    for value in tries:
        quiz.answer(question, value)
formula = MyFormula()
for key, value in {formula!r}.items():
    formula.controls[key].value = value
print(json.dumps({{"pseudonym": joined["pseudonym"], "done": time.time()}}))
"""


def stdout(result) -> str:
    assert not result.error, result.error
    return "".join(o["content"]["text"] for o in result.outputs if o["msg_type"] == "stream")


def expected(question_id: str, extra: dict | None = None) -> dict:
    """What the board must show for one question: counted here from the plan and the bank, independently."""
    question = BANK.question(question_id)
    firsts = [tries[0] for tries in PLAN.get(question_id, [])] + list((extra or {}).values())

    def category(value: str) -> str:
        if question.is_choice:
            return value
        number = float(value)
        if question.is_right(number):
            return "right"
        mistake = question.mistake_for(number)
        return mistake.id if mistake else "other"
    counts = Counter(category(v) for v in firsts)
    right = counts["right"] if not question.is_choice else counts[question.right_option.id]
    return {"answered": len(firsts), "right": right, "counts": counts}


class Board:
    def __init__(self, hub, token: str):
        self.hub, self.token = hub, token

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.hub.url}{SERVICE}{path}", timeout=30,
                                headers={"Authorization": f"token {self.token}"}, **kwargs)

    def summary(self, class_id: str, notebook: str = "01") -> dict:
        reply = self.api("GET", f"api/classes/{class_id}/board", params={"notebook": notebook})
        reply.raise_for_status()
        return reply.json()["summary"]


def matches(summary: dict, extra: dict | None = None) -> bool:
    for question in summary["questions"]:
        if question["id"] not in PLAN and not (extra and question["id"] in extra):
            continue
        want = expected(question["id"], (extra or {}).get(question["id"]))
        counts = {o["id"]: o["count"] for o in question["options"] if o["count"]}
        if (question["answered"], question["right_at_first_try"], counts) != \
                (want["answered"], want["right"], dict(want["counts"])):
            return False
    return True


@pytest.fixture(scope="module")
def lesson(classroom):
    """The teacher's board with a class in which all eight participants answered: (hub, class, board, class id)."""
    hub, class_, runs, _ = classroom
    teacher = Participant(hub, ADMIN)
    assert teacher.login(ADMIN_PASSWORD)
    board = Board(hub, teacher.token)
    created = board.api("POST", "api/classes", json={"name": "测试班（2026 春）"})
    assert created.status_code == 201, created.text
    class_id = created.json()["id"]
    plans = []
    for n in range(len(class_)):
        plan = [(q, tries[n]) for q, tries in PLAN.items()]
        formula = {"region": f"第{n + 1}组", "carrier_text": CARRIERS[n], "tech_text": TECHS[n], "sign_text": SIGNS[n]}
        plans.append(JOIN_AND_ANSWER.format(plan=plan, formula=formula))
    with ThreadPoolExecutor(len(class_)) as pool:
        outputs = list(pool.map(lambda i: stdout(class_[i].execute(runs[i][0], [plans[i]])[0]), range(len(class_))))
    done = [json.loads(text.strip().splitlines()[-1]) for text in outputs]
    last_answer = max(d["done"] for d in done)

    def complete():
        return matches(board.summary(class_id)) and board.summary(class_id, "08")["capstone"]["count"] == 8
    wait_for(complete, 60, "the board shows every answer", every=0.1)
    FIGURES["answers_to_board_s"] = round(time.time() - last_answer, 2)
    service = next(p for p in hub.processes() if "class_results" in " ".join(p.cmdline()))
    FIGURES["service_mb"] = round(service.memory_info().rss / 2**20, 1)
    yield hub, class_, runs, board, class_id, sorted(d["pseudonym"] for d in done)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "class_view.json").write_text(json.dumps(FIGURES, indent=2, ensure_ascii=False))
    print("\n[class view] measurements: " + json.dumps(FIGURES, ensure_ascii=False), flush=True)


def test_the_board_shows_exactly_what_eight_participants_answered_within_5_seconds(lesson):
    hub, class_, _, board, class_id, pseudonyms = lesson
    assert FIGURES["answers_to_board_s"] <= LIMIT, FIGURES
    summary = board.summary(class_id)
    assert summary["joined"] == 8 and len(set(pseudonyms)) == 8
    by_id = {q["id"]: q for q in summary["questions"]}
    for question_id in PLAN:
        want, got = expected(question_id), by_id[question_id]
        assert got["answered"] == 8 and got["right_at_first_try"] == want["right"], (question_id, got)
        wrong = [(n, k) for k, n in want["counts"].items() if k not in ("right", BANK.question(question_id).right_option
                                                                         and BANK.question(question_id).right_option.id)]
        most = max(n for n, _ in wrong)
        assert got["common_wrong"]["count"] == most and want["counts"][got["common_wrong"]["id"]] == most
    option = BANK.question("origin").option(PLAN["origin"][4][0])  # the wrong first try three participants made
    assert by_id["origin"]["common_wrong"]["feedback"] == option.feedback
    assert by_id["three_elements"]["answered"] == 0
    capstone = board.summary(class_id, "08")["capstone"]
    carriers = {e["text"]: e["count"] for e in capstone["parts"]["carrier_text"]}
    assert carriers == {"半导体材料产业": 3, "新能源汽车": 2, "丝绸产业": 1, "轴承产业": 1, "<i>新能源汽车</i>": 1}
    assert {e["text"]: e["count"] for e in capstone["parts"]["tech_text"]}["人工智能"] == 3
    assert {e["text"]: e["count"] for e in capstone["parts"]["sign_text"]} == {"链主带配套": 4, "科技+金融": 3,
                                                                              "人才政策": 1}
    page = board.api("GET", f"api/classes/{class_id}/board", params={"notebook": "08"}).json()["html"]
    assert "&lt;i&gt;新能源汽车&lt;/i&gt;" in page and "<i>" not in page
    for participant in class_:
        assert participant.name not in json.dumps(board.summary(class_id, "08"), ensure_ascii=False)


ATTACKS = """
import json, os, urllib.request, urllib.error
base, token = os.environ["XINZHI_CLASS_RESULTS_URL"], os.environ["JUPYTERHUB_API_TOKEN"]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
T = {targets!r}
payload = {{"records": [{{"type": "answer", "notebook": "01", "question": "origin", "option": "politburo",
                          "attempt": 1}}]}}

def status(method, path, body=None, token=token):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={{"Authorization": "token " + token}} if token else {{}})
    try:
        return opener.open(request, timeout=30).status
    except urllib.error.HTTPError as err:
        return err.code

C, A, B = T["class"], T["me"], T["other"]
print(json.dumps({{
    "read the board": status("GET", f"api/classes/{{C}}/board"),
    "export the CSV": status("GET", f"api/classes/{{C}}/export.csv"),
    "list the classes": status("GET", "api/classes"),
    "open the page": status("GET", ""),
    "post for another participant": status("POST", f"api/classes/{{C}}/members/{{B}}/results", payload),
    "post for another, path tricks": status("POST", f"api/classes/{{C}}/members/{{B}}%2F..%2F{{A}}/results", payload),
    "join as another participant": status("POST", f"api/classes/{{C}}/members/{{B}}"),
    "withdraw another's results": status("DELETE", f"api/classes/{{C}}/members/{{B}}"),
    "post to another class": status("POST", f"api/classes/{{T['made_up']}}/members/{{A}}/results", payload),
    "reset the class": status("POST", f"api/classes/{{C}}/reset", {{"confirm": C}}),
    "wipe the class": status("POST", f"api/classes/{{C}}/wipe", {{"confirm": C}}),
    "open a class": status("POST", "api/classes", {{"name": "mine"}}),
    "post without a token": status("POST", f"api/classes/{{C}}/members/{{A}}/results", payload, token=""),
}}))
"""


def test_a_participants_tokens_are_refused_for_anything_but_their_own_results(lesson):
    hub, class_, runs, board, class_id, _ = lesson
    a, b = class_[0], class_[1]
    folder = hub.results_dir
    assert (folder / "results.sqlite").is_file() and oct(folder.stat().st_mode & 0o777) == oct(0o700)
    targets = {"class": class_id, "me": a.name, "other": b.name, "made_up": "0123abcd"}
    before = board.summary(class_id)
    seen = json.loads(stdout(a.execute(runs[0][0], [ATTACKS.format(targets=targets)])[0]).strip().splitlines()[-1])
    denied = {k: v for k, v in seen.items() if v not in (403, 404)}
    assert not denied, denied
    assert seen["post to another class"] == 404  # the file itself: test_classroom_hub.KERNEL_PROBE
    # A's personal token (made at login, with all of A's own permissions) through the proxy
    personal = Board(hub, a.token)
    for method, path, body in [("GET", f"api/classes/{class_id}/board", None), ("GET", "api/classes", None),
                               ("POST", f"api/classes/{class_id}/members/{b.name}/results", {"records": []}),
                               ("POST", f"api/classes/{class_id}/reset", {"confirm": class_id})]:
        assert personal.api(method, path, json=body).status_code == 403, (method, path)
    # A's logged-in browser session: the hub does not list the service for a participant, nor let them in
    assert SERVICE not in a.session.get(f"{hub.url}/hub/home", timeout=60).text
    reply = a.session.get(f"{hub.url}{SERVICE}", timeout=60)
    assert reply.status_code == 403 and "课堂看板 ·" not in reply.text, (reply.status_code, reply.url)
    teacher = Participant(hub, ADMIN)
    assert teacher.login(ADMIN_PASSWORD)
    assert SERVICE in teacher.session.get(f"{hub.url}/hub/home", timeout=60).text, "the teacher finds it on the hub"
    assert board.summary(class_id) == before, "nothing changed"


def test_the_service_runs_as_its_own_account_not_as_the_hubs(lesson):
    """The hub runs as root; the class view becomes its own system account before it opens a file or a port."""
    hub = lesson[0]
    account = pwd.getpwnam(hub.system_name("results"))
    service = next(p for p in hub.processes() if "class_results" in " ".join(p.cmdline()))
    assert set(service.uids()) == {account.pw_uid} and set(service.gids()) == {account.pw_gid}, service.uids()
    assert account.pw_uid != 0 and hub.process.pid and psutil.Process(hub.process.pid).uids().real == 0
    assert {g for g in os.getgrouplist(account.pw_name, account.pw_gid)} == {account.pw_gid}
    with open(f"/proc/{service.pid}/status") as status:  # no capabilities left, none to gain
        caps = dict(line.split(":", 1) for line in status if line.startswith("Cap"))
    assert all(int(caps[k], 16) == 0 for k in ("CapInh", "CapPrm", "CapEff")), caps
    folder = hub.results_dir
    for path in [folder, *folder.iterdir()]:
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (account.pw_uid, account.pw_gid), path
        assert not info.st_mode & 0o077, f"{path}: {oct(info.st_mode)}"
    listening = {c.laddr for c in service.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert listening == {("127.0.0.1", hub.results_port)}, listening


def test_a_restarted_service_keeps_every_result_and_takes_what_was_sent_meanwhile(lesson):
    hub, class_, runs, board, class_id, _ = lesson
    before = {n: board.summary(class_id, n) for n in ("01", "08")}
    service = next(p for p in hub.processes() if "class_results" in " ".join(p.cmdline()))
    began = time.monotonic()
    service.send_signal(signal.SIGKILL)
    service.wait(timeout=30)
    late = class_[2]
    stdout(late.execute(runs[2][0], ["from xinzhi.quiz import self_check\n"
                                     f"self_check('01').answer('three_elements', {THREE_WRONG!r})"])[0])
    wait_for(lambda: board.api("GET", "api/classes").status_code == 200, RESTART_LIMIT, "the restarted service")
    FIGURES["service_down_s"] = round(time.monotonic() - began, 1)
    after = board.summary(class_id, "08")
    assert after["capstone"] == before["08"]["capstone"] and after["joined"] == 8
    began = time.monotonic()
    wait_for(lambda: next(q for q in board.summary(class_id)["questions"] if q["id"] == "three_elements")["answered"]
             == 1, 30, "the answer made while the service was down")
    FIGURES["late_answer_after_restart_s"] = round(time.monotonic() - began, 1)
    assert matches(board.summary(class_id), {"three_elements": {late.name: THREE_WRONG}})


def test_the_projector_page_in_chromium(lesson):
    from playwright.sync_api import sync_playwright

    from tests.browser import helpers

    hub, class_, runs, board, class_id, _ = lesson
    executable = helpers.chromium_executable()
    if not executable:
        pytest.fail("the class view's browser check needs Chromium (XINZHI_CHROMIUM or Debian's chromium)")
    env = dict(os.environ, FONTCONFIG_FILE=str(helpers.fontconfig_file(hub.root / "fonts")))
    shots = helpers.SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=helpers.CHROMIUM_ARGS, env=env)
        try:
            page = browser.new_page(viewport={"width": 853, "height": 480}, device_scale_factor=1.5,
                                    accept_downloads=True)  # a 1280×720 projector at 150 %
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{hub.url}/hub/login?next={SERVICE}%3Fnotebook%3D01")
            page.fill("#username_input", ADMIN)
            page.fill("#password_input", ADMIN_PASSWORD)
            page.click("#login_submit")
            page.wait_for_selector("section[data-question='origin']", timeout=60_000)
            summary = board.summary(class_id)
            for question in summary["questions"]:
                card = page.locator(f"section[data-question='{question['id']}']")
                assert card.get_attribute("data-answered") == str(question["answered"])
                for option in question["options"] if question["answered"] else []:
                    row = card.locator(f"[data-option='{option['id']}']")
                    assert row.locator(".count").inner_text() == str(option["count"])
                    assert option["text"] in row.inner_text()
            origin = page.locator("section[data-question='origin']")
            assert "最常见的错误" in origin.inner_text() and "一次答对 4 人（50%）" in origin.inner_text()
            assert page.locator("#joined").inner_text() == "8"
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"the page is wider than the projector: {widths}"
            page.screenshot(path=str(shots / "class_view_01.png"))
            # a new answer appears without reloading
            began = time.time()
            stdout(class_[3].execute(runs[3][0], ["from xinzhi.quiz import self_check\n"
                                                  f"self_check('01').answer('three_elements', {THREE_RIGHT!r})"])[0])
            three = page.locator("section[data-question='three_elements']")
            deadline = time.monotonic() + 30
            while three.get_attribute("data-answered") != "2":
                assert time.monotonic() < deadline, "the page did not update"
                page.wait_for_timeout(100)
            FIGURES["page_update_s"] = round(time.time() - began, 2)
            assert FIGURES["page_update_s"] <= LIMIT
            # the capstone
            page.click("nav button[data-notebook='08']")
            page.wait_for_selector("section.capstone[data-formulas='8']")
            page.screenshot(path=str(shots / "class_view_08.png"))
            assert "<i>新能源汽车</i>" in page.locator("section.capstone").inner_text()
            # export, then reset after a confirmation (a dismissed one changes nothing)
            page.click("details summary")
            with page.expect_download() as download:
                page.click("#export")
            rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
            assert len(rows) - 1 == sum(1 for _ in board.api("GET", f"api/classes/{class_id}/export.csv")
                                        .text.splitlines()[1:])
            forged = page.evaluate("""async (path) => (await fetch(path, {method: "POST", credentials: "include",
                body: JSON.stringify({confirm: path.split("/")[5]})})).status""",
                                   f"{SERVICE}api/classes/{class_id}/reset")
            assert forged == 403, "a request without the page's XSRF token does nothing, even with the cookie"
            page.once("dialog", lambda dialog: dialog.dismiss())
            page.click("[data-action='reset']")
            page.wait_for_timeout(500)
            assert board.summary(class_id)["questions"][0]["answered"] == 8
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("[data-action='reset']")
            page.wait_for_selector("section.capstone[data-formulas='0']")
            assert board.summary(class_id)["questions"][0]["answered"] == 0 and board.summary(class_id)["joined"] == 8
            assert not errors, errors
        finally:
            browser.close()


def test_an_archived_class_takes_nothing_and_the_next_class_must_be_joined(lesson):
    hub, class_, runs, board, class_id, _ = lesson
    assert board.api("POST", f"api/classes/{class_id}/archive", json={}).status_code == 200
    created = board.api("POST", "api/classes", json={"name": "下一期"})
    assert created.status_code == 201
    new_id = created.json()["id"]
    a = class_[0]
    probe = ("import json\nfrom xinzhi import class_view\nfrom xinzhi.quiz import self_check\n"
             f"self_check('01').answer('raise_a', {format_number(BANK.question('raise_a').answer)!r})\n"
             "print(json.dumps([class_view.flush(10), class_view.SENDER.problem,"
             " class_view.SENDER.joined()]))")
    flushed, problem, joined = json.loads(stdout(a.execute(runs[0][0], [probe])[0]).strip().splitlines()[-1])
    assert flushed and "归档" in problem and joined is None, (flushed, problem, joined)
    assert board.summary(class_id)["questions"][-1]["answered"] == 0, "the archived class took nothing"
    assert board.summary(new_id)["joined"] == 0, "nobody is in the next class before clicking again"
    status = a.execute(runs[0][0], ["import os, urllib.request, urllib.error\n"
                                    f"r = urllib.request.Request(os.environ['XINZHI_CLASS_RESULTS_URL'] + "
                                    f"'api/classes/{new_id}/members/{a.name}/results', method='POST', data=b'{{\"records\": []}}', "
                                    "headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
                                    "try:\n    print(urllib.request.build_opener(urllib.request.ProxyHandler({}))"
                                    ".open(r).status)\nexcept urllib.error.HTTPError as e:\n    print(e.code)"])[0]
    assert stdout(status).strip() == "403"
    assert board.api("POST", f"api/classes/{class_id}/wipe", json={"confirm": class_id}).status_code == 200
    assert [c["id"] for c in board.api("GET", "api/classes").json()["classes"]] == [new_id]
