"""A participant's work survives a killed kernel, and a damaged file is kept and reported."""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

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
        def slow_fsync(fd):
            print("writing", flush=True)
            time.sleep(30)
        os.fsync = slow_fsync
        workspace.save("big", {{"version": 2, "pad": "x" * 5_000_000}})
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    [temporary] = private_workspace.glob(".*.tmp")
    os.utime(temporary, (time.time() - 60, time.time() - 60))
    workspace.load("big")
    assert temporary.exists(), "held by its writer: no other save or load removes it meanwhile"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert workspace.load("big").value == {"version": 1}
    assert not temporary.exists(), "the killed writer's leftover is removed at the next load"


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


# --- faults of the folder and the disk: a Chinese note, earlier work untouched --------------------------

def test_a_folder_that_cannot_be_created_gives_a_chinese_note(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XINZHI_WORKSPACE", str(blocker / "my_work"))
    with pytest.raises(workspace.WorkspaceError, match="无法创建") as caught:
        workspace.save("plan", {"x": 1})
    assert isinstance(caught.value, CourseError) and isinstance(caught.value, OSError)
    assert "路径中有一段是文件" in str(caught.value)
    result = workspace.load("plan", default={"fresh": True})
    assert result.value == {"fresh": True} and "无法创建" in result.note
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_damaged_file_on_a_read_only_disk_is_left_as_it_is(private_workspace, monkeypatch):
    private_workspace.mkdir(parents=True)
    (private_workspace / "plan.json").write_bytes(b'{"value": "half')

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    result = workspace.load("plan", default={})
    assert result.value == {} and "无法改名保留" in result.note and "磁盘是只读的" in result.note
    with pytest.raises(workspace.WorkspaceError, match="没有保存"):
        workspace.save("plan", {"new": 1})
    assert (private_workspace / "plan.json").read_bytes() == b'{"value": "half'


def test_a_file_that_cannot_be_read_is_not_renamed_nor_overwritten(private_workspace, monkeypatch):
    workspace.save("plan", {"version": 1})
    real_read_bytes = Path.read_bytes

    def refused(self):
        if self.name == "plan.json":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_read_bytes(self)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "read_bytes", refused)
        result = workspace.load("plan", default=None)
        assert result.value is None and "没有访问权限" in result.note and result.backup is None
        with pytest.raises(workspace.WorkspaceError):
            workspace.save("plan", {"version": 2})
    assert workspace.load("plan").value == {"version": 1}


def test_a_full_disk_leaves_the_previous_version_and_no_temporary_file(private_workspace, monkeypatch):
    workspace.save("plan", {"version": 1})

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", full)
        with pytest.raises(workspace.WorkspaceError, match="磁盘已满"):
            workspace.save("plan", {"version": 2})
    assert workspace.load("plan").value == {"version": 1}
    assert sorted(p.name for p in private_workspace.iterdir()) == ["plan.json"]


# --- temporary files left by a crash --------------------------------------------------------------------

def _leftover(folder, name="plan.json", age=60.0):
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.abc123.tmp"
    temporary.write_bytes(b"x" * 1000)
    old = time.time() - age
    os.utime(temporary, (old, old))
    return temporary


@pytest.mark.parametrize("action", [lambda: workspace.save("other", 1), lambda: workspace.load("other")])
def test_leftover_temporary_files_are_removed_at_the_next_save_or_load(private_workspace, action):
    stale = _leftover(private_workspace)
    fresh = _leftover(private_workspace, "fresh.json", age=0)
    action()
    assert not stale.exists(), "a crash's leftover is cleaned"
    assert fresh.exists(), "a file that may be being written right now is left alone"


@pytest.mark.skipif(os.name == "nt", reason="on Windows an open file cannot be deleted at all")
def test_a_temporary_file_still_being_written_is_never_removed(private_workspace):
    import fcntl

    busy = _leftover(private_workspace)
    with open(busy, "rb") as stream:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX)   # as a writer (a slow disk, another kernel) holds it
        workspace.load("plan")
        assert busy.exists()
    workspace.load("plan")
    assert not busy.exists()


def test_concurrent_saves_of_one_name_never_fail_nor_damage_it(private_workspace):
    private_workspace.mkdir(parents=True)
    script = textwrap.dedent(f"""
        import os, sys
        os.environ["XINZHI_WORKSPACE"] = {str(private_workspace)!r}
        import xinzhi.workspace as workspace
        workspace.STALE_AFTER = 0.0          # clean as eagerly as possible: no writer may lose its file
        me = int(sys.argv[1])
        for i in range(40):
            workspace.save("shared", {{"writer": me, "i": i, "pad": "字" * 20_000}})
            assert workspace.load("shared").note == ""
    """)
    children = [subprocess.Popen([sys.executable, "-c", script, str(n)], stderr=subprocess.PIPE, text=True)
                for n in range(4)]
    for child in children:
        assert child.wait(timeout=300) == 0, child.stderr.read()
    assert workspace.load("shared").value["i"] == 39
    assert not list(private_workspace.glob(".*.tmp"))


# --- two copies of one notebook ----------------------------------------------------------------------

def test_two_copies_of_a_notebook_keep_their_own_saves(private_workspace, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/p/notebooks/08_capstone.ipynb")
    original = workspace.save("work", {"text": "原稿"}, per_notebook=True)
    assert original.name == "work.json"
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/08_capstone-Copy1.ipynb")
    first = workspace.load("work", per_notebook=True)
    assert first.value == {"text": "原稿"} and first.copied_from == "08_capstone.ipynb" and first.note == ""
    copy = workspace.save("work", {"text": "副本的改动"}, per_notebook=True)
    assert copy.name == "work--08_capstone-Copy1.json"
    assert workspace.load("work", per_notebook=True).value == {"text": "副本的改动"}
    monkeypatch.setenv("JPY_SESSION_NAME", "08_capstone.ipynb")     # the server started in another folder
    assert workspace.load("work", per_notebook=True).value == {"text": "原稿"}
    workspace.save("work", {"text": "原稿第二版"}, per_notebook=True)
    monkeypatch.setenv("JPY_SESSION_NAME", "08_capstone-Copy1.ipynb")
    assert workspace.load("work", per_notebook=True).value == {"text": "副本的改动"}


def test_copies_named_in_chinese_do_not_share_a_file(private_workspace, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "08_capstone.ipynb")
    workspace.save("work", 0, per_notebook=True)
    paths = set()
    for n, name in enumerate(["08_我的版本.ipynb", "08_你的版本.ipynb", "08_capstone-副本 (2).ipynb"]):
        monkeypatch.setenv("JPY_SESSION_NAME", name)
        paths.add(workspace.save("work", n + 1, per_notebook=True))
    assert len(paths) == 3 and all(p.parent == private_workspace for p in paths)
    monkeypatch.setenv("JPY_SESSION_NAME", "08_你的版本.ipynb")
    assert workspace.load("work", per_notebook=True).value == 2


def test_a_view_without_a_file_name_keeps_the_owner(private_workspace, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "08_capstone.ipynb")
    workspace.save("work", 1, per_notebook=True)
    monkeypatch.delenv("JPY_SESSION_NAME")                      # Voilà: the same file, no name
    assert workspace.load("work", per_notebook=True).value == 1
    workspace.save("work", 2, per_notebook=True)
    monkeypatch.setenv("JPY_SESSION_NAME", "08_capstone-Copy1.ipynb")
    workspace.save("work", 3, per_notebook=True)
    monkeypatch.setenv("JPY_SESSION_NAME", "08_capstone.ipynb")
    assert workspace.load("work", per_notebook=True).value == 2


def test_saves_shared_by_the_whole_workspace_are_not_split(private_workspace, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "01_concept.ipynb")
    workspace.save("participant", {"id": "p-1"})
    monkeypatch.setenv("JPY_SESSION_NAME", "02_zhejiang_numbers.ipynb")
    assert workspace.save("participant", {"id": "p-2"}).name == "participant.json"
