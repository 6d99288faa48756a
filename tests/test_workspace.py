"""A participant's work survives a killed kernel, and a damaged file is kept and reported."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from xinzhi import workspace
from xinzhi.errors import CourseError


def test_save_and_load_round_trip(private_workspace):
    path = workspace.save("answers", {"被乘数": "数字经济", "值": [1, 2.5]})
    assert path.parent == private_workspace
    assert workspace.load("answers").value == {"被乘数": "数字经济", "值": [1, 2.5]}
    assert workspace.load("nothing", default=3).value == 3


def test_names_cannot_escape_the_workspace():
    with pytest.raises(ValueError):
        workspace.save("../evil", 1)


def test_unsavable_values_give_a_chinese_message():
    with pytest.raises(CourseError, match="无法保存"):
        workspace.save("bad", {"x": float("nan")})


def test_interrupted_write_leaves_the_previous_version(private_workspace, monkeypatch):
    workspace.save("plan", {"version": 1})

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # the kernel was interrupted between writing and replacing

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(KeyboardInterrupt):
            workspace.save("plan", {"version": 2})
    assert workspace.load("plan").value == {"version": 1}
    assert [p.name for p in private_workspace.iterdir()] == ["plan.json"], "no temporary file is left behind"


def test_kernel_killed_mid_save_keeps_the_previous_version(private_workspace):
    workspace.save("big", {"version": 1})
    script = textwrap.dedent(f"""
        import os, sys, time
        os.environ["XINZHI_WORKSPACE"] = {str(private_workspace)!r}
        from xinzhi import workspace
        real_fsync = os.fsync
        def slow_fsync(fd):
            print("writing", flush=True)
            time.sleep(30)
        os.fsync = slow_fsync
        workspace.save("big", {{"version": 2, "pad": "x" * 5_000_000}})
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert workspace.load("big").value == {"version": 1}


def test_damaged_file_is_kept_as_a_backup_and_reported(private_workspace):
    target = private_workspace / "notes.json"
    private_workspace.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b'{"value": "half a fil')
    result = workspace.load("notes", default={})
    assert result.value == {}
    assert "损坏" in result.note and result.backup.exists()
    assert result.backup.read_bytes() == b'{"value": "half a fil'
    workspace.save("notes", {"fresh": True})
    assert result.backup.exists(), "the damaged original is never overwritten"
    assert json.loads(target.read_text(encoding="utf-8"))["value"] == {"fresh": True}


def test_two_damaged_files_get_two_backups(private_workspace):
    private_workspace.mkdir(parents=True, exist_ok=True)
    backups = set()
    for _ in range(2):
        (private_workspace / "n.json").write_text("not json", encoding="utf-8")
        backups.add(workspace.load("n").backup)
    assert len(backups) == 2 and all(b.exists() for b in backups)


def test_path_for_stays_inside(private_workspace):
    assert workspace.path_for("../../x.png") == private_workspace / "x.png"
