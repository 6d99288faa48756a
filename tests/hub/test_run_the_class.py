"""The teacher's commands for running a class (deploy/class_run.py) on the shared hub of tests/hub/.

As a teacher would run them, with an API token of the teacher's account: start every participant's server
before class (two were stopped), list each participant's kernels, put one participant's notebook back to the
original while their edited copy is kept and ``my_work/`` stays untouched, and what happens when a kernel dies
mid-class: it is restarted, and the self-check comes back with every answer (saved in ``my_work/``).
These run after test_classroom_hub.py (file order), since they stop and restart servers.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from .test_classroom_hub import ADMIN, ADMIN_PASSWORD, DEPLOY, NOTEBOOK, ROOT, Participant, wait_for  # noqa: F401

import psutil  # noqa: E402
import websocket  # noqa: E402

from xinzhi.quiz.bank import load  # noqa: E402

pytestmark = pytest.mark.slow


def class_run(hub, token: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEPLOY / "class_run.py"), "--url", hub.url, "--roster", str(hub.roster),
                           *args], env=dict(os.environ, XINZHI_HUB_TOKEN=token), capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def teacher_token(classroom):
    teacher = Participant(classroom[0], ADMIN)
    assert teacher.login(ADMIN_PASSWORD)
    return teacher.token


def test_start_all_starts_every_stopped_server(classroom, teacher_token):
    hub, class_, _, figures = classroom
    stopped = class_[-2:]
    for participant in stopped:
        participant.stop_server()
    began = time.monotonic()
    run = class_run(hub, teacher_token, "start-all", "--parallel", "4")
    assert run.returncode == 0, run.stdout + run.stderr
    figures["start_all_2_of_8_s"] = round(time.monotonic() - began, 1)
    assert f"{len(class_) - 2} 人的服务器已经开着；现在启动 2 人的" in run.stdout, run.stdout
    for participant in stopped:
        assert f"  {participant.name}：" in run.stdout
        assert participant.api("GET", f"/user/{participant.name}/api/status").status_code == 200
    refused = class_run(hub, class_[0].token, "start-all")
    assert refused.returncode == 1 and "拒绝了这个令牌" in refused.stderr, "a participant's token starts nothing"


def test_status_lists_each_participants_kernels(classroom, teacher_token):
    hub, class_, runs, _ = classroom
    run = class_run(hub, teacher_token, "status")
    assert run.returncode == 0, run.stderr
    lines = {line.split()[0]: line for line in run.stdout.splitlines() if line.strip()}
    assert set(lines) == {p.name for p in class_}
    assert "就绪" in lines[class_[0].name] and "空闲" in lines[class_[0].name]


def test_reset_notebook_puts_the_original_back_and_leaves_my_work_alone(classroom, teacher_token):
    hub, class_, _, _ = classroom
    participant = class_[4]
    mine = participant.contents(NOTEBOOK).json()["content"]
    mine["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "我的笔记：这一段是我自己写的"})
    reply = participant.api("PUT", f"/user/{participant.name}/api/contents/{NOTEBOOK}",
                            json={"type": "notebook", "format": "json", "content": mine})
    assert reply.status_code == 200, reply.text
    participant.write("my_work/keep.txt", "我的作品")
    before = {name: participant.contents(f"my_work/{name}").json()["content"]
              for name in participant.listing("my_work")}
    run = class_run(hub, teacher_token, "reset-notebook", participant.name, NOTEBOOK[:2])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "已换回原版" in run.stdout and "my_work" in run.stdout
    original = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))
    now = participant.contents(NOTEBOOK).json()["content"]
    text = lambda cell: "".join(cell["source"])  # noqa: E731 - the file keeps lines, the server one string
    assert [text(c) for c in now["cells"]] == [text(c) for c in original["cells"]]
    kept = [n for n in participant.listing() if n.startswith(NOTEBOOK[:-6] + "-旧-")]
    assert len(kept) == 1, participant.listing()
    assert "我的笔记" in json.dumps(participant.contents(kept[0]).json()["content"], ensure_ascii=False)
    after = {name: participant.contents(f"my_work/{name}").json()["content"] for name in participant.listing("my_work")}
    assert after == before, "my_work is untouched"
    assert class_run(hub, teacher_token, "reset-notebook", participant.name, "99").returncode == 1


def test_a_kernel_that_dies_mid_class_comes_back_with_every_answer(classroom, teacher_token):
    hub, class_, runs, _ = classroom
    participant, kernel_id = class_[3], runs[3][0]
    right = load("01").question("multiplier").right_option.id
    answered = participant.execute(kernel_id, [
        f"from xinzhi.quiz import self_check\nq = self_check('01')\nq.answer('multiplier', {right!r})\n"
        "print(q.score)"])[0]
    assert not answered.error, answered.error
    score = int("".join(o["content"]["text"] for o in answered.outputs if o["msg_type"] == "stream").split()[-1])
    server = hub.server_process(participant.name)
    kernel = next(p for p in server.children() if "ipykernel" in " ".join(p.cmdline()))
    kernel.send_signal(signal.SIGKILL)  # as the memory limit would
    kernel.wait(timeout=30)

    def back():
        # as the browser does: reconnect and run something. The server's own record of the kernel's state
        # follows the new kernel only once a client connects (a restart on new sockets is not watched before).
        if not [p for p in server.children() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]:
            return False
        try:
            return not participant.execute(kernel_id, ["1 + 1"], limit=20)[0].error
        except (TimeoutError, OSError, websocket.WebSocketException):
            return False
    wait_for(back, 120, "the restarted kernel")

    def idle_on_the_status_board():
        status = class_run(hub, teacher_token, "status")
        return "空闲" in next(line for line in status.stdout.splitlines() if line.startswith(participant.name))
    wait_for(idle_on_the_status_board, 60, "the status board showing the restarted kernel idle")
    again = participant.execute(kernel_id, ["from xinzhi.quiz import self_check\nprint(self_check('01').score)"])[0]
    assert not again.error, again.error
    assert "".join(o["content"]["text"] for o in again.outputs if o["msg_type"] == "stream").split()[-1] == str(score)
