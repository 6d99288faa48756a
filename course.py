#!/usr/bin/env python3
"""课程启动器 / Course launcher — needs only Python 3.10–3.12.

    python3 course.py              安装缺少的软件包，打开 JupyterLab（中文界面）
    python3 course.py test         安装缺少的软件包，运行全部测试
    python3 course.py app 01       演示模式：把笔记本 01 作为应用打开（不显示代码）

Everything is installed into ``.venv`` beside this file (or into the active conda environment made
from environment.yml). A second run installs nothing unless a requirements file changed.
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
NOTEBOOKS = ROOT / "notebooks"
STAMP_FILES = ["requirements.txt", "requirements-test.txt", "constraints.txt", "pyproject.toml",
               "jupyter/xinzhi_lab_settings.json", "jupyter/xinzhi_server.json"]


def say(message: str) -> None:
    print(f"[课程] {message}", flush=True)


def in_conda_env() -> bool:
    prefix = os.environ.get("CONDA_PREFIX")
    return bool(prefix) and Path(prefix).resolve() == Path(sys.prefix).resolve()


def env_python() -> Path:
    """The interpreter of the course environment, created if missing."""
    if in_conda_env():
        return Path(sys.executable)
    exe = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not exe.exists():
        if not (3, 10) <= sys.version_info[:2] <= (3, 12):
            sys.exit(f"[课程] 需要 Python 3.10–3.12，当前是 {platform.python_version()}。请安装合适的版本后重试。")
        say(f"创建虚拟环境 {VENV.name}/ …")
        venv.EnvBuilder(with_pip=True).create(VENV)
    return exe


def ensure_packages(python: Path, *, for_tests: bool) -> None:
    """pip-install the course (and test tools) unless the same files were installed before."""
    requirements = "requirements-test.txt" if for_tests else "requirements.txt"
    digest = hashlib.sha256(requirements.encode())
    for name in STAMP_FILES:
        path = ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"")
    stamp = Path(sys.prefix if in_conda_env() else VENV) / f".xinzhi-{'test' if for_tests else 'lab'}.stamp"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    say("安装课程所需的软件包（第一次约需 1 分钟）…")
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if not in_conda_env():  # conda installed the pinned packages already; add only what is missing
        cmd += ["-r", requirements, "-c", "constraints.txt"]
    elif for_tests:
        cmd += ["-r", requirements]
    cmd += ["-e", "."]
    subprocess.run(cmd, cwd=ROOT, check=True)
    install_jupyter_settings(python)
    stamp.write_text(digest.hexdigest())


def install_jupyter_settings(python: Path) -> None:
    """Chinese JupyterLab with the news pop-up off, and a server bound to 127.0.0.1 (token left on).

    The files go into the environment's own prefix, so they apply to every JupyterLab started from it
    and to nothing else on the machine.
    """
    prefix = Path(subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    for source, target in [("xinzhi_lab_settings.json", "share/jupyter/lab/settings/overrides.d"),
                           ("xinzhi_server.json", "etc/jupyter/jupyter_server_config.d")]:
        (prefix / target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "jupyter" / source, prefix / target / source)


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


def run_lab(python: Path) -> int:
    say("正在打开 JupyterLab；结束时在此窗口按 Ctrl+C。")
    return subprocess.call([str(python), "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1",
                            f"--ServerApp.root_dir={NOTEBOOKS}", "--LabApp.default_url=/lab/tree/00_guide.ipynb"])


def run_app(python: Path, which: str | None) -> int:
    matches = sorted(NOTEBOOKS.glob(f"{which or '00'}*.ipynb"))
    if not matches:
        names = ", ".join(p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb")))
        sys.exit(f"[课程] 找不到笔记本“{which}”。可选：{names}")
    say(f"演示模式：{matches[0].name}（浏览器会自动打开；结束时按 Ctrl+C）")
    return subprocess.call([str(python), "-m", "voila", str(matches[0]), "--Voila.ip=127.0.0.1",
                            "--theme=light", f"--Voila.root_dir={NOTEBOOKS}"], cwd=NOTEBOOKS)


def run_tests(python: Path, args: list[str]) -> int:
    ensure_chromium()
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "lab"
    if command in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    if command not in {"lab", "test", "app"}:
        print(__doc__)
        return 2
    python = env_python()
    ensure_packages(python, for_tests=command == "test")
    if command == "test":
        return run_tests(python, argv[1:])
    if command == "app":
        return run_app(python, argv[1] if len(argv) > 1 else None)
    return run_lab(python)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
