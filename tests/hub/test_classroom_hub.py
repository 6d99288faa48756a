"""A whole class on one JupyterHub: a real hub on 127.0.0.1, eight simulated participants, notebook 01.

The hub runs deploy/jupyterhub_config.py (class-password login, start script, limits, idle culler) with a small
overlay for this machine: the local-process spawner with a home folder per participant under a temporary root
(no system users), loopback ports, and configurable-http-proxy from npm installed into build/hub-proxy/.
Each participant logs in through the login form, starts a server, opens a kernel through the REST API and runs
every code cell of their own copy of notebook 01 over the kernel websocket. Measured times and memory go to
stdout and test-artifacts/hub_measurements.json (deploy/README.md sizes a class from them).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ..kernel import PRELUDE, Result

if os.environ.get("CI") != "true":  # locally, a missing hub package skips; in CI it must be installed
    pytest.importorskip("jupyterhub", reason="pip install -r deploy/requirements-hub.txt")
    pytest.importorskip("jupyterhub_idle_culler", reason="pip install -r deploy/requirements-hub.txt")
import psutil  # noqa: E402
import requests  # noqa: E402
import websocket  # noqa: E402  (websocket-client, a jupyter_server dependency)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROXY_PREFIX = ROOT / "build" / "hub-proxy"
PROXY_VERSION = "5.3.0"
ARTIFACTS = ROOT / "test-artifacts"
NOTEBOOK = "01_concept.ipynb"
PARTICIPANTS = [f"xuesheng{i}" for i in range(1, 9)]  # N = 8
CLASS_PASSWORD = "ketang-ceshi-2024"
ADMIN, ADMIN_PASSWORD = "laoshi", "laoshi-ceshi-mima-0123456789-abcdef"
HUB_START_LIMIT, SPAWN_LIMIT, RUN_LIMIT = 90, 240, 420  # seconds; the whole test stays within ~10 minutes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proxy_command() -> str:
    exe = PROXY_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if exe.exists():
        return str(exe)
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        if os.environ.get("CI") == "true":
            pytest.fail("the hub test needs Node.js and npm for configurable-http-proxy")
        pytest.skip("Node.js and npm are needed for configurable-http-proxy")
    subprocess.run([npm, "install", "--no-fund", "--no-audit", "--loglevel=error", "--prefix", str(PROXY_PREFIX),
                    f"configurable-http-proxy@{PROXY_VERSION}"], check=True, timeout=300)
    return str(exe)


def wait_for(check, limit: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + limit
    while True:
        try:
            value = check()
            if value:
                return value
        except (requests.ConnectionError, requests.Timeout):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {limit:.0f} s")
        time.sleep(every)


class Hub:
    """A JupyterHub process and everything it started; stopped and reaped in :meth:`stop`."""

    def __init__(self, root: Path):
        self.root = root
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.marker = uuid.uuid4().hex
        self.course = root / "course_notebooks"  # a copy, so the test can "update the course"
        shutil.copytree(ROOT / "notebooks", self.course, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
        self.homes = root / "home"
        self.homes.mkdir()
        self.process: subprocess.Popen | None = None
        self.seen: dict[int, psutil.Process] = {}

    def write_config(self, proxy: str) -> Path:
        sys.path.insert(0, str(DEPLOY))
        from classroom_auth import make_hash
        sys.path.remove(str(DEPLOY))
        (self.root / "class.hash").write_text(make_hash(CLASS_PASSWORD))
        (self.root / "admin.hash").write_text(make_hash(ADMIN_PASSWORD))
        config = self.root / "jupyterhub_test_config.py"
        config.write_text(f"""
load_subconfig({str(DEPLOY / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = {self.url + "/"!r}
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{self.hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {str(self.root / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{self.root / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(self.root / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(self.root / "hub.pid")!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.homes) + "/{username}"!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.http_timeout = c.Spawner.start_timeout = {SPAWN_LIMIT}
c.Spawner.args = {["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []!r}  # CI runs as root
c.Spawner.environment = dict(c.Spawner.environment, XINZHI_COURSE_NOTEBOOKS={str(self.course)!r},
                             XINZHI_STRICT="1", XINZHI_HUB_TEST_RUN={self.marker!r})
""")
        return config

    def start(self) -> float:
        proxy = proxy_command()
        config = self.write_config(proxy)
        env = dict(os.environ, XINZHI_HUB_TEST_RUN=self.marker, LANG="C.UTF-8",
                   XINZHI_CLASS_PASSWORD_FILE=str(self.root / "class.hash"),
                   XINZHI_ADMIN_PASSWORD_FILE=str(self.root / "admin.hash"), XINZHI_HUB_ADMINS=ADMIN)
        env.pop("XINZHI_ROSTER", None)
        env.pop("XINZHI_HUB_AUTH", None)
        self.log = open(self.root / "hub.log", "w")
        began = time.monotonic()
        self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=self.root,
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

        def up():
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.process.returncode}:\n{self.tail()}")
            return requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200
        wait_for(up, HUB_START_LIMIT, "JupyterHub behind the proxy")
        return time.monotonic() - began

    def tail(self, lines: int = 60) -> str:
        return "\n".join((self.root / "hub.log").read_text(errors="replace").splitlines()[-lines:])

    def remember_children(self) -> list[psutil.Process]:
        if self.process and self.process.poll() is None:
            try:
                for child in psutil.Process(self.process.pid).children(recursive=True):
                    self.seen.setdefault(child.pid, child)
            except psutil.NoSuchProcess:
                pass
        return list(self.seen.values())

    def stop(self) -> None:
        if not self.process:
            return
        self.remember_children()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops the servers and the proxy itself
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        leftovers = [p for p in self.seen.values() if p.is_running()]
        for proc in psutil.process_iter():  # kernels and servers carry the run's marker in their environment
            try:
                if proc.environ().get("XINZHI_HUB_TEST_RUN") == self.marker and proc.pid != os.getpid():
                    leftovers.append(proc)
            except (psutil.Error, OSError):
                continue
        for proc in leftovers:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(leftovers, timeout=10)
        self.log.close()


class Participant:
    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.session = requests.Session()
        self.token = ""

    @property
    def auth(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def login(self, password: str = CLASS_PASSWORD) -> bool:
        """The login form, as a browser submits it; then an API token for the rest of the test."""
        self.session.get(f"{self.hub.url}/hub/login", timeout=30)
        xsrf = self.session.cookies.get("_xsrf", "")
        reply = self.session.post(f"{self.hub.url}/hub/login", allow_redirects=False, timeout=60,
                                  data={"username": self.name, "password": password, "_xsrf": xsrf})
        if reply.status_code != 302:
            return False
        self.session.get(f"{self.hub.url}/hub/home", timeout=60)  # the session's own XSRF cookie
        xsrf = [c.value for c in self.session.cookies if c.name == "_xsrf"][-1]
        made = self.session.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", timeout=30,
                                 headers={"X-XSRFToken": xsrf}, json={"note": "classroom test", "expires_in": 3600})
        made.raise_for_status()
        self.token = made.json()["token"]
        return True

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return requests.request(method, f"{self.hub.url}{path}", headers=self.auth, **kwargs)

    def start_server(self) -> float:
        began = time.monotonic()
        reply = self.api("POST", f"/hub/api/users/{self.name}/server")
        assert reply.status_code in (201, 202), f"{self.name}: start → {reply.status_code} {reply.text[:300]}"

        def ready():
            servers = self.api("GET", f"/hub/api/users/{self.name}").json().get("servers", {})
            if "" not in servers and time.monotonic() - began > 5:
                raise AssertionError(f"{self.name}'s server failed to start:\n{self.hub.tail()}")
            return servers.get("", {}).get("ready")
        wait_for(ready, SPAWN_LIMIT, f"{self.name}'s server", every=0.5)
        assert self.api("GET", f"/user/{self.name}/api/status").status_code == 200
        return time.monotonic() - began

    def stop_server(self) -> None:
        reply = self.api("DELETE", f"/hub/api/users/{self.name}/server")
        assert reply.status_code in (202, 204), reply.text
        wait_for(lambda: "" not in self.api("GET", f"/hub/api/users/{self.name}").json().get("servers", {}),
                 120, f"{self.name}'s server to stop", every=0.5)

    def contents(self, path: str = "") -> requests.Response:
        return self.api("GET", f"/user/{self.name}/api/contents/{path}")

    def listing(self, path: str = "") -> set[str]:
        reply = self.contents(path)
        reply.raise_for_status()
        return {item["name"] for item in reply.json()["content"]}

    def start_kernel(self, notebook: str) -> str:
        reply = self.api("POST", f"/user/{self.name}/api/kernels", json={"name": "python3", "path": notebook})
        assert reply.status_code == 201, f"{self.name}: kernel → {reply.status_code} {reply.text[:300]}"
        return reply.json()["id"]

    def execute(self, kernel_id: str, sources: list[str], limit: float = 180) -> list[Result]:
        """Run each source in turn over the kernel's websocket channel, as JupyterLab does."""
        url = f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{kernel_id}/channels"
        ws = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=limit)
        session = uuid.uuid4().hex
        results = []
        try:
            for source in sources:
                msg_id = uuid.uuid4().hex
                ws.send(json.dumps({
                    "header": {"msg_id": msg_id, "session": session, "username": self.name, "version": "5.3",
                               "msg_type": "execute_request", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ")},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": source, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True}}))
                result, replied, idle = Result(source), None, False
                deadline = time.monotonic() + limit
                while replied is None or not idle:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{self.name}: no reply within {limit} s to {source[:80]!r}")
                    msg = json.loads(ws.recv())
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind = msg["msg_type"]
                    if kind in {"stream", "display_data", "execute_result", "error"}:
                        result.outputs.append({"msg_type": kind, "content": msg["content"]})
                    elif kind == "execute_reply":
                        replied = msg["content"]
                    elif kind == "status" and msg["content"]["execution_state"] == "idle":
                        idle = True
                if replied.get("status") != "ok" and not result.error:
                    result.outputs.append({"msg_type": "error", "content": {
                        "ename": replied.get("ename", replied.get("status")), "evalue": replied.get("evalue", "")}})
                results.append(result)
        finally:
            ws.close()
        return results


def memory_of(hub: Hub, name: str) -> dict:
    """A participant's single-user server and the kernels under it (psutil): RSS and USS in MB, CPU seconds."""
    for proc in hub.remember_children():
        try:
            if "jupyterhub.singleuser" in " ".join(proc.cmdline()) and proc.environ().get("JUPYTERHUB_USER") == name:
                group = [proc, *proc.children(recursive=True)]
                rss = [p.memory_info().rss / 2**20 for p in group]
                uss = sum(p.memory_full_info().uss for p in group) / 2**20
                cpu = sum(sum(p.cpu_times()[:2]) for p in group)
                return {"server_mb": round(rss[0], 1), "kernels_mb": [round(k, 1) for k in rss[1:]],
                        "total_mb": round(sum(rss), 1), "total_uss_mb": round(uss, 1), "cpu_s": round(cpu, 1)}
        except psutil.Error:
            continue
    raise AssertionError(f"no single-user server process found for {name}")


def code_cells(notebook: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in notebook["cells"] if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """The hub, eight logged-in participants with running servers, each having run notebook 01."""
    hub = Hub(tmp_path_factory.mktemp("hub"))
    figures: dict = {"participants": len(PARTICIPANTS), "notebook": NOTEBOOK, "cores": os.cpu_count()}
    try:
        figures["hub_start_s"] = round(hub.start(), 2)
        class_ = [Participant(hub, name) for name in PARTICIPANTS]
        # A returning participant who edited notebook 00 before: the first start must keep that edit.
        edited = hub.homes / class_[0].name / "xinzhi" / "00_guide.ipynb"
        edited.parent.mkdir(parents=True)
        edited.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
        with ThreadPoolExecutor(len(class_)) as pool:
            began = time.monotonic()
            logged_in = list(pool.map(lambda p: p.login(), class_))
            figures["login_all_s"] = round(time.monotonic() - began, 2)
            assert all(logged_in), f"logins failed: {[p.name for p, ok in zip(class_, logged_in) if not ok]}"
            began = time.monotonic()
            starts = list(pool.map(lambda p: p.start_server(), class_))
            figures["spawn_all_s"] = round(time.monotonic() - began, 2)
            figures["server_start_s"] = {p.name: round(s, 2) for p, s in zip(class_, starts)}

            def run_notebook(participant):
                notebook = participant.contents(NOTEBOOK).json()["content"]
                kernel_id = participant.start_kernel(NOTEBOOK)
                began = time.monotonic()
                results = participant.execute(kernel_id, [PRELUDE, *code_cells(notebook)])
                return kernel_id, time.monotonic() - began, results
            began = time.monotonic()
            runs = list(pool.map(run_notebook, class_))
            figures["run_all_s"] = round(time.monotonic() - began, 2)
        assert figures["run_all_s"] < RUN_LIMIT
        figures["run_notebook_s"] = {p.name: round(r[1], 2) for p, r in zip(class_, runs)}
        figures["memory"] = {p.name: memory_of(hub, p.name) for p in class_}
        for proc in hub.remember_children():
            try:
                cmd = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            if "configurable-http-proxy" in cmd:
                figures["proxy_mb"] = round(proc.memory_info().rss / 2**20, 1)
            elif "jupyterhub_idle_culler" in cmd:
                figures["culler_mb"] = round(proc.memory_info().rss / 2**20, 1)
        figures["hub_mb"] = round(psutil.Process(hub.process.pid).memory_info().rss / 2**20, 1)
        yield hub, class_, runs, figures
    finally:
        hub.stop()
        if figures.get("memory"):
            totals = sorted(m["total_mb"] for m in figures["memory"].values())
            uss = sorted(m["total_uss_mb"] for m in figures["memory"].values())
            cpu = sorted(m["cpu_s"] for m in figures["memory"].values())
            starts = sorted(figures["server_start_s"].values())
            figures["summary"] = {
                "participant_total_mb_median": totals[len(totals) // 2], "participant_total_mb_max": totals[-1],
                "participant_uss_mb_median": uss[len(uss) // 2], "participant_cpu_s_median": cpu[len(cpu) // 2],
                "server_start_s_median": starts[len(starts) // 2], "server_start_s_max": starts[-1]}
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "hub_measurements.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print("\n[hub] measurements: " + json.dumps(figures, ensure_ascii=False), flush=True)


def test_every_participant_runs_notebook_01(classroom):
    hub, class_, runs, figures = classroom
    for participant, (_, _, results) in zip(class_, runs):
        assert len(results) > 1
        for number, result in enumerate(results[1:], start=1):
            assert not result.error, f"{participant.name}, code cell {number}: {result.error}\n{result.source[:300]}"


def test_each_participant_has_an_own_copy_and_workspace(classroom):
    hub, class_, runs, _ = classroom
    course_files = {p.name for p in hub.course.iterdir() if p.is_file()}
    for participant in class_:
        listing = participant.listing()
        assert course_files <= listing and "my_work" in listing
        home = hub.homes / participant.name
        assert (home / "xinzhi" / NOTEBOOK).is_file()
        assert oct(home.stat().st_mode & 0o777) == oct(0o700), "the home folder is private"
    # the returning participant's own edit of notebook 00 was not overwritten
    assert class_[0].contents("00_guide.ipynb").json()["content"]["cells"] == []
    assert class_[1].contents("00_guide.ipynb").json()["content"]["cells"] != []


def test_files_are_separate_and_servers_private(classroom):
    hub, class_, _, _ = classroom
    a, b = class_[0], class_[1]
    wrote = a.api("PUT", f"/user/{a.name}/api/contents/only_mine.txt",
                  json={"type": "file", "format": "text", "content": "甲的笔记"})
    assert wrote.status_code in (200, 201), wrote.text
    assert "only_mine.txt" in a.listing()
    assert "only_mine.txt" not in b.listing()
    assert b.contents("only_mine.txt").status_code == 404
    # A's token must not open B's server, its files or its kernels
    for path in ["api/contents", "api/contents/only_mine.txt", "api/kernels", "lab"]:
        reply = a.api("GET", f"/user/{b.name}/{path}", allow_redirects=False)
        assert reply.status_code in (302, 403, 404), f"{path}: {reply.status_code}"
    # nor A's logged-in browser session (cookies), following every redirect
    reply = a.session.get(f"{hub.url}/user/{b.name}/api/contents", timeout=60)
    assert reply.status_code in (403, 404) or "only_mine" not in reply.text and reply.url.startswith(f"{hub.url}/hub/")
    assert reply.status_code != 200 or "/api/contents" not in reply.url
    # and no participant can reach the hub's user list
    assert a.api("GET", "/hub/api/users").status_code == 403


def test_the_class_password_is_required_and_never_gives_admin(classroom):
    hub, _, _, _ = classroom
    assert not Participant(hub, "xuesheng1").login("wrong-password")
    assert not Participant(hub, "new-person").login("")
    assert not Participant(hub, ADMIN).login(CLASS_PASSWORD), "the teacher's name needs the admin password"
    teacher = Participant(hub, ADMIN)
    assert teacher.login(ADMIN_PASSWORD)
    services = teacher.api("GET", "/hub/api/services").json()
    assert "idle-culler" in services, "idle culling runs as a hub service"
    assert any("jupyterhub_idle_culler" in " ".join(p.cmdline()) for p in hub.remember_children() if p.is_running())


def test_work_survives_a_restart_and_course_updates_add_only(classroom):
    hub, class_, runs, figures = classroom
    participant, (kernel_id, _, _) = class_[2], runs[2]
    saved = participant.execute(kernel_id, [
        "from xinzhi import workspace\nprint(workspace.save('restart_check', {'答案': 42}))"])[0]
    assert not saved.error, saved.error
    on_disk = hub.homes / participant.name / "xinzhi" / "my_work" / "restart_check.json"
    assert on_disk.is_file(), f"the workspace is inside the participant's home: {saved.outputs}"
    before = participant.contents("00_guide.ipynb").json()["content"]
    participant.stop_server()
    # The teacher updates the course: one notebook changes, one is new.
    original = json.loads((hub.course / "00_guide.ipynb").read_text(encoding="utf-8"))
    original["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "课程更新"})
    (hub.course / "00_guide.ipynb").write_text(json.dumps(original, ensure_ascii=False), encoding="utf-8")
    (hub.course / "99_extra.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    figures["restart_s"] = round(participant.start_server(), 2)
    listing = participant.listing()
    assert "99_extra.ipynb" in listing, "a new course notebook reaches the participant"
    assert participant.contents("00_guide.ipynb").json()["content"] == before, "their copy is left alone"
    assert "restart_check.json" in participant.listing("my_work")
