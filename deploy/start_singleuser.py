"""学员服务器的启动脚本 / Start script of a participant's single-user server (runs as the participant).

JupyterHub runs ``<course python> deploy/start_singleuser.py [spawner args]`` instead of ``jupyterhub-singleuser``.
Before handing over to ``jupyterhub-singleuser`` (same process, via exec) it:

1. copies the course notebooks into ``~/xinzhi/`` — only files the participant does not have yet. A course
   update therefore adds new notebooks and never overwrites a participant's edited copy; to get the newest
   version of one notebook, the participant renames or deletes their copy and restarts the server;
2. points the course's workspace (``XINZHI_WORKSPACE``) at ``~/xinzhi/my_work``, inside the participant's home,
   so saved work survives restarts, culling and course updates;
3. makes the home folder private (mode 700) when the participant owns it;
4. opens JupyterLab on ``~/xinzhi`` at notebook 00 and stops kernels idle for 20 minutes (a participant who
   opened every notebook would otherwise keep nine kernels in memory). Later command-line options win;
5. connects the server to its kernels over Unix sockets in ``~/.jupyter-run`` (mode 700) instead of TCP ports
   on 127.0.0.1: on a shared machine any user can subscribe to a kernel's TCP output port and read what it
   prints (the messages are signed, not encrypted), and kernels started by a whole class at once can race for
   the same port. When the home path is too long for a socket path, kernels stay on TCP (a line on stderr).

Environment: ``XINZHI_COURSE_NOTEBOOKS`` — the folder to copy from (default: ``notebooks/`` of this checkout).

``start_singleuser.py --copy-only`` does steps 1–3 and exits: a teacher can hand new notebooks to running
participants without restarting anything (see deploy/README.md).
"""
from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

COURSE_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FOLDER_NAME = "xinzhi"
SKIP = {"my_work", ".ipynb_checkpoints", "__pycache__"}
SOCKET_PATH_LIMIT = 107  # bytes in a Unix socket path on Linux (108 with the final NUL)
SERVER_DEFAULTS = [
    "--LabApp.default_url=/lab/tree/00_guide.ipynb",
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=False",
]


def copy_missing(source: Path, target: Path) -> list[str]:
    """Copy every file under ``source`` that is missing under ``target``; never touch an existing file."""
    added = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if SKIP & set(relative.parts) or not path.is_file():
            continue
        destination = target / relative
        if destination.exists() or destination.is_symlink():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
        os.close(handle)
        try:
            shutil.copyfile(path, temporary)
            os.link(temporary, destination)  # fails if the file appeared meanwhile: it is then left alone
            added.append(str(relative))
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return added


def make_private(home: Path) -> None:
    try:
        info = home.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            home.chmod(0o700)
    except OSError as err:  # e.g. a volume owned by root: report, do not stop the server
        print(f"[xinzhi] could not make {home} private: {err}", file=sys.stderr)


def prepare(home: Path, source: Path) -> Path:
    course = home / FOLDER_NAME
    workspace = course / "my_work"
    workspace.mkdir(parents=True, exist_ok=True)
    make_private(home)
    if source.is_dir():
        added = copy_missing(source, course)
        if added:
            print(f"[xinzhi] copied {len(added)} new course file(s): {', '.join(added)}", file=sys.stderr)
    else:
        print(f"[xinzhi] course notebooks not found at {source}; nothing copied", file=sys.stderr)
    os.environ["XINZHI_WORKSPACE"] = str(workspace)  # always per participant, never a shared folder
    return course


def kernel_sockets(home: Path) -> list[str]:
    """Server options for kernels on Unix sockets in a private folder, or none if the socket path would not fit."""
    runtime = home / ".jupyter-run"
    if len(f"{runtime}/kernel-{'0' * 36}-ipc-99") > SOCKET_PATH_LIMIT:
        print(f"[xinzhi] {runtime} is too long a path for kernel sockets; kernels use TCP", file=sys.stderr)
        return []
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    return ["--KernelManager.transport=ipc"]


def main(argv: list[str]) -> None:
    home = Path(os.environ.get("HOME") or Path.home())
    source = Path(os.environ.get("XINZHI_COURSE_NOTEBOOKS") or COURSE_NOTEBOOKS)
    course = prepare(home, source)
    if argv[:1] == ["--copy-only"]:
        return
    os.chdir(course)
    args = [sys.executable, "-m", "jupyterhub.singleuser", f"--ServerApp.root_dir={course}", *SERVER_DEFAULTS,
            *kernel_sockets(home), *argv]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main(sys.argv[1:])
