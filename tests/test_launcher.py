"""course.py as participants meet it: its help and mistakes, its failures in Chinese, offline installs, and a
JupyterLab and a Voilà app that start with a quiet terminal.

The install tests use a tiny course (course.py, the jupyter/ settings and one small requirement) in a temporary
folder, so they create a real virtual environment in seconds; the start-up tests use this checkout's environment.
"""
from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

try:
    import pty
except ImportError:   # Windows: the start-up tests below are skipped there
    pty = None

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_core.paths import jupyter_runtime_dir

from .conftest import NOTEBOOK_DIR, ROOT, free_port, launcher

course = launcher()
# English a participant must not meet in the terminal of a healthy start
NOISE = re.compile(r"Traceback|DeprecationWarning|Running as root|Skipped non-installed|not trusted|"
                   r"running over TCP|\[[IWE] \d|WARNING|ERROR", re.IGNORECASE)
# ipykernel 7.4 sometimes prints this while it shuts down (a race between its control and IOPub threads that
# its authors fixed only for one of the two places it can happen); no setting avoids it, so after Ctrl+C it
# is the one traceback allowed
KERNEL_SHUTDOWN_RACE = re.compile(r"ERROR:tornado\.general:Uncaught exception in ZMQStream callback\n"
                                  r"Traceback.*?ipykernel/iostream\.py.*?"
                                  r"zmq\.error\.ZMQError: Socket operation on non-socket\n", re.DOTALL)
REGISTRY_HOSTS = re.compile(r"https?://(?!127\.0\.0\.1|www\.python\.org)[\w.-]+")


def run_launcher(folder: Path, *args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(folder / "course.py"), *args], cwd=folder, capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=timeout)


# ---------------------------------------------------------------- commands


def test_help_is_chinese_with_an_english_line():
    result = run_launcher(ROOT, "help")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("用法")
    for name in course.COMMANDS:
        assert name == "lab" or f"course.py {name}" in result.stdout
    assert any(line.startswith("English:") for line in lines)


def test_an_unknown_command_is_named_as_unknown():
    result = run_launcher(ROOT, "tset")
    assert result.returncode == 2
    assert "没有“tset”这个命令" in result.stdout and "course.py test" in result.stdout
    assert "用法" in result.stdout and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("typed", ["1", "01", "01_concept", "concept"])
def test_app_takes_the_notebook_number_with_or_without_its_zero(typed):
    assert course.find_notebook(typed) == NOTEBOOK_DIR / "01_concept.ipynb"


def test_app_with_a_wrong_number_lists_the_notebooks_in_chinese():
    with pytest.raises(course.CourseError) as error:
        course.find_notebook("9")
    assert "找不到笔记本“9”" in str(error.value) and "08_capstone" in str(error.value)


def test_an_old_python_is_told_which_python_to_install(capsys):
    with pytest.raises(course.CourseError) as error:
        course.check_python("3.10.14")
    message = str(error.value)
    assert "3.10.14" in message and "停止维护" in message
    assert f"Python {course.dotted(course.NEWEST)}" in message and course.NEWEST_PAGE in message


def test_a_newer_python_is_warned_about_not_refused(capsys):
    course.check_python(f"3.{course.NEWEST[1] + 1}.0")
    assert "还没有测试过" in capsys.readouterr().out
    course.check_python(f"3.{course.NEWEST[1]}.2")
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- installing, with and without a network


class Index:
    """A package index on 127.0.0.1 that records every request and answers each with `status`."""

    def __init__(self, status: int):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_error(status)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def pip_env(**settings: str) -> dict:
    """This environment with none of the machine's pip settings, then `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return dict(env, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", **settings)


@pytest.fixture(scope="module")
def tiny_course(tmp_path_factory):
    """A course folder with the real launcher and Jupyter settings, needing one small package (six), installed
    once from a wheelhouse while every package index named in pip's settings is watched.

    Its .venv/ was left by another Python, so the launcher must first rebuild it. Returns the folder, the
    launcher's run and the requests the index saw."""
    folder = tmp_path_factory.mktemp("tiny") / "course"
    folder.mkdir()
    shutil.copy(ROOT / "course.py", folder)
    shutil.copytree(ROOT / "jupyter", folder / "jupyter")
    (folder / "requirements.txt").write_text("six==1.17.0\n")
    (folder / "constraints.txt").write_text("# nothing else\n")
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=69"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "tinycourse"\nversion = "1.0"\n\n[tool.setuptools]\npy-modules = []\n')
    wheels = folder.parent / "wheels"
    for requirement in ["six==1.17.0", "six==1.16.0", "setuptools>=69"]:   # from pip's cache, or PyPI
        subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
                        "--no-deps", "--only-binary=:all:", "--dest", str(wheels), requirement], check=True)
    (folder / ".venv").mkdir()
    (folder / ".venv/pyvenv.cfg").write_text("home = /nowhere\nversion = 3.9.1\n")
    with_wheels(folder, "six-1.17.0*", "setuptools-*")
    index = Index(404)   # named by every pip setting the participant might have: it must never be asked
    try:
        first = run_launcher(folder, "install", env=dict(
            os.environ, PIP_INDEX_URL=index.url + "/simple", PIP_EXTRA_INDEX_URL=index.url + "/extra",
            PIP_FIND_LINKS=index.url + "/links"))
    finally:
        index.close()
    return folder, first, index.hits


def with_wheels(folder: Path, *patterns: str) -> None:
    """Start the next install afresh, from a wheelhouse holding these wheels (or with none)."""
    shutil.rmtree(folder / "wheelhouse", ignore_errors=True)
    (folder / ".venv/.xinzhi.stamp").unlink(missing_ok=True)
    python = folder / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if python.exists():
        subprocess.run([str(python), "-m", "pip", "uninstall", "-y", "-q", "six"], capture_output=True)
    if patterns:
        (folder / "wheelhouse").mkdir()
        for pattern in patterns:
            for wheel in (folder.parent / "wheels").glob(pattern):
                shutil.copy(wheel, folder / "wheelhouse")


@pytest.mark.slow
def test_a_wheelhouse_is_the_only_source_and_the_network_is_never_used(tiny_course):
    folder, first, hits = tiny_course
    assert first.returncode == 0, first.stdout + first.stderr
    assert "离线安装包（wheelhouse/），不联网" in first.stdout
    assert hits == []
    python = folder / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    assert subprocess.run([str(python), "-c", "import six; assert six.__version__ == '1.17.0'"]).returncode == 0
    again = run_launcher(folder, "install")
    assert again.returncode == 0 and "安装课程所需的软件包" not in again.stdout, "a second run installs nothing"


@pytest.mark.slow
def test_a_venv_made_by_another_python_is_rebuilt(tiny_course):
    _, first, _ = tiny_course
    assert "是用 Python 3.9 建的" in first.stdout and "重新建立" in first.stdout
    assert first.stdout.index("重新建立") < first.stdout.index("安装课程所需的软件包")


def assert_network_help(result: subprocess.CompletedProcess, folder: Path):
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "连不上软件包仓库" in out
    assert "index-url" in out and "镜像" in out and "PIP_INDEX_URL" in out      # a mirror, through pip's setting
    assert "离线安装包" in out and "wheelhouse" in out                          # the offline bundle
    assert "再运行一次" in out and "course.py" in out                           # how to retry
    assert "Traceback" not in out + result.stderr and "ERROR:" not in out + result.stderr
    assert not REGISTRY_HOSTS.search(out), "name no package registry"
    assert "No matching distribution" in (folder / ".venv/pip-install.log").read_text(encoding="utf-8")


@pytest.mark.slow
def test_no_network_is_explained_in_chinese(tiny_course):
    folder = tiny_course[0]
    with_wheels(folder)
    index = f"http://127.0.0.1:{free_port()}/simple"
    assert_network_help(run_launcher(folder, "install", env=pip_env(PIP_INDEX_URL=index, PIP_RETRIES="1")), folder)


@pytest.mark.slow
def test_a_blocked_index_is_explained_in_chinese(tiny_course):
    folder = tiny_course[0]
    with_wheels(folder)
    index = Index(403)   # what a network that blocks the index answers: pip only says "from versions: none"
    try:
        result = run_launcher(folder, "install", env=pip_env(PIP_INDEX_URL=index.url + "/simple"))
    finally:
        index.close()
    assert index.hits, "the blocked index was asked"
    assert_network_help(result, folder)


@pytest.mark.slow
def test_a_package_missing_from_the_wheelhouse_is_named(tiny_course):
    folder = tiny_course[0]
    with_wheels(folder, "setuptools-*")
    result = run_launcher(folder, "install", env=pip_env())
    assert result.returncode == 1
    assert "离线安装包（wheelhouse/）里没有" in result.stdout and "six 1.17.0" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_on_a_newer_python_the_package_without_a_wheel_and_the_python_to_install_are_named(tiny_course, monkeypatch):
    """pip's real answer when a pinned version has no wheel for this Python, read as on a Python past NEWEST."""
    folder = tiny_course[0]
    with_wheels(folder, "setuptools-*", "six-1.16.0*")
    assert run_launcher(folder, "install", env=pip_env()).returncode == 1
    log = folder / ".venv/pip-install.log"
    monkeypatch.setattr(course, "NEWEST", (3, sys.version_info[1] - 1))
    message = course.explain_install_failure(log.read_text(encoding="utf-8"), False, log, Path(sys.executable))
    assert "six 1.17.0 还没有适用于 Python" in message
    assert f"请安装 Python {course.dotted(course.NEWEST)}" in message and course.NEWEST_PAGE in message


# ---------------------------------------------------------------- trusted notebooks


def test_only_the_course_notebooks_with_their_listed_hash_are_trusted(tmp_path, monkeypatch):
    assert course.course_notebooks() == sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK_DIR / "01_concept.ipynb", folder)
    changed = json.loads((NOTEBOOK_DIR / "02_zhejiang_numbers.ipynb").read_text(encoding="utf-8"))
    changed["cells"][0]["source"] = "# 别人改过的笔记本"
    (folder / "02_zhejiang_numbers.ipynb").write_text(json.dumps(changed), encoding="utf-8")
    shutil.copy(NOTEBOOK_DIR / "03_lishui.ipynb", folder / "downloaded.ipynb")
    monkeypatch.setattr(course, "NOTEBOOKS", folder)
    assert course.course_notebooks() == [folder / "01_concept.ipynb"]


def test_the_course_notebooks_are_signed_in_this_environment():
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    for path in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")):
        assert notary.check_signature(nbformat.read(path, as_version=4)), f"{path.name} is not trusted: run course.py"


# ---------------------------------------------------------------- starting JupyterLab and Voilà


class Started:
    """The launcher running a server in its own process group; its terminal output is collected."""

    def __init__(self, *args: str):
        self.lines: list[str] = []
        self.terminal, typing_end = pty.openpty()   # a participant types into a terminal
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "course.py"), *args], cwd=ROOT, text=True,
                                     encoding="utf-8", stdin=typing_end, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env=dict(os.environ, BROWSER="true"))
        os.close(typing_end)
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def noise(self) -> list[str]:
        """English a participant would meet in this terminal."""
        after = KERNEL_SHUTDOWN_RACE.sub("", self.output[len(self.before_ctrl_c):])
        return NOISE.findall(self.before_ctrl_c + after)

    def wait_for(self, pattern: str, seconds: float = 120) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output)
            if found:
                return found
            assert self.proc.poll() is None, f"the launcher stopped:\n{self.output}"
            time.sleep(0.3)
        raise AssertionError(f"no {pattern!r} after {seconds} s:\n{self.output}")

    def ctrl_c(self, seconds: float = 60) -> int:
        self.before_ctrl_c = self.output
        os.killpg(self.proc.pid, signal.SIGINT)   # as a terminal does: to the launcher and its server
        try:
            return self.proc.wait(seconds)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
            os.close(self.terminal)
            time.sleep(1)   # the last lines reach the output


def get(url: str, token: str = "", data: bytes | None = None, seconds: float = 120):
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"token {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=seconds) as response:
        return response.read().decode("utf-8")


def kernel_answers(connection_file: Path, seconds: float = 120) -> bool:
    """Run code in the kernel over its (encrypted) channels, as JupyterLab does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client = BlockingKernelClient(connection_file=str(connection_file))
        try:
            client.load_connection_file()
            client.start_channels()
            client.wait_for_ready(timeout=20)
            return client.execute_interactive("1 + 1", timeout=60)["content"]["status"] == "ok"
        except (RuntimeError, OSError, ValueError):   # not listening yet, or its first heartbeat not seen yet
            time.sleep(1)
        finally:
            client.stop_channels()
    return False


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="drives a terminal's Ctrl+C as on Linux and macOS")
def test_jupyterlab_starts_with_a_quiet_chinese_terminal_and_a_notice_for_old_browsers():
    port = free_port()
    lab = Started("lab", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.port_retries=0")
    try:
        token = lab.wait_for(rf"http://127\.0\.0\.1:{port}/lab\S*token=(\w+)").group(1)
        page = get(f"http://127.0.0.1:{port}/lab?token={token}")
        assert 'id="jupyter-config-data"' in page, "JupyterLab's own page"
        assert "xinzhi-old-browser" in page and "打不开课程" in page and 'name="renderer" content="webkit"' in page
        opened = json.loads(get(f"http://127.0.0.1:{port}/api/contents/01_concept.ipynb", token))
        assert opened["type"] == "notebook"   # a course notebook opens trusted: the server says nothing
        kernel = json.loads(get(f"http://127.0.0.1:{port}/api/kernels", token, b'{"name": "python3"}'))
        assert kernel_answers(Path(jupyter_runtime_dir(), f"kernel-{kernel['id']}.json"))
        time.sleep(1)   # anything the kernel prints on start has reached the terminal
    finally:
        code = lab.ctrl_c()
    assert code == 0, lab.output
    assert lab.output.startswith("[课程] 正在打开 JupyterLab")
    assert "JupyterLab 已关闭" in lab.output, "one Ctrl+C stops it"
    assert ("root（管理员）" in lab.output) == (os.geteuid() == 0)
    assert not lab.noise(), lab.output


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="drives a terminal's Ctrl+C as on Linux and macOS")
def test_the_app_view_starts_with_a_quiet_chinese_terminal():
    app = Started("app", "1", "--no-browser")
    try:
        url = app.wait_for(r"http://127\.0\.0\.1:\d+/").group(0)
        for _ in range(120):
            try:
                page = get(url)
                break
            except OSError:
                time.sleep(0.5)
        assert "01_concept" in app.output and "<html" in page.lower()
        time.sleep(2)
    finally:
        code = app.ctrl_c()
    assert code == 0, app.output
    assert "演示页面已关闭" in app.output
    assert not app.noise(), app.output
