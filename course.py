#!/usr/bin/env python3
"""新质生产力：浙江实践 — 课程启动器 (course launcher).

Installs what the course needs into ``.venv`` beside this file (or into the active conda environment made
from environment.yml), then runs the command asked for. A second run installs nothing unless a set-up file
changed. With a ``wheelhouse/`` folder beside this file (the offline bundle), everything is installed from
that folder alone and the network is never used.

A new subcommand is one function decorated with ``@command(...)``; the help text lists it by itself.
This file runs on any Python 3 far enough to say, in Chinese, which Python the course needs.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
NOTEBOOKS = ROOT / "notebooks"
JUPYTER = ROOT / "jupyter"
WHEELHOUSE = ROOT / "wheelhouse"
COURSE_NOTEBOOKS = JUPYTER / "course_notebooks.sha256"

# Every Python from OLDEST to NEWEST is locked in constraints.txt (scripts/lock.py) and admitted by
# pyproject.toml; tests/test_setup_files.py checks that they all agree. NEWEST_PAGE is python.org's page
# of the newest one, for participants who must install it.
OLDEST, NEWEST = (3, 11), (3, 14)
NEWEST_PAGE = "https://www.python.org/downloads/release/python-3148/"

# What each level installs; each file names the one before it (test ⊃ site ⊃ lab).
LEVELS = {"lab": "requirements.txt", "site": "requirements-site.txt", "test": "requirements-test.txt"}

# A change to any of these files makes the next run install again.
SETUP_FILES = ["requirements.txt", "requirements-site.txt", "requirements-test.txt", "constraints.txt", "pyproject.toml",
               "jupyter/xinzhi_lab_settings.json", "jupyter/xinzhi_extensions.json",
               "jupyter/jupyter_server_config.json", "jupyter/lab_index.html", "jupyter/course_notebooks.sha256"]


class CourseError(Exception):
    """A failure the participant can act on; its message is the Chinese explanation."""


def say(message: str) -> None:
    print("[课程] " + message.replace("\n", "\n       "), flush=True)


def dotted(version) -> str:
    return ".".join(str(part) for part in version[:2])


# ---------------------------------------------------------------- subcommands


class Command(NamedTuple):
    run: Callable[[List[str]], int]
    usage: str
    help: str


COMMANDS: Dict[str, Command] = {}


def command(name: str, usage: str, help: str):
    """Register ``run(args) -> exit code`` as ``python3 course.py <name> [args]``, listed in the help.

    ``run`` checks its arguments first, then calls ``course_env()`` (or ``course_env("test")``) when it needs
    the course's packages: that returns the course environment's interpreter, installed and up to date.
    """
    def register(run):
        COMMANDS[name] = Command(run, usage, help)
        return run
    return register


def this_python() -> str:
    """The command that starts this same Python: "py -3.13" on Windows, "python3" or "python3.13" elsewhere."""
    if os.name == "nt":
        return f"py -{dotted(sys.version_info)}"
    here = os.path.realpath(sys.executable)
    return next((name for name in ("python3", f"python{dotted(sys.version_info)}")
                 if shutil.which(name) and os.path.realpath(shutil.which(name)) == here), sys.executable)


def launch(rest: str = "") -> str:
    """How the participant runs this launcher again, e.g. "python3.13 course.py app 01"."""
    return f"{this_python()} course.py {rest}".strip()


def usage() -> str:
    lines = ["用法（在课程文件夹里运行" + ("" if os.name == "nt" else "；Windows 上把 python3 换成 py") + "）："]
    commands = [(launch(cmd.usage), cmd.help) for cmd in COMMANDS.values()]
    width = max(len(line) for line, _ in commands) + 3
    lines += [f"  {line:<{width}}{help}" for line, help in commands]
    lines += ["", "English: the course launcher. With no command it installs what is missing and opens the course",
              "in JupyterLab; `app 01` shows notebook 01 as a code-free page; `test` runs the tests (see README.md)."]
    return "\n".join(lines)


# Only this machine can reach the server (Jupyter's token stays on); only warnings reach the terminal.
QUIET_LOCAL_SERVER = ["--ServerApp.ip=127.0.0.1", "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN"]


@command("lab", "", "安装缺少的软件包，在浏览器里打开课程（JupyterLab，中文界面）")
def run_lab(args: List[str]) -> int:
    python = course_env()
    say("正在打开 JupyterLab，浏览器会自动打开。如果没有打开：复制下面以 http://127.0.0.1 开头、\n"
        "带 token 的整行地址，粘贴到浏览器（Edge、Chrome、Firefox 或 Safari）。结束时在这个窗口按 Ctrl+C。")
    return run_server([str(python), "-m", "jupyterlab", *QUIET_LOCAL_SERVER, "--ServerApp.answer_yes=True",
                       f"--ServerApp.root_dir={NOTEBOOKS}", "--LabApp.default_url=/lab/tree/00_guide.ipynb",
                       *root_flags(), *args], "JupyterLab 已关闭。")


@command("app", "app 01", "演示模式：把笔记本 01 作为不显示代码的网页打开（投影用；01 可换成 00–08）")
def run_app(args: List[str]) -> int:
    notebook = find_notebook(args[0] if args else "00")
    python = course_env()
    port = free_port(8866)
    say(f"演示模式：{notebook.stem}，浏览器会自动打开。如果没有打开：在浏览器里打开 http://127.0.0.1:{port}/\n"
        "结束时在这个窗口按 Ctrl+C。")
    return run_server([str(python), "-m", "voila", notebook.name, "--Voila.ip=127.0.0.1", "--Voila.log_level=WARN",
                       f"--port={port}", "--theme=light", f"--Voila.root_dir={NOTEBOOKS}", *args[1:]],
                      "演示页面已关闭。", cwd=NOTEBOOKS)


@command("install", "install", "只安装，不打开浏览器（课前准备）")
def run_install(args: List[str]) -> int:
    course_env()
    say(f"课程环境已就绪（Python {platform.python_version()}）。上课时运行：{launch()}")
    return 0


# `test` alone runs every test in parallel processes (pytest-xdist; tests that share a server, a built site or a
# report stay in one process: tests/conftest.py); `test quick` leaves out what is marked slow or browser (whole
# notebooks in kernels, installs, hubs, the handout and the bundle, Chromium); `test <pytest arguments>` is pytest.
QUICK = ["-m", "not slow and not browser"]


def parallel() -> List[str]:
    return ["-n", str(min(4, max(2, os.cpu_count() or 2))), "--dist", "loadgroup"]


@command("test", "test", "安装测试工具，运行全部测试（维护者；test quick 只跑几分钟内完成的那部分；pytest 的参数可以跟在后面）")
def run_tests(args: List[str]) -> int:
    python = course_env("test")
    if args[:1] == ["quick"]:
        args = [*parallel(), *QUICK, *args[1:]]
    else:
        args = args or [*parallel(), "--durations=20"]
        ensure_chromium()
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT)


@command("site", "site", "生成网页版讲义和 A4 打印版：build/site/（手机、投影、打印用；--instructor 含教师手册）")
def run_site(args: List[str]) -> int:
    python = course_env("site")
    ensure_chromium()
    return subprocess.call([str(python), str(ROOT / "publish" / "website.py"), *args], cwd=ROOT)


@command("bundle", "bundle", "生成离线安装包：build/bundle/（复制到 U 盘，没有网络的电脑和服务器也能安装）")
def run_bundle(args: List[str]) -> int:
    python = course_env("site")
    return subprocess.call([str(python), str(ROOT / "publish" / "bundle.py"), *args], cwd=ROOT)


@command("fingerprints", "fingerprints", "改完课程笔记本后记下它们的指纹，安装时只信任这些笔记本（维护者）")
def run_fingerprints(args: List[str]) -> int:
    COURSE_NOTEBOOKS.write_text(fingerprint_lines(), encoding="utf-8")
    say(f"已写入 {COURSE_NOTEBOOKS.relative_to(ROOT).as_posix()}：{len(course_notebooks())} 本课程笔记本。请一起提交。")
    return 0


@command("help", "help", "显示这段说明")
def run_help(args: List[str]) -> int:
    print(usage())
    return 0


def find_notebook(which: str) -> Path:
    """"1", "01", "01_concept" and "concept" all name notebook 01."""
    pattern = f"{int(which):02d}_*.ipynb" if which.isdigit() else f"*{which}*.ipynb"
    matches = sorted(NOTEBOOKS.glob(pattern))
    if not matches:
        names = "、".join(p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
        raise CourseError(f"找不到笔记本“{which}”。可以选：{names}。例如：{launch('app 01')}")
    return matches[0]


def root_flags() -> List[str]:
    """JupyterLab refuses root unless told; a cloud VM or container often has only root."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        say("注意：正在以 root（管理员）身份运行。课程照常打开；在自己的电脑上请用普通用户运行，更安全。")
        return ["--allow-root"]
    return []


def free_port(start: int) -> int:
    for port in range(start, start + 50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    return 0


def run_server(cmd: List[str], closed: str, cwd: Path = ROOT) -> int:
    """Run a server in the foreground; Ctrl+C stops it (the server sees the same Ctrl+C and shuts down)."""
    process = subprocess.Popen(cmd, cwd=cwd)
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            continue
    say(closed)
    return 0 if code in (0, -2, 130) else code


# ---------------------------------------------------------------- the Python the course runs on


def check_python(version: str = platform.python_version()) -> None:
    """Refuse a Python older than OLDEST (saying which to install); warn about one newer than NEWEST."""
    here = tuple(int(part) for part in version.split(".")[:2])
    if here < OLDEST:
        ended = "（Python 3.10 及更早的版本已停止维护）" if here <= (3, 10) else ""
        raise CourseError(f"课程需要 Python {dotted(OLDEST)}–{dotted(NEWEST)}，现在运行的是 {version}{ended}。\n"
                          + install_python_hint())
    if here > NEWEST:
        say(f"Python {version} 比课程测试过的版本（{dotted(OLDEST)}–{dotted(NEWEST)}）新，还没有测试过。"
            "先试着安装；如果装不上，会告诉你该换哪个版本。")


def install_python_hint() -> str:
    v = dotted(NEWEST)
    system = platform.system()
    if system == "Windows":
        how = (f"Windows：有“Python 安装管理器”时运行 py install {v}；没有时从下面的 python.org 页面下载安装。\n"
               f"然后在课程文件夹里运行：py -{v} course.py")
    elif system == "Darwin":
        how = f"macOS：从下面的 python.org 页面下载 macOS 安装包（.pkg）安装，然后运行：python{v} course.py"
    else:
        how = (f"Linux：用系统的软件包或 conda（见 README.md）安装 Python {v}，然后运行：python{v} course.py")
    return f"请安装 Python {v}（可以和电脑上已有的 Python 并存）。\n{how}\npython.org 上的 Python {v}：{NEWEST_PAGE}"


def course_env(level: str = "lab") -> Path:
    """The course environment's interpreter, with the course ("lab") or the course and its tests ("test")."""
    check_python()
    python = env_python()
    ensure_packages(python, level)
    return python


def in_conda_env() -> bool:
    prefix = os.environ.get("CONDA_PREFIX")
    return bool(prefix) and Path(prefix).resolve() == Path(sys.prefix).resolve()


def venv_python_version() -> Optional[str]:
    cfg = VENV / "pyvenv.cfg"
    text = cfg.read_text(encoding="utf-8", errors="replace") if cfg.exists() else ""
    match = re.search(r"^version(?:_info)?\s*=\s*(\d+\.\d+)", text, re.MULTILINE)
    return match.group(1) if match else None


def env_python() -> Path:
    """The interpreter of the course environment, created (or re-created for another Python) if needed."""
    if in_conda_env():
        return Path(sys.executable)
    exe = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    made_with, wanted = venv_python_version(), dotted(sys.version_info)
    if exe.exists() and made_with == wanted:
        return exe
    if VENV.exists():
        say(f"{VENV.name}/ 是用 Python {made_with or '?'} 建的，现在用的是 {wanted}：重新建立。")
    say(f"创建虚拟环境 {VENV.name}/ …")
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (subprocess.CalledProcessError, OSError) as error:
        hint = ("Debian/Ubuntu 上先安装 venv 组件：sudo apt install python3-venv（或 python"
                f"{wanted}-venv），再重试。" if platform.system() == "Linux" else "请重新安装 Python 后重试。")
        raise CourseError(f"没能在 {VENV} 创建虚拟环境：这个 Python 缺少 venv/pip 组件，或文件夹不可写。\n{hint}"
                          f"\n（原始信息：{error}）") from None
    return exe


# ---------------------------------------------------------------- installing the packages


def setup_digest() -> str:
    digest = hashlib.sha256()
    for name in SETUP_FILES:
        path = ROOT / name
        digest.update(name.encode() + (path.read_bytes() if path.exists() else b"-"))
    return digest.hexdigest()


def ensure_packages(python: Path, level: str) -> None:
    """pip-install the course ("lab"), with the handout and bundle builders ("site"), or with the test tools
    too ("test"), unless already done."""
    prefix = Path(sys.prefix) if in_conda_env() else VENV
    stamp, digest = prefix / ".xinzhi.stamp", setup_digest()
    done = stamp.read_text().split() if stamp.exists() else []
    if done[:1] == [digest] and level in (["lab"] + done[1:]):
        return
    offline = WHEELHOUSE.is_dir()
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--only-binary=:all:"]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    if offline:
        say(f"使用课程文件夹里的离线安装包（{WHEELHOUSE.name}/），不联网。")
        cmd += ["--no-index", "--find-links", str(WHEELHOUSE)]
        # the participant's own pip settings may name an index or a find-links URL: none may be used here
        env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull
    requirements = LEVELS[level]
    if not in_conda_env():   # conda installed the pinned packages already; add only what is missing
        cmd += ["-r", requirements, "-c", "constraints.txt"]
    elif level != "lab":
        cmd += ["-r", requirements]
    cmd += ["-e", "."]
    say("安装课程所需的软件包（第一次约需 1–2 分钟）…")
    result = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            encoding="utf-8", errors="replace")
    log = prefix / "pip-install.log"
    log.write_text(f"$ {' '.join(cmd)}\n\n{result.stdout}", encoding="utf-8")
    if result.returncode != 0:
        index_works = offline or "(from versions: none)" not in result.stdout or index_answers(python, env)
        raise CourseError(explain_install_failure(result.stdout, offline, log, python, index_works))
    install_jupyter_settings(python)
    trust_course_notebooks(python)
    stamp.write_text(" ".join([digest, *list(LEVELS)[:list(LEVELS).index(level) + 1]]))


# What pip prints when the package index cannot be reached or refuses to answer.
NETWORK_SIGNS = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
                 "Name or service not known", "getaddrinfo failed", "nodename nor servname", "Max retries exceeded",
                 "ConnectTimeout", "ReadTimeout", "timed out", "ProxyError", "SSLError", "CERTIFICATE_VERIFY_FAILED",
                 "Could not fetch URL", "Connection refused", "Network is unreachable", "ConnectionResetError",
                 "HTTP error", "Client Error", "Server Error")


def index_answers(python: Path, env: Dict[str, str]) -> bool:
    """Whether the package index answers at all: it lists pip itself, which has a wheel for every computer.

    pip says "from versions: none" both when the index is unreachable or blocked and when no wheel fits."""
    return subprocess.run([str(python), "-m", "pip", "index", "versions", "pip", "--disable-pip-version-check"],
                          env=env, capture_output=True).returncode == 0


def explain_install_failure(output: str, offline: bool, log: Path, python: Path, index_works: bool = True) -> str:
    """pip's output → what failed and what to do next, in Chinese."""
    missing = re.search(r"No matching distribution found for ([A-Za-z0-9_.\-\[\]]+)(?:\s*==\s*([\w.+!]+))?", output)
    package = f"{missing.group(1)} {missing.group(2) or ''}".strip() if missing else ""
    here = platform.python_version()
    computer = f"Python {here}，{platform.system()} {platform.machine()}"
    if offline:
        what = f"离线安装包（{WHEELHOUSE.name}/）里没有适用于这台电脑（{computer}）的 {package or '全部软件包'}。"
        return (f"安装失败：{what}\n"
                f"可以这样做：向讲师要包含这台电脑所用版本的离线安装包；或者联网后把 {WHEELHOUSE.name} 文件夹改名"
                f"（例如 {WHEELHOUSE.name}-old），再运行 {launch()}，从网上安装。\n详细记录：{log}")
    if not index_works or any(sign in output for sign in NETWORK_SIGNS):
        return network_help(log, python)
    if package and sys.version_info[:2] > NEWEST:
        return (f"安装失败：{package} 还没有适用于 Python {here} 的安装包（wheel）。"
                f"课程测试过的是 Python {dotted(OLDEST)}–{dotted(NEWEST)}。\n{install_python_hint()}")
    if package:
        return (f"安装失败：找不到适用于这台电脑（{computer}）的 {package} 安装包（wheel）；"
                "如果用的是 PyPI 镜像，也可能是镜像里缺这个包。\n"
                f"可以这样做：换用 64 位的 Python {dotted(NEWEST)} 再试，或者按 README.md 用 conda（environment.yml）安装。\n"
                f"{install_python_hint()}\n详细记录：{log}")
    first_error = next((line.strip() for line in output.splitlines() if line.startswith("ERROR")), "")
    return (f"安装失败，原因不常见。可以这样做：再运行一次 {launch()}；仍然失败时，把详细记录发给讲师或技术人员。\n"
            f"详细记录：{log}" + (f"\n（原始信息：{first_error}）" if first_error else ""))


def network_help(log: Path, python: Path) -> str:
    pip = python.relative_to(ROOT) if ROOT in python.parents else Path(python.name)
    return "\n".join([
        "安装失败：连不上软件包仓库（PyPI），或者网络拦截了它，所需的软件包没有下载下来。",
        "可以这样做：",
        f"1. 检查网络或代理后重试：再运行一次 {launch()}。已经下载的软件包不会重复下载。",
        "2. 单位网络访问不了 PyPI 时，改用 PyPI 镜像：向单位的信息中心或讲师要一个镜像地址，用 pip 自己的",
        "   index-url 设置记下它（只需设置一次），然后重试：",
        f"       {pip} -m pip config set global.index-url 镜像地址",
        f"   只想这一次使用镜像：先设置环境变量 PIP_INDEX_URL=镜像地址，再运行 {launch()}。",
        f"3. 完全没有网络时，用离线安装包：向讲师要课程的离线安装包（里面有 {WHEELHOUSE.name} 文件夹），",
        f"   解压后在那个文件夹里运行 {launch()}，安装时不联网。",
        f"详细记录：{log}",
    ])


# ---------------------------------------------------------------- Jupyter settings and trusted notebooks


def install_jupyter_settings(python: Path) -> None:
    """Chinese JupyterLab, quiet kernels, and a Chinese notice for browsers too old for JupyterLab.

    The files go into the environment's own prefix, so they apply to every JupyterLab and Voilà started from
    it (the classroom server's too) and to nothing else on the machine.
    """
    prefix = Path(subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    etc, lab = prefix / "etc/jupyter", prefix / "share/jupyter/lab"
    for folder in (etc / "jupyter_server_config.d", lab / "settings/overrides.d"):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(JUPYTER / "xinzhi_lab_settings.json", lab / "settings/overrides.d/xinzhi_lab_settings.json")
    shutil.copyfile(JUPYTER / "xinzhi_extensions.json", etc / "jupyter_server_config.d/xinzhi_extensions.json")
    server = json.loads((JUPYTER / "jupyter_server_config.json").read_text(encoding="utf-8"))
    if (lab / "static/index.html").exists():   # our page template extends JupyterLab's own one
        shutil.copyfile(JUPYTER / "lab_index.html", lab / "index.html")
        server["LabApp"] = {"templates_dir": str(lab)}
    voila = {"KernelManager": server["KernelManager"],
             "Voila": {"kernel_websocket_connection_class": server["ServerApp"]["kernel_websocket_connection_class"]}}
    for name, config in [("jupyter_server_config.json", server), ("voila.json", voila)]:
        (etc / name).write_text(json.dumps(config, indent=2), encoding="utf-8")


def notebook_digest(path: Path) -> str:
    """SHA-256 of a notebook with its line endings as committed (a Windows checkout may turn them into CRLF)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def course_notebooks() -> List[Path]:
    """The course's own notebooks: those whose SHA-256 matches jupyter/course_notebooks.sha256."""
    if not COURSE_NOTEBOOKS.exists():
        return []
    found = []
    for line in COURSE_NOTEBOOKS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            path = NOTEBOOKS / name.lstrip("*")
            if path.is_file() and notebook_digest(path) == digest:
                found.append(path)
    return found


def fingerprint_lines() -> str:
    """jupyter/course_notebooks.sha256 as it should read for the notebooks in the folder now."""
    return "".join(f"{notebook_digest(p)}  {p.name}\n" for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))


def trust_course_notebooks(python: Path) -> None:
    """Mark the course's own notebooks trusted (Jupyter's signature); nothing else in the folder."""
    paths = [str(p) for p in course_notebooks()]
    if paths and subprocess.run([str(python), "-m", "jupyter", "trust", *paths],
                                capture_output=True).returncode != 0:
        say("提示：没能把课程笔记本标记为“可信”。不影响学习；演示模式的窗口里可能多几行英文提示。")


def ensure_chromium() -> None:
    """The browser tests drive the system's Chromium; install it on Debian/Ubuntu when missing."""
    if os.environ.get("XINZHI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if platform.system() == "Linux" and shutil.which("apt-get"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        say("安装浏览器测试所需的 Chromium（apt-get）…")
        subprocess.run(sudo + ["apt-get", "update", "-q"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "chromium"], check=True)
        return
    say("浏览器测试需要 Chromium 或 Chrome：请安装后把其路径写入环境变量 XINZHI_CHROMIUM。")


# ---------------------------------------------------------------- main


def main(argv: List[str]) -> int:
    name = argv[0] if argv else "lab"
    name = {"-h": "help", "--help": "help"}.get(name, name)
    if name not in COMMANDS:
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        say(f"没有“{name}”这个命令。" + (f"你是不是想输入：{launch(close[0])}？" if close else ""))
        print(usage())
        return 2
    try:
        return COMMANDS[name].run(argv[1:])
    except CourseError as error:
        say(str(error))
        return 1
    except KeyboardInterrupt:
        say("已停止。")
        return 130
    except BrokenPipeError:   # e.g. the help piped into `head`
        return 1
    except (OSError, subprocess.CalledProcessError) as error:
        say(f"出错了：{error}\n可以这样做：再运行一次 {launch(' '.join(argv))}；仍然出错时，把这几行发给讲师或技术人员。")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
