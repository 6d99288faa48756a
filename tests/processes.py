"""A server a test starts, and every process it starts in turn, found by a mark in their environment.

JupyterHub starts its proxy, each service (the class view, the idle culler) and each participant's server in a
session of its own, so none of them is in the hub's process group, and once the hub has gone (killed, or exited
because a port was taken) none is its child either: stopping the hub's group or its children leaves them running.
So every process of a test's hub carries ``XINZHI_TEST_MARK=hub-<pid of the test process>-<random>`` in its
environment: the hub's own (the proxy inherits it), ``Spawner.environment`` and each service's ``environment``
(:func:`config`); kernels inherit it from their server, as a Jupyter server's (``server-…``) do. :func:`stop` ends
whatever carries one mark, and :func:`nothing_left_running` makes a folder's tests fail when its servers left
anything running.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import psutil
import pytest

MARK = "XINZHI_TEST_MARK"


def new_mark(kind: str = "server") -> str:
    return f"{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def config(mark: str) -> str:
    """JupyterHub configuration lines that hand ``mark`` to the servers and services the hub starts."""
    return f"""
c.Spawner.environment = dict(c.Spawner.environment, {MARK}={mark!r})
for _service in c.JupyterHub.services:
    if "command" in _service:  # a service the hub starts itself
        _service["environment"] = dict(_service.get("environment", {{}}), {MARK}={mark!r})
"""


def wait_until_up(process: subprocess.Popen, answers, limit: float, what: str, log: Path) -> float:
    """Seconds until ``answers()`` is true (a server the test started answers). A server that exits on the way fails
    at once, one that never answers after ``limit`` seconds; either way with the end of its ``log``."""
    began = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before answering:\n{tail(log)}")
        try:
            if answers():
                return time.monotonic() - began
        except OSError:   # not listening yet (requests' errors are OSErrors too)
            pass
        if time.monotonic() - began > limit:
            raise TimeoutError(f"{what}: no answer after {limit:.0f} s:\n{tail(log)}")
        time.sleep(0.25)


def tail(log: Path, lines: int = 60) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def marked(prefix: str) -> list[psutil.Process]:
    """Every running process whose mark starts with ``prefix`` (one mark, or a kind and a test process's pid), but
    this process and those that started it (a script run with the mark, such as tests/publish/offline_classroom.py)."""
    if not prefix:
        raise ValueError("a mark or a kind is needed: an empty prefix would name every process")
    found, mine = [], {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    for proc in psutil.process_iter():
        try:
            if (proc.pid not in mine and proc.environ().get(MARK, "").startswith(prefix)
                    and proc.status() != psutil.STATUS_ZOMBIE):
                found.append(proc)
        except psutil.Error:   # gone, or a process of the kernel's
            continue
    return found


def kill(procs: list[psutil.Process]) -> None:
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def stop(process: subprocess.Popen, mark: str, grace: float = 30) -> None:
    """SIGTERM to ``process`` (a hub stops its proxy, services and servers itself, a Jupyter server its kernels), then
    kill what still carries ``mark``: everything, when it had already gone or did not stop within ``grace`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    kill(marked(mark))


def left_behind(kind: str) -> list[str]:
    """What this test process's servers of ``kind`` left running: killed, and described for a failure message."""
    left = marked(f"{kind}-{os.getpid()}-")
    described = []
    for proc in left:
        try:
            described.append(f"{proc.pid} {' '.join(proc.cmdline())[:160]}")
        except psutil.Error:
            described.append(str(proc.pid))
    kill(left)
    return described


def kill_orphans(kind: str) -> None:
    """Kill what servers of ``kind`` started for test processes that are gone (a run killed before its teardown)."""
    orphans = []
    for proc in marked(f"{kind}-"):
        try:
            owner = proc.environ()[MARK].split("-")[1]
        except (psutil.Error, KeyError, IndexError):
            continue
        if owner.isdigit() and not psutil.pid_exists(int(owner)):
            orphans.append(proc)
    kill(orphans)


def nothing_left_running(kind: str):
    """A fixture for a test folder's conftest.py: after the folder's last test, and its servers' teardown, nothing
    that its servers of ``kind`` started is still running (what is, is killed, and the run fails). Before the first,
    what a killed run left behind is killed."""
    @pytest.fixture(scope="package", autouse=True)
    def nothing_left_running():
        kill_orphans(kind)
        yield
        left = left_behind(kind)
        assert not left, "still running after the tests (now killed):\n" + "\n".join(left)
    return nothing_left_running
