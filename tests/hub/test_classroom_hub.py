"""A whole class on one JupyterHub: a real hub on 127.0.0.1, eight participants as separate system users, attacks.

The hub runs deploy/jupyterhub_config.py (roster and personal login codes, throttled logins, start script,
limits, idle culler) with a small overlay for this machine: loopback ports, configurable-http-proxy from npm
(installed into build/hub-proxy/), shorter throttle times, and a spawner that creates one system user per
participant at the first start, as The Littlest JupyterHub does (tests/hub/system_users.py; the test runs as root,
as CI does, and removes its users afterwards).

The teacher's side runs as a teacher would: a roster, ``deploy/roster.py slips`` for the codes and the printable
slips, ``roster.py teacher`` for the teacher's password; then one participant drops out and their line is
commented. Each participant logs in with the code read off their slip, starts a server, opens a kernel through
the REST API and runs every code cell of their own copy of notebook 01 over the kernel websocket. Then the
attacks: wrong codes until throttled and locked, a whole address paused, the commented roster line, someone
else's name without their code, odd names, a kernel reaching for another participant's files, server and
kernels, the hub's secrets. Every attack fails; every participant still gets in. Measured times and memory go to
stdout and test-artifacts/hub_measurements.json (deploy/README.md sizes a class from them).
"""
from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from .. import processes
from ..conftest import free_ports
from ..kernel import PRELUDE, Result

if os.environ.get("CI") != "true":  # locally, a missing hub package skips; in CI it must be installed
    pytest.importorskip("jupyterhub", reason="pip install -r deploy/requirements-hub.txt")
    pytest.importorskip("jupyterhub_idle_culler", reason="pip install -r deploy/requirements-hub.txt")
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("the hub test creates system users: run it as root (CI does)", allow_module_level=True)
import psutil  # noqa: E402
import requests  # noqa: E402
import websocket  # noqa: E402  (websocket-client, a jupyter_server dependency)
from requests.adapters import HTTPAdapter  # noqa: E402

from .system_users import create_user, remove_users  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROXY_PREFIX = ROOT / "build" / "hub-proxy"
PROXY_VERSION = "5.3.0"
ARTIFACTS = ROOT / "test-artifacts"
NOTEBOOK = "01_concept.ipynb"
PARTICIPANTS = [f"xuesheng{i}" for i in range(1, 9)]  # N = 8
DROPPED = "wangwu"  # on the first roster, given a code, then commented out
ADMIN, ADMIN_PASSWORD = "laoshi", "laoshi-ceshi-mima-0123456789-abcdef"
USER_PREFIX = "xzt"  # system users of this test: xzt<run>-<name>
HUB_START_LIMIT, SPAWN_LIMIT, RUN_LIMIT = 90, 240, 420  # seconds; the whole test stays within ~10 minutes
FIRST_DELAY, LOCK_AFTER, LOCK_SECONDS, ADDRESS_LIMIT = 2.0, 5, 6.0, 15  # the throttle, shortened for the test
# What the hub, the proxy or a service logs when its port was taken after the test chose it.
PORT_TAKEN = r"address already in use|EADDRINUSE|port .*not available|port .*in use"
WRONG, WAIT, LOCKED, ADDRESS_PAUSED = "用户名或登录码不对", "秒后再试", "已暂时锁定", "已暂停登录"


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


def wait_for_hub(process: subprocess.Popen, url: str, log: Path) -> float:
    return processes.wait_until_up(process, lambda: requests.get(f"{url}/hub/api/", timeout=2).status_code == 200,
                                   HUB_START_LIMIT, "JupyterHub behind the proxy", log)


def roster_command(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEPLOY / "roster.py"), *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


def hub_config(root: Path, url: str, hub_port: int, api_port: int, mark: str, extra: str = "") -> Path:
    """deploy/jupyterhub_config.py plus this machine's overlay: loopback ports, files in ``root``, the test's mark
    on every process the hub starts (tests/processes.py)."""
    config = root / "jupyterhub_test_config.py"
    config.write_text(f"""
load_subconfig({str(DEPLOY / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = {url + "/"!r}
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.pid_file = {str(root / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{root / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(root / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(root / "hub.pid")!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
{processes.config(mark)}
{extra}""")
    return config


class Hub:
    """A JupyterHub process, everything it started and the system users it made; all removed in :meth:`stop`."""

    def __init__(self, root: Path):
        self.root = root  # the hub's own files: only root can enter (pytest's temporary folder)
        self.pick_ports()
        self.prefix = f"{USER_PREFIX}{uuid.uuid4().hex[:5]}-"
        # What the participants may see lives in a folder everyone can enter, like /home on a server.
        self.shared = Path(tempfile.mkdtemp(prefix="xzhub-"))  # short: kernel socket paths stop at 107 bytes
        self.shared.chmod(0o755)
        self.course = self.shared / "course_notebooks"  # a copy, so the test can "update the course"
        shutil.copytree(ROOT / "notebooks", self.course, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
        self.homes, self.etc = self.shared / "home", self.shared / "etc"
        self.homes.mkdir(mode=0o755)
        self.etc.mkdir(mode=0o700)  # as deploy/README.md says: /etc/xinzhi is for the hub (root) only
        self.roster, self.passwords = self.etc / "roster.txt", self.etc / "passwords"
        self.results_dir = self.shared / "state" / "class-results"  # as /var/lib/xinzhi/class-results
        self.codes: dict[str, str] = {}
        self.process: subprocess.Popen | None = None
        self.mark = processes.new_mark("hub")

    def pick_ports(self) -> None:
        """The proxy's public port, the hub's, the proxy's API and the class view's service (deploy/class_results)."""
        self.port, self.hub_port, self.api_port, self.results_port = free_ports(4)
        self.url = f"http://127.0.0.1:{self.port}"

    def system_name(self, name: str) -> str:
        return self.prefix + name

    def home(self, name: str) -> Path:
        return Path(pwd.getpwnam(self.system_name(name)).pw_dir)

    def enrol(self) -> None:
        """The teacher's steps: roster, codes and slips, a drop-out commented out, the teacher's own password."""
        lines = ["# 测试班（2026 春）  学员名单", *[f"{n}   学员{n[-1]}   # 第 {n[-1]} 组" for n in PARTICIPANTS]]
        self.roster.write_text("\n".join([*lines, f"{DROPPED}  王五"]) + "\n", encoding="utf-8")
        slips = self.root / "login-slips.html"
        made = roster_command("--roster", str(self.roster), "--passwords", str(self.passwords), "slips",
                              "--out", str(slips), "--url", self.url)
        assert made.returncode == 0, made.stderr
        text = slips.read_text(encoding="utf-8")
        self.codes = dict(re.findall(r'data-username="([^"]+)".*?<dd class="code">([^<]+)</dd>', text, re.S))
        assert set(self.codes) == {*PARTICIPANTS, DROPPED}
        self.roster.write_text("\n".join([*lines, f"# {DROPPED}  王五  dropped the course on 3 May"]) + "\n",
                               encoding="utf-8")
        teacher = roster_command("--roster", str(self.roster), "--passwords", str(self.passwords), "teacher", ADMIN,
                                 stdin=ADMIN_PASSWORD + "\n")
        assert teacher.returncode == 0, teacher.stderr
        assert oct(self.passwords.stat().st_mode & 0o777) == oct(0o600)

    def write_config(self, proxy: str) -> Path:
        return hub_config(self.root, self.url, self.hub_port, self.api_port, self.mark, f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from system_users import SystemUserSpawner, open_service_paths
open_service_paths({[sys.base_prefix, sys.prefix, str(ROOT), str(self.shared)]!r})
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.spawner_class = SystemUserSpawner
c.SystemUserSpawner.system_prefix = {self.prefix!r}
c.SystemUserSpawner.home_base = {str(self.homes)!r}
c.SystemUserSpawner.owner_pid = "{os.getpid()}"
c.SystemUserSpawner.reachable_paths = {[sys.base_prefix, sys.prefix, str(ROOT), str(self.shared)]!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.http_timeout = c.Spawner.start_timeout = {SPAWN_LIMIT}
c.Spawner.environment = dict(c.Spawner.environment, XINZHI_COURSE_NOTEBOOKS={str(self.course)!r}, XINZHI_STRICT="1")
c.ClassroomAuthenticator.first_delay = {FIRST_DELAY}
c.ClassroomAuthenticator.lock_after = {LOCK_AFTER}
c.ClassroomAuthenticator.lock_seconds = {LOCK_SECONDS}
c.ClassroomAuthenticator.address_failure_limit = {ADDRESS_LIMIT}
c.JupyterHub.cleanup_servers = False  # the test stops every process itself: faster than one server at a time
""")

    def environment(self) -> dict:
        env = dict(os.environ, LANG="C.UTF-8", XINZHI_ROSTER=str(self.roster), **{processes.MARK: self.mark},
                   XINZHI_PASSWORDS=str(self.passwords), XINZHI_HUB_ADMINS=ADMIN,
                   XINZHI_CLASS_RESULTS_PORT=str(self.results_port), XINZHI_CLASS_RESULTS_DIR=str(self.results_dir),
                   XINZHI_CLASS_RESULTS_USER=self.system_name("results"))
        for name in ("XINZHI_BIND_URL", "XINZHI_USER_PYTHON"):
            env.pop(name, None)
        return env

    def start(self) -> float:
        remove_users(USER_PREFIX, only_stale=True)  # left by a run that was killed
        proxy = proxy_command()
        self.enrol()
        create_user(self.system_name("results"), str(self.homes), os.getpid())  # the class view's account
        for attempt in range(3):   # a port taken by another program between choosing and binding: choose again
            config = self.write_config(proxy)
            self.log = open(self.root / "hub.log", "w")
            self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=self.root,
                                            env=self.environment(), stdout=self.log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
            try:
                return wait_for_hub(self.process, self.url, self.root / "hub.log")
            except RuntimeError:
                if attempt == 2 or not re.search(PORT_TAKEN, self.log_text(), re.I):
                    raise
            self._stop_processes()   # what the hub had started before it exited: the proxy, a service
            self.pick_ports()
            self.enrol()   # the login slips name the new address

    def log_text(self) -> str:
        return (self.root / "hub.log").read_text(errors="replace")

    def tail(self) -> str:
        return processes.tail(self.root / "hub.log")

    def processes(self) -> list[psutil.Process]:
        """The hub and everything it started that still runs: proxy, services, servers, kernels."""
        return processes.marked(self.mark)

    def server_process(self, name: str) -> psutil.Process:
        for proc in self.processes():
            try:
                if "jupyterhub.singleuser" in " ".join(proc.cmdline()) and proc.environ().get("JUPYTERHUB_USER") == name:
                    return proc
            except psutil.Error:
                continue
        raise AssertionError(f"no single-user server process found for {name}")

    def stop(self) -> None:
        try:
            if self.process:
                self._stop_processes()
        finally:
            remove_users(self.prefix)
            shutil.rmtree(self.shared, ignore_errors=True)

    def _stop_processes(self) -> None:
        processes.stop(self.process, self.mark)   # the servers too: cleanup_servers is off
        self.log.close()


class FromAddress(HTTPAdapter):
    """Connections from a chosen loopback address: one more computer in the classroom, or an attacker's."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Participant:
    def __init__(self, hub: Hub, name: str, address: str = "127.0.0.1"):
        self.hub, self.name = hub, name
        self.session = requests.Session()
        self.session.mount("http://", FromAddress(address))
        self.token = ""
        self.page = ""

    @property
    def auth(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def login(self, password: str | None = None, headers: dict | None = None) -> bool:
        """The login form, as a browser submits it; then an API token for the rest of the test."""
        password = self.hub.codes.get(self.name, "") if password is None else password
        self.session.get(f"{self.hub.url}/hub/login", timeout=30, headers=headers)
        xsrf = self.session.cookies.get("_xsrf", "")
        reply = self.session.post(f"{self.hub.url}/hub/login", allow_redirects=False, timeout=60, headers=headers,
                                  data={"username": self.name, "password": password, "_xsrf": xsrf})
        self.page = reply.content.decode("utf-8", "replace")  # the page says <meta charset="utf-8">
        if reply.status_code != 302:
            assert reply.status_code == 403, f"{self.name!r}: login → {reply.status_code}"
            return False
        self.session.get(f"{self.hub.url}/hub/home", timeout=60)  # the session's own XSRF cookie
        xsrf = [c.value for c in self.session.cookies if c.name == "_xsrf"][-1]
        made = self.session.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", timeout=30,
                                 headers={"X-XSRFToken": xsrf}, json={"note": "classroom test", "expires_in": 3600})
        made.raise_for_status()
        self.token = made.json()["token"]
        return True

    def refused(self, password: str | None = None, headers: dict | None = None) -> str:
        """Log in, expecting a refusal; the message shown on the login page."""
        assert not self.login(password, headers), f"{self.name!r} got in"
        found = re.search(r'class="login_error"[^>]*>\s*(.*?)\s*</', self.page, re.S)
        return found.group(1) if found else self.page[:300]

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

    def write(self, path: str, text: str) -> None:
        reply = self.api("PUT", f"/user/{self.name}/api/contents/{path}",
                         json={"type": "file", "format": "text", "content": text})
        assert reply.status_code in (200, 201), reply.text

    def listing(self, path: str = "") -> set[str]:
        reply = self.contents(path)
        reply.raise_for_status()
        return {item["name"] for item in reply.json()["content"]}

    def start_kernel(self, notebook: str) -> str:
        reply = self.api("POST", f"/user/{self.name}/api/kernels", json={"name": "python3", "path": notebook})
        assert reply.status_code == 201, f"{self.name}: kernel → {reply.status_code} {reply.text[:300]}"
        return reply.json()["id"]

    def websocket(self, owner: str, kernel_id: str, limit: float = 60):
        url = f"ws://127.0.0.1:{self.hub.port}/user/{owner}/api/kernels/{kernel_id}/channels"
        return websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=limit)

    def execute(self, kernel_id: str, sources: list[str], limit: float = 180) -> list[Result]:
        """Run each source in turn over the kernel's websocket channel, as JupyterLab does."""
        ws = self.websocket(self.name, kernel_id, limit)
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
    proc = hub.server_process(name)
    group = [proc, *proc.children(recursive=True)]
    rss = [p.memory_info().rss / 2**20 for p in group]
    uss = sum(p.memory_full_info().uss for p in group) / 2**20
    cpu = sum(sum(p.cpu_times()[:2]) for p in group)
    return {"server_mb": round(rss[0], 1), "kernels_mb": [round(k, 1) for k in rss[1:]],
            "total_mb": round(sum(rss), 1), "total_uss_mb": round(uss, 1), "cpu_s": round(cpu, 1)}


def code_cells(notebook: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in notebook["cells"] if c["cell_type"] == "code"]



def classroom_session(tmp_path_factory):
    """The hub, eight logged-in participants with running servers, each having run notebook 01.

    Started once for all of tests/hub/ by the fixture ``classroom`` (conftest.py)."""
    hub = Hub(tmp_path_factory.mktemp("hub"))
    figures: dict = {"participants": len(PARTICIPANTS), "notebook": NOTEBOOK, "cores": os.cpu_count()}
    try:
        figures["hub_start_s"] = round(hub.start(), 2)
        class_ = [Participant(hub, name) for name in PARTICIPANTS]
        # A returning participant (their system user exists) who edited notebook 00 before: the first start
        # must keep that edit.
        returning = create_user(hub.system_name(class_[0].name), str(hub.homes), os.getpid())
        edited = Path(returning.pw_dir) / "xinzhi" / "00_guide.ipynb"
        edited.parent.mkdir()
        edited.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
        for path in (edited.parent, edited):
            os.chown(path, returning.pw_uid, returning.pw_gid)
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
        for proc in hub.processes():
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
        if (hub.root / "hub.log").exists():
            shutil.copyfile(hub.root / "hub.log", ARTIFACTS / "hub.log")
        (ARTIFACTS / "hub_measurements.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print("\n[hub] measurements: " + json.dumps(figures, ensure_ascii=False), flush=True)


def test_every_participant_runs_notebook_01(classroom):
    hub, class_, runs, figures = classroom
    for participant, (_, _, results) in zip(class_, runs):
        assert len(results) > 1
        for number, result in enumerate(results[1:], start=1):
            assert not result.error, f"{participant.name}, code cell {number}: {result.error}\n{result.source[:300]}"


def test_each_participant_is_a_separate_system_user_with_a_private_home(classroom):
    hub, class_, runs, _ = classroom
    course_files = {p.name for p in hub.course.iterdir() if p.is_file()}
    uids = set()
    for participant in class_:
        listing = participant.listing()
        assert course_files <= listing and "my_work" in listing
        account = pwd.getpwnam(hub.system_name(participant.name))
        home = Path(account.pw_dir)
        assert (home / "xinzhi" / NOTEBOOK).is_file()
        assert home.stat().st_uid == account.pw_uid and (home / "xinzhi" / NOTEBOOK).stat().st_uid == account.pw_uid
        assert oct(home.stat().st_mode & 0o777) == oct(0o700), "the home folder is private"
        server = hub.server_process(participant.name)
        kernels = server.children(recursive=True)
        assert kernels and {p.uids().real for p in [server, *kernels]} == {account.pw_uid}
        for kernel in kernels:  # its channels are Unix sockets in the private home: no output port others could read
            info = json.loads(Path(kernel.cmdline()[kernel.cmdline().index("-f") + 1]).read_text())
            assert info["transport"] == "ipc" and info["ip"].startswith(f"{home}/.jupyter-run/"), info
        uids.add(account.pw_uid)
    assert len(uids) == len(class_) and 0 not in uids
    # the returning participant's own edit of notebook 00 was not overwritten
    assert class_[0].contents("00_guide.ipynb").json()["content"]["cells"] == []
    assert class_[1].contents("00_guide.ipynb").json()["content"]["cells"] != []


def test_files_are_separate_and_servers_private(classroom):
    hub, class_, runs, _ = classroom
    a, b = class_[0], class_[1]
    a.write("only_mine.txt", "甲的笔记")
    assert "only_mine.txt" in a.listing()
    assert "only_mine.txt" not in b.listing()
    assert b.contents("only_mine.txt").status_code == 404
    # A's token must not open B's server, its files or its kernels
    for path in ["api/contents", "api/contents/only_mine.txt", "api/kernels", f"api/kernels/{runs[1][0]}", "lab"]:
        reply = a.api("GET", f"/user/{b.name}/{path}", allow_redirects=False)
        assert reply.status_code in (302, 403, 404), f"{path}: {reply.status_code}"
    with pytest.raises(websocket.WebSocketBadStatusException):  # nor B's running kernel
        a.websocket(b.name, runs[1][0], limit=30).close()
    # nor A's logged-in browser session (cookies), following every redirect
    reply = a.session.get(f"{hub.url}/user/{b.name}/api/contents", timeout=60)
    assert reply.status_code in (403, 404) or "only_mine" not in reply.text and reply.url.startswith(f"{hub.url}/hub/")
    assert reply.status_code != 200 or "/api/contents" not in reply.url
    # and no participant can reach the hub's user list
    assert a.api("GET", "/hub/api/users").status_code == 403


KERNEL_PROBE = """
import http.client, json, os, pwd
T = json.loads({targets!r})

def attempt(action):
    try:
        action()
        return "allowed"
    except PermissionError:
        return "permission denied"
    except OSError as error:
        return f"{{type(error).__name__}}: {{error}}"

def status(port, path, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={{"Authorization": "token " + token}} if token else {{}})
    return connection.getresponse().status

token = os.environ["JUPYTERHUB_API_TOKEN"]
print(json.dumps({{
    "user": pwd.getpwuid(os.getuid()).pw_name,
    "read B's file": attempt(lambda: open(T["b_file"]).read()),
    "list B's home": attempt(lambda: os.listdir(T["b_home"])),
    "write into B's home": attempt(lambda: open(T["b_home"] + "/from_a.txt", "w").write("x")),
    "change B's notebook": attempt(lambda: open(T["b_notebook"], "a").write("x")),
    "read the passwords file": attempt(lambda: open(T["passwords"]).read()),
    "read the roster": attempt(lambda: open(T["roster"]).read()),
    "reach B's kernel output socket": attempt(lambda: os.stat(T["b_iopub"])),
    "read the hub's database": attempt(lambda: open(T["database"], "rb").read(16)),
    "read the class view's results": attempt(lambda: open(T["results"], "rb").read(16)),
    "read the cookie secret": attempt(lambda: open(T["cookie_secret"], "rb").read()),
    "read the hub's environment": attempt(lambda: open(f"/proc/{{T['hub_pid']}}/environ", "rb").read()),
    "read B's server environment": attempt(lambda: open(f"/proc/{{T['b_pid']}}/environ", "rb").read()),
    "B's server, directly": status(T["b_port"], T["b_prefix"] + "api/contents", token),
    "B's kernels, directly": status(T["b_port"], T["b_prefix"] + "api/kernels", token),
    "the hub's user list": status(T["hub_port"], "/hub/api/users", token),
    "the proxy's routes": status(T["api_port"], "/api/routes"),
}}))
"""


def test_a_kernel_cannot_reach_another_participant_or_the_hubs_secrets(classroom):
    hub, class_, runs, _ = classroom
    a, b = class_[0], class_[1]
    b.write("b_private.txt", "乙的答案")
    b_server, b_home = hub.server_process(b.name), hub.home(b.name)
    b_port = next(c.laddr.port for c in b_server.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN)
    b_kernel = b_server.children()[0].cmdline()
    b_connection = json.loads(Path(b_kernel[b_kernel.index("-f") + 1]).read_text())
    targets = {"b_file": str(b_home / "xinzhi" / "b_private.txt"), "b_home": str(b_home),
               "b_notebook": str(b_home / "xinzhi" / NOTEBOOK), "passwords": str(hub.passwords),
               "roster": str(hub.roster), "b_iopub": f"{b_connection['ip']}-{b_connection['iopub_port']}",
               "database": str(hub.root / "hub.sqlite"), "cookie_secret": str(hub.root / "cookie_secret"),
               "results": str(hub.results_dir / "results.sqlite"),
               "hub_pid": hub.process.pid, "b_pid": b_server.pid, "b_port": b_port, "b_prefix": f"/user/{b.name}/",
               "hub_port": hub.hub_port, "api_port": hub.api_port}
    result = a.execute(runs[0][0], [KERNEL_PROBE.format(targets=json.dumps(targets))])[0]
    assert not result.error, result.error
    seen = json.loads("".join(o["content"]["text"] for o in result.outputs if o["msg_type"] == "stream"))
    assert seen.pop("user") == hub.system_name(a.name)
    statuses = {k: seen.pop(k) for k in list(seen) if isinstance(seen[k], int)}
    assert seen == dict.fromkeys(seen, "permission denied") and len(seen) == 12, seen
    assert statuses == dict.fromkeys(statuses, 403), statuses
    assert not (b_home / "from_a.txt").exists()


def test_wrong_codes_are_throttled_then_locked(classroom):
    hub = classroom[0]
    victim = "xuesheng8"
    attacker = Participant(hub, victim, address="127.0.0.21")
    for _ in range(3):
        assert WRONG in attacker.refused("aaaaa-bbbbb"), "a few typos cost nothing"
    assert WRONG in attacker.refused("aaaaa-bbbbb")
    assert WAIT in attacker.refused(), "while the name waits, not even the right code is checked"
    messages = []
    deadline = time.monotonic() + 30
    while not messages or LOCKED not in messages[-1]:
        assert time.monotonic() < deadline, messages
        time.sleep(0.2)
        messages.append(attacker.refused("aaaaa-bbbbb"))
    locked_at = time.monotonic()
    reply = requests.post(f"{hub.url}/hub/api/users/{victim}/tokens", timeout=30,
                          json={"auth": {"username": victim, "password": hub.codes[victim]}})
    assert reply.status_code == 403, "the token route is throttled as well"
    owner = Participant(hub, victim)  # from the class's address, with the right code
    assert LOCKED in owner.refused()
    assert Participant(hub, "xuesheng7").login(), "the rest of the class is not affected"
    assert f"Login lock: '{victim}' locked for {LOCK_SECONDS:.0f} s after {LOCK_AFTER} failed logins " \
           "(last from 127.0.0.21)" in hub.log_text()
    time.sleep(max(0.0, locked_at + LOCK_SECONDS + 0.5 - time.monotonic()))
    assert owner.login(), "after the lock the right code works again"


def test_an_address_is_paused_only_after_a_high_ceiling(classroom):
    hub = classroom[0]
    typist = Participant(hub, "xuesheng5", address="127.0.0.22")
    assert WRONG in typist.refused("xuesheng5")
    assert WRONG in typist.refused(hub.codes["xuesheng5"][:-1])
    assert typist.login(hub.codes["xuesheng5"].upper().replace("-", " ")), "typos, then the code as typed: in"
    sprayer = "127.0.0.23"
    with ThreadPoolExecutor(3) as pool:
        refusals = list(pool.map(lambda n: Participant(hub, f"guess{n}", address=sprayer).refused("aaaaa-bbbbb"),
                                 range(ADDRESS_LIMIT)))
    assert all(WRONG in message for message in refusals)
    paused = Participant(hub, "xuesheng6", address=sprayer)
    assert ADDRESS_PAUSED in paused.refused()
    forged = {"X-Forwarded-For": "10.1.2.3", "X-Real-Ip": "10.4.5.6"}
    assert ADDRESS_PAUSED in paused.refused(headers=forged), "forged forwarding headers change nothing"
    assert f"address {sprayer} paused" in hub.log_text()
    assert Participant(hub, "xuesheng6", address="127.0.0.24").login(), "another computer still gets in"


def test_a_commented_roster_line_lets_nobody_in(classroom):
    hub = classroom[0]
    for name in [DROPPED, "dropped", "the", "course", "may"]:
        assert WRONG in Participant(hub, name, address="127.0.0.25").refused(hub.codes[DROPPED]), name


def test_the_teacher_has_a_long_password_of_their_own(classroom):
    hub = classroom[0]
    assert WRONG in Participant(hub, ADMIN, address="127.0.0.26").refused(ADMIN_PASSWORD[:-1])
    teacher = Participant(hub, ADMIN)
    assert teacher.login(ADMIN_PASSWORD)
    me = teacher.api("GET", "/hub/api/user").json()
    assert me["admin"] and "instructors" in me["groups"]
    services = teacher.api("GET", "/hub/api/services").json()
    assert "idle-culler" in services, "idle culling runs as a hub service"
    assert any("jupyterhub_idle_culler" in " ".join(p.cmdline()) for p in hub.processes())


def test_no_one_gets_in_without_their_own_secret(classroom):
    hub, class_, _, _ = classroom
    a, b = class_[0], class_[1]
    code_a, code_b = hub.codes[a.name], hub.codes[b.name]
    attempts = [
        (b.name, code_a), (b.name, ""), (ADMIN, code_a), (ADMIN, ""), ("LAOSHI ", code_a),  # others' names
        ("../" + b.name, code_a), (f"{a.name}/../{b.name}", code_a), ("x" * 5000, code_a),  # odd names
        (b.name + "\u200b", code_a), (class_[3].name + "\x00", code_a),  # (a name gets three free typos)
        ("ｘｕｅｓｈｅｎｇ２", code_a),  # full width: xuesheng2 all the same, so xuesheng2's code is needed
        (b.name[:-2] + "\u0261" + b.name[-1], code_b),  # a look-alike letter: not B, and no new account
    ]
    for number, (name, secret) in enumerate(attempts):
        address = f"127.0.0.{30 + number // 6}"
        assert WRONG in Participant(hub, name, address=address).refused(secret), (name[:20], secret)
    assert requests.get(f"{hub.url}/hub/signup", timeout=30).status_code == 404, "no sign-up route"
    assert a.api("POST", "/hub/api/users", json={"usernames": ["eve"]}).status_code == 403
    assert a.api("POST", f"/hub/api/users/{ADMIN}/tokens", json={}).status_code == 403
    assert a.api("PATCH", f"/hub/api/users/{a.name}", json={"admin": True}).status_code == 403
    teacher = Participant(hub, ADMIN)
    assert teacher.login(ADMIN_PASSWORD)
    names = {user["name"] for user in teacher.api("GET", "/hub/api/users").json()}
    assert names == {*PARTICIPANTS, ADMIN}, "no account other than the roster's and the teacher's"
    system = {e.pw_name for e in pwd.getpwall() if e.pw_name.startswith(hub.prefix)}
    assert system == {hub.system_name(n) for n in [*PARTICIPANTS, "results"]}  # + the class view's own account
    with ThreadPoolExecutor(4) as pool:  # and every participant still gets in
        let_in = dict(zip(PARTICIPANTS, pool.map(lambda n: Participant(hub, n).login(), PARTICIPANTS)))
    assert all(let_in.values()), let_in


def test_work_survives_a_restart_and_course_updates_add_only(classroom):
    hub, class_, runs, figures = classroom
    participant, (kernel_id, _, _) = class_[2], runs[2]
    saved = participant.execute(kernel_id, [
        "from xinzhi import workspace\nprint(workspace.save('restart_check', {'答案': 42}))"])[0]
    assert not saved.error, saved.error
    on_disk = hub.home(participant.name) / "xinzhi" / "my_work" / "restart_check.json"
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


def test_the_hub_refuses_to_start_on_an_invalid_roster(tmp_path):
    (tmp_path / "roster.txt").write_text("# 名单\nzhangsan  张三\n张三丰   # 中文名不能当用户名\n", encoding="utf-8")
    made = roster_command("--roster", str(tmp_path / "none.txt"), "--passwords", str(tmp_path / "passwords"),
                          "teacher", ADMIN, stdin=ADMIN_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    port, hub_port, api_port = free_ports(3)
    mark = processes.new_mark("hub")
    config = hub_config(tmp_path, f"http://127.0.0.1:{port}", hub_port, api_port, mark)
    env = dict(os.environ, LANG="C.UTF-8", XINZHI_ROSTER=str(tmp_path / "roster.txt"), **{processes.MARK: mark},
               XINZHI_PASSWORDS=str(tmp_path / "passwords"), XINZHI_HUB_ADMINS=ADMIN)
    run = subprocess.run([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=HUB_START_LIMIT)
    output = run.stdout + run.stderr
    assert run.returncode != 0, "the hub started"
    assert "班级服务器没有启动" in output and "第 3 行" in output, output[-2000:]


def test_api_tokens_last_a_week_at_most(classroom):
    hub, class_, _, _ = classroom
    participant = class_[4]
    path = f"/hub/api/users/{participant.name}/tokens"
    forever = participant.api("POST", path, json={"note": "never expires?"})
    assert forever.status_code == 201, forever.text
    expires = forever.json()["expires_at"]
    assert expires, "a token asked for without an end gets the longest allowed"
    left = time.mktime(time.strptime(expires[:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(time.gmtime())
    assert 6 * 86400 < left <= 7 * 86400 + 60, left
    assert participant.api("POST", path, json={"expires_in": 30 * 86400}).status_code == 400
    participant.api("DELETE", f"{path}/{forever.json()['id']}")


def enrol_alone(root: Path, teachers: list[str]) -> str:
    """A roster of one participant and a password (ADMIN_PASSWORD) per teacher, for a hub of its own; the code."""
    (root / "roster.txt").write_text("xuesheng1  学员1\n", encoding="utf-8")
    files = ["--roster", str(root / "roster.txt"), "--passwords", str(root / "passwords")]
    assert roster_command(*files, "slips", "--out", str(root / "slips.html")).returncode == 0
    for teacher in teachers:
        assert roster_command(*files, "teacher", teacher, stdin=ADMIN_PASSWORD + "\n").returncode == 0
    return re.search(r'<dd class="code">([^<]+)</dd>', (root / "slips.html").read_text(encoding="utf-8"))[1]


@contextlib.contextmanager
def hub_alone(root: Path, **settings: str):
    """A hub of its own on the files of :func:`enrol_alone` (no system users, the class view stays root); its URL.
    Started again on the same ``root``, it keeps its database: users, tokens, roles."""
    port, hub_port, api_port, results_port = free_ports(4)
    url, mark = f"http://127.0.0.1:{port}", processes.new_mark("hub")
    config = hub_config(root, url, hub_port, api_port, mark, f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]")
    env = dict(os.environ, LANG="C.UTF-8", XINZHI_ROSTER=str(root / "roster.txt"), **{processes.MARK: mark},
               XINZHI_PASSWORDS=str(root / "passwords"), XINZHI_CLASS_RESULTS_PORT=str(results_port),
               XINZHI_CLASS_RESULTS_USER="root", XINZHI_CLASS_RESULTS_DIR=str(root / "class-results"), **settings)
    for name in ("XINZHI_BIND_URL", "XINZHI_PUBLIC_URL", "XINZHI_USER_PYTHON"):
        if name not in settings:
            env.pop(name, None)
    log = open(root / "hub.log", "a")
    hub = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=root, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_hub(hub, url, root / "hub.log")
        yield url
    finally:
        processes.stop(hub, mark)
        log.close()


def test_behind_https_the_hub_sends_hsts_and_only_secure_httponly_cookies(tmp_path):
    """A TLS proxy in front of the hub's own proxy (XINZHI_PUBLIC_URL https): the hub sees plain http, yet every
    cookie it sets on the way in is Secure and HttpOnly (the _xsrf cookie Secure), and its pages carry HSTS."""
    code = enrol_alone(tmp_path, [ADMIN])
    with hub_alone(tmp_path, XINZHI_HUB_ADMINS=ADMIN, XINZHI_PUBLIC_URL="https://hub.example.edu.cn/") as url:
        page = requests.get(f"{url}/hub/login", timeout=30)
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        xsrf = page.cookies.get("_xsrf") or re.search(r"_xsrf=([^;]+)", page.headers["Set-Cookie"])[1]
        reply = requests.post(f"{url}/hub/login", allow_redirects=False, timeout=60,
                              headers={"Cookie": f"_xsrf={xsrf}"},
                              data={"username": "xuesheng1", "password": code, "_xsrf": xsrf})
        assert reply.status_code == 302, reply.text[:300]
        cookies = {c.split("=", 1)[0].strip(): c.lower() for c in
                   [*page.raw.headers.getlist("Set-Cookie"), *reply.raw.headers.getlist("Set-Cookie")]}
        assert {"_xsrf", "jupyterhub-hub-login", "jupyterhub-session-id"} <= set(cookies), cookies
        assert all("; secure" in c for c in cookies.values()), cookies
        assert all("; httponly" in c for name, c in cookies.items() if name != "_xsrf"), cookies


def test_a_teacher_taken_off_the_list_loses_admin_and_the_class_view_at_the_next_start(tmp_path):
    """JupyterHub never takes back what admin_users or a group once gave; roles listed by name it does."""
    enrol_alone(tmp_path, [ADMIN, "laoshi2"])
    with hub_alone(tmp_path, XINZHI_HUB_ADMINS=f"{ADMIN},laoshi2") as url:
        former = Participant(SimpleNamespace(url=url, codes={}), "laoshi2")
        assert former.login(ADMIN_PASSWORD)
        me = former.api("GET", "/hub/api/user").json()
        assert me["admin"], me
        assert former.api("GET", "/services/class-results/api/classes").status_code == 200
    with hub_alone(tmp_path, XINZHI_HUB_ADMINS=ADMIN) as url:  # laoshi2 has left; their token is still valid
        former.hub = SimpleNamespace(url=url, codes={})
        me = former.api("GET", "/hub/api/user").json()
        assert not me["admin"] and "class-results-instructor" not in me["roles"] and "admin" not in me["roles"], me
        assert former.api("GET", "/services/class-results/api/classes").status_code == 403
        assert former.api("GET", "/hub/api/users").status_code == 403
        assert WRONG in Participant(SimpleNamespace(url=url, codes={}), "laoshi2").refused(ADMIN_PASSWORD)
