"""Participants as separate system users, made as The Littlest JupyterHub makes them (for the hub test only).

TLJH's spawner runs ``useradd --create-home jupyter-NAME`` and ``chmod o-rwx`` on the new home at a participant's
first start, then starts the server as that user. :class:`SystemUserSpawner` does the same with JupyterHub's
local-process spawner, under a test prefix and a temporary home base; the test removes the users afterwards.

The course environment of a test run may sit under a folder that other users cannot enter (``/root`` for a
Python built by pyenv, a private checkout). A real server keeps it where every user can read it (TLJH:
``/opt/tljh/user``). Here each server is started in a mount namespace of its own in which such a folder is
replaced by an empty one holding only the paths the course needs (``reachable_paths``); the host's permissions
are never changed, and the participant sees less of the machine, not more.
"""
from __future__ import annotations

import asyncio
import ctypes
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import List, Unicode

COMMENT = "xinzhi hub test, pid "  # + the pid of the test process: users of a crashed run can be found and removed
CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE, MNT_DETACH = 0x20000, 0x1000, 0x4000, 0x40000, 2
_useradd = asyncio.Lock()


def create_user(name: str, home_base: str, owner_pid: int) -> pwd.struct_passwd:
    """``useradd --create-home`` and ``chmod o-rwx`` as TLJH does, with the home under ``home_base``."""
    subprocess.run(["useradd", "--create-home", "--base-dir", home_base, "--shell", "/bin/bash",
                    "--comment", f"{COMMENT}{owner_pid}", name], check=True, capture_output=True)
    entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, os.stat(entry.pw_dir).st_mode & ~0o007)
    return entry


def ensure_user(name: str, home_base: str, owner_pid: int) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return create_user(name, home_base, owner_pid)


def remove_users(prefix: str, only_stale: bool = False) -> list[str]:
    """Kill the processes of, and delete, the test's users with ``prefix`` (only those of dead runs if asked)."""
    import psutil

    from tests.processes import kill   # here: the hub imports this module without the tests package
    doomed = {}
    for entry in pwd.getpwall():
        if not entry.pw_name.startswith(prefix) or not entry.pw_gecos.startswith(COMMENT):
            continue
        owner = entry.pw_gecos[len(COMMENT):]
        if not (only_stale and owner.isdigit() and psutil.pid_exists(int(owner))):
            doomed[entry.pw_uid] = entry.pw_name
    if doomed:
        kill([p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in doomed])
    for name in doomed.values():
        subprocess.run(["userdel", "--remove", name], capture_output=True)
    return list(doomed.values())


def _blocked(path: str) -> Path | None:
    """The top-most folder on the way to ``path`` (itself included) that other users cannot enter, if any."""
    for folder in [*reversed(Path(path).parents), Path(path)]:
        if folder.is_dir() and not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def open_paths(paths: list[str]) -> None:
    """In a new mount namespace (call as root, in the child): make ``paths`` reachable through blocked folders."""
    if not any(_blocked(p) for p in paths):
        return
    libc = ctypes.CDLL(None, use_errno=True)

    def check(result: int, what: str) -> None:
        if result != 0:
            number = ctypes.get_errno()
            raise OSError(number, f"{what}: {os.strerror(number)}")

    def mount(source, target, fstype, flags, data=None):
        encode = lambda text: str(text).encode() if text else None  # noqa: E731
        check(libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")

    check(libc.unshare(CLONE_NEWNS), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing below leaks to the host
    for _ in range(16):  # one level of blocked folders per round
        blocked: dict[Path, set[str]] = {}
        for path in paths:
            folder = _blocked(path)
            if folder:  # the next name below it, or everything in it when the path itself is closed
                blocked.setdefault(folder, set()).update(Path(path).relative_to(folder).parts[:1] or os.listdir(folder))
        if not blocked:
            return
        for folder, children in blocked.items():
            stage = tempfile.mkdtemp(prefix="xinzhi-hub-stage-")
            mount(folder, stage, None, MS_BIND | MS_REC)
            mount("tmpfs", folder, "tmpfs", 0, "mode=0755")
            for child in children:
                source, target = Path(stage) / child, folder / child
                target.mkdir() if source.is_dir() else target.touch()
                mount(source, target, None, MS_BIND | MS_REC)
            check(libc.umount2(stage.encode(), MNT_DETACH), f"umount {stage}")
            os.rmdir(stage)
    raise OSError(f"still not reachable: {paths}")


class SystemUserSpawner(LocalProcessSpawner):
    """JupyterHub's local-process spawner with one system user per participant, created at the first start."""

    system_prefix = Unicode(config=True, help="Prefix of the system user names (TLJH: 'jupyter-').")
    home_base = Unicode(config=True, help="Where useradd puts the homes (TLJH: /home).")
    owner_pid = Unicode(config=True, help="The test process, written into each user's comment.")
    reachable_paths = List(Unicode(), config=True, help="Paths the servers need to read (the course environment).")

    def system_name(self) -> str:
        return self.system_prefix + self.user.name

    async def start(self):
        async with _useradd:  # useradd locks /etc/passwd: one at a time
            await asyncio.to_thread(ensure_user, self.system_name(), self.home_base, int(self.owner_pid))
        return await super().start()

    def make_preexec_fn(self, name):
        become_user, paths = set_user_setuid(self.system_name()), list(self.reachable_paths)

        def preexec():
            open_paths(paths)
            become_user()
        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(self.system_name())
        env.update(USER=entry.pw_name, HOME=entry.pw_dir, SHELL=entry.pw_shell)
        return env


def open_service_paths(paths: list[str]) -> None:
    """Managed services (the class view) start in a mount namespace where ``paths`` are reachable, as servers do:
    the class view starts as root and becomes its own account, which must still reach the course environment."""
    from jupyterhub.services import service

    def make_preexec_fn(self, name):
        become_user = set_user_setuid(name, chdir=False) if name else None

        def preexec():
            open_paths(paths)
            if become_user:
                become_user()
        return preexec
    service._ServiceSpawner.make_preexec_fn = make_preexec_fn
