"""A participant's own work, kept in local files that survive a restart, a crash or a closed laptop.

Each piece of work is one JSON file in the workspace folder (``notebooks/my_work/`` unless the
environment variable ``XINZHI_WORKSPACE`` names another). Writes are atomic: the new content goes to
a temporary file that replaces the old one in a single step, so a kernel killed mid-save leaves the
previous version intact. A file that cannot be read is never overwritten: it is renamed to
``NAME.damaged-TIMESTAMP.json`` and reported.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from .errors import CourseError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def workspace_dir() -> Path:
    configured = os.environ.get("XINZHI_WORKSPACE")
    folder = Path(configured).expanduser() if configured else PROJECT_ROOT / "notebooks" / "my_work"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _checked_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,80}", name or ""):
        raise ValueError(f"workspace names are short ASCII words, not {name!r}")
    return name


def path_for(filename: str) -> Path:
    """Where to put a file of the participant's (a PNG, an HTML page) inside the workspace."""
    return workspace_dir() / Path(filename).name


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step; on any failure the old file stays as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temporary, 0o644)  # an ordinary file of the participant's, not mkstemp's private 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(name: str, value) -> Path:
    """Save ``value`` (anything JSON can hold) under ``name``. Returns the file's path."""
    target = workspace_dir() / f"{_checked_name(name)}.json"
    payload = {"saved_at": time.strftime("%Y-%m-%d %H:%M:%S"), "value": value}
    try:
        data = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise CourseError(f"这份内容无法保存（{err}）。") from err
    try:
        write_bytes_atomic(target, data)
    except OSError as err:
        raise CourseError(f"保存失败：{target} 无法写入（{err.strerror or err}）。请检查磁盘空间或文件夹权限；"
                          "之前保存的内容没有改动。") from err
    return target


class LoadResult:
    """What :func:`load` found: the value (or the default) and, if something was wrong, a Chinese note."""

    def __init__(self, value, note: str = "", backup: Path | None = None, saved_at: str = ""):
        self.value, self.note, self.backup, self.saved_at = value, note, backup, saved_at

    def __repr__(self) -> str:
        return f"LoadResult(value={self.value!r}, note={self.note!r})"


def load(name: str, default=None) -> LoadResult:
    """Read what was saved under ``name``. A damaged file is set aside (kept) and reported in ``note``."""
    target = workspace_dir() / f"{_checked_name(name)}.json"
    if not target.exists():
        return LoadResult(default)
    try:
        payload = json.loads(target.read_text(encoding="utf-8"))
        return LoadResult(payload["value"], saved_at=payload.get("saved_at", ""))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        backup = target.with_name(f"{target.stem}.damaged-{time.strftime('%Y%m%d-%H%M%S')}.json")
        counter = 1
        while backup.exists():
            backup = target.with_name(f"{target.stem}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{counter}.json")
            counter += 1
        os.replace(target, backup)
        note = (f"之前保存的“{name}”文件已损坏，无法读取（{type(err).__name__}）。原文件已改名保留为 "
                f"{backup.name}，没有删除；现在从空白开始。")
        return LoadResult(default, note=note, backup=backup)
