"""tests/processes.py: what a test's server started in a session of its own is found by its mark, and stopped; a server
that exits while starting fails at once."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from . import processes

# A server that starts a helper in a session of its own, as JupyterHub starts its proxy, then says it is up.
SERVER = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
          "start_new_session=True); print('up', flush=True); time.sleep(120)")


@pytest.fixture
def mark():
    mark = processes.new_mark("check")
    yield mark
    processes.kill(processes.marked(mark))   # whatever a failing test left


def start(mark: str) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-c", SERVER], env={**os.environ, processes.MARK: mark},
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert server.stdout.readline().strip() == "up"
    return server


def test_what_a_killed_server_started_is_found_and_stopped(mark):
    server = start(mark)
    server.kill()   # the server alone, as stopping a hub's process group did: its helper runs on
    server.wait()
    server.stdout.close()
    assert len(processes.marked(mark)) == 1, "the helper outlives its server"
    assert len(processes.left_behind("check")) == 1 and not processes.marked(mark)


def test_stop_ends_the_server_and_what_it_started(mark):
    server = start(mark)
    processes.stop(server, mark, grace=5)
    server.stdout.close()
    assert server.returncode is not None and not processes.marked(mark)
    assert not processes.left_behind("check")


def test_a_server_that_exits_while_starting_fails_at_once_with_its_log(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("OSError: [Errno 98] Address already in use\n", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(RuntimeError, match="(?s)exited with 3.*Address already in use"):
        processes.wait_until_up(server, lambda: False, 600, "the server", log)


def test_what_a_killed_test_run_left_is_killed_by_the_next(mark):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])   # a test process that has ended
    gone.wait()
    orphan, ours = start(f"check-{gone.pid}-orphan"), start(mark)
    try:
        processes.kill_orphans("check")
        assert orphan.wait(timeout=10) is not None and not processes.marked(f"check-{gone.pid}-")
        assert ours.poll() is None and len(processes.marked(mark)) == 2, "a live test process's servers stay"
    finally:
        processes.kill(processes.marked(f"check-{gone.pid}-"))
        for server in (orphan, ours):
            server.stdout.close()
        processes.stop(ours, mark, grace=5)
