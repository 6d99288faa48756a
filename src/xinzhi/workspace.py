"""A participant's own work, kept in local files that survive a restart, a crash or a closed laptop.

Each piece of work is one JSON file in the workspace folder (``notebooks/my_work/`` unless the
environment variable ``XINZHI_WORKSPACE`` names another).

* Writes are atomic: the new content goes to a hidden temporary file that replaces the old one in a
  single step, so a kernel killed mid-save leaves the previous version intact. Temporary files left by
  such a crash are removed at the next save or load.
* A file that cannot be read is never overwritten: it is renamed to ``NAME.damaged-TIMESTAMP.json`` and
  reported. If even that is impossible (a read-only disk), nothing is written over it.
* Whatever goes wrong with the folder or the disk, :func:`save` raises :class:`WorkspaceError` and
  :func:`load` returns a note — both in Chinese — and earlier work stays as it was.
* ``per_notebook=True``: two copies of one notebook keep separate saves. The first notebook file to save
  under a name owns ``NAME.json``; a copy (``08_capstone-Copy1.ipynb``) starts from what the original saved
  and then saves to ``NAME--08_capstone-Copy1.json``, saying so.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

from .errors import CourseError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: A temporary file older than this and held by no writer is left over from a crash.
STALE_AFTER = 2.0

__all__ = ["LoadResult", "WorkspaceError", "load", "notebook_name", "path_for", "reason", "save", "workspace_dir",
           "write_bytes_atomic"]


class WorkspaceError(CourseError, OSError):
    """The workspace folder or a file in it cannot be used. The message is Chinese; nothing was lost."""


_REASONS = {getattr(errno, code, None): text for code, text in {
    "EACCES": "没有访问权限", "EPERM": "没有访问权限", "EROFS": "磁盘是只读的", "ENOSPC": "磁盘已满",
    "EDQUOT": "超出了磁盘配额", "ENOENT": "路径不存在", "EEXIST": "同名的文件挡住了文件夹",
    "ENOTDIR": "路径中有一段是文件而不是文件夹", "ENAMETOOLONG": "路径太长",
}.items()}


def reason(err: OSError) -> str:
    """Why a file could not be used, in Chinese ("磁盘已满"), for messages to the participant."""
    return _REASONS.get(err.errno, err.strerror or type(err).__name__)


def workspace_dir() -> Path:
    """The workspace folder, created if needed; :class:`WorkspaceError` if it cannot be."""
    configured = os.environ.get("XINZHI_WORKSPACE")
    folder = Path(configured).expanduser() if configured else PROJECT_ROOT / "notebooks" / "my_work"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WorkspaceError(f"作品文件夹 {folder} 无法创建（{reason(err)}）。请检查磁盘空间和文件夹权限，"
                             "或请老师用环境变量 XINZHI_WORKSPACE 指定另一个文件夹；之前保存的内容没有改动。") from err
    return folder


def _checked_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,80}", name or ""):
        raise ValueError(f"workspace names are short ASCII words, not {name!r}")
    return name


def path_for(filename: str) -> Path:
    """Where to put a file of the participant's (a PNG, an HTML page) inside the workspace."""
    return workspace_dir() / Path(filename).name


def notebook_name() -> str:
    """The file name of the running notebook ("08_capstone.ipynb"), or "" where it is not known.

    JupyterLab and Jupyter Notebook tell the kernel (``JPY_SESSION_NAME``), as does VS Code; Voilà and a
    plain Python session do not.
    """
    candidates = [os.environ.get("JPY_SESSION_NAME", "")]
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            candidates.append(str(shell.user_ns.get("__vsc_ipynb_file__", "")))
    except ImportError:  # pragma: no cover - IPython always comes with the course
        pass
    for candidate in candidates:
        name = candidate.replace("\\", "/").rsplit("/", 1)[-1]
        if name.endswith(".ipynb"):
            return name
    return ""


def _copy_key(name: str, notebook: str) -> str:
    """``NAME--STEM``: a copy's own save, a safe file name even for a notebook named in Chinese."""
    stem = notebook.removesuffix(".ipynb")
    safe = re.sub(r"[^A-Za-z0-9_\-]", "_", stem)[:40]
    if safe != stem:
        safe += "-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:6]
    return f"{name}--{safe}"


# --- writing --------------------------------------------------------------------------------------

def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` in one step; on any failure the old file stays as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _held_temporary(target)
    closed = False
    try:
        os.chmod(temporary, 0o644)  # an ordinary file of the participant's, not mkstemp's private 0600
        with os.fdopen(handle, "wb", closefd=False) as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if os.name == "nt":  # Windows renames only closed files; elsewhere the lock is held until renamed
            os.close(handle)
            closed = True
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        if not closed:
            os.close(handle)


def _held_temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, locked (POSIX) so that no cleaning removes it while in use."""
    while True:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        if fcntl is None:
            return handle, temporary
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if os.stat(temporary).st_ino == os.fstat(handle).st_ino:
                return handle, temporary
        except FileNotFoundError:  # cleaned away in the instant before it was locked: take another
            pass
        os.close(handle)


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files that a killed kernel left behind: old enough and held by no writer."""
    now = time.time()
    for path in folder.glob(".*.tmp"):
        try:
            if now - path.stat().st_mtime < STALE_AFTER:
                continue
            if fcntl is None:  # Windows refuses to delete a file that a writer still has open
                path.unlink()
                continue
            with open(path, "rb") as stream:
                fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(stream.fileno()).st_ino == path.stat().st_ino:
                    path.unlink()
        except OSError:  # being written (locked or open), or already gone: leave it
            continue


def save(name: str, value, *, per_notebook: bool = False) -> Path:
    """Save ``value`` (anything JSON can hold) under ``name``. Returns the file's path.

    Raises :class:`~xinzhi.errors.CourseError` (Chinese) when it cannot; the previous save is then untouched.
    """
    _checked_name(name)
    notebook = notebook_name() if per_notebook else ""
    folder = workspace_dir()
    _remove_stale_temporaries(folder)
    plain = folder / f"{name}.json"
    target, previous = plain, None
    if notebook:
        own = folder / f"{_copy_key(name, notebook)}.json"
        if own.exists():
            target = own
        else:
            previous = _read_payload(plain, name)
            if previous.get("notebook", notebook) != notebook:   # the original's: a copy saves apart
                target = own
    if previous is None or target != plain:
        previous = _read_payload(target, name)
    owner = notebook or previous.get("notebook", "")    # a view without a file name (Voilà) keeps the owner
    payload = {"saved_at": time.strftime("%Y-%m-%d %H:%M:%S"), **({"notebook": owner} if owner else {}),
               "value": value}
    try:
        data = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise CourseError(f"这份内容无法保存（{err}）。") from err
    try:
        write_bytes_atomic(target, data)
    except OSError as err:
        raise WorkspaceError(f"保存失败：{target} 无法写入（{reason(err)}）。请检查磁盘空间或文件夹权限；"
                             "之前保存的内容没有改动。") from err
    return target


def _read_payload(target: Path, name: str) -> dict:
    """What ``target`` holds now ({} if nothing). A damaged file is set aside first, so that it is never
    overwritten; if it can be neither read nor set aside, :class:`WorkspaceError`."""
    result = _read(target, name, {})
    if result.note and target.exists():
        raise WorkspaceError(f"“{name}”的保存文件 {target.name} 无法读取或已损坏，也无法改名保留。为了不覆盖它，"
                             "这次没有保存。请检查文件夹权限，或把这个文件复制到别处后删除。")
    return result.payload


# --- reading --------------------------------------------------------------------------------------

class LoadResult:
    """What :func:`load` found: the value (or the default) and, if something was wrong, a Chinese note.

    ``path`` is the file that was read (None if there was none), ``backup`` where a damaged file was kept.
    ``copied_from`` (with ``per_notebook=True``): the other notebook whose save this copy starts from; its
    own changes will go to a file of its own.
    """

    def __init__(self, value, note: str = "", backup: Path | None = None, saved_at: str = "",
                 path: Path | None = None):
        self.value, self.note, self.backup, self.saved_at, self.path = value, note, backup, saved_at, path
        self.copied_from = ""
        self.payload: dict = {}

    def __repr__(self) -> str:
        return f"LoadResult(value={self.value!r}, note={self.note!r})"


def load(name: str, default=None, *, per_notebook: bool = False) -> LoadResult:
    """Read what was saved under ``name``. Never raises for a damaged file or a faulty disk: the default
    comes back with a Chinese ``note``, and a damaged file is set aside (kept, never deleted)."""
    _checked_name(name)
    try:
        folder = workspace_dir()
    except WorkspaceError as err:
        return LoadResult(default, note=f"{err}现在从空白开始。")
    _remove_stale_temporaries(folder)
    target = folder / f"{name}.json"
    notebook = notebook_name() if per_notebook else ""
    own = folder / f"{_copy_key(name, notebook)}.json" if notebook else None
    if own is not None and own.exists():
        return _read(own, name, default)
    result = _read(target, name, default)
    owner = result.payload.get("notebook", "")
    if own is not None and isinstance(owner, str) and owner not in ("", notebook):
        result.copied_from = owner
    return result


def _read(target: Path, name: str, default) -> LoadResult:
    if not target.exists():
        return LoadResult(default)
    try:
        raw = target.read_bytes()
    except OSError as err:
        return LoadResult(default, note=f"之前保存的“{name}”文件 {target.name} 无法读取（{reason(err)}），"
                                        "原文件没有改动；现在从空白开始。", path=target)
    try:
        payload = json.loads(raw.decode("utf-8"))
        result = LoadResult(payload["value"], saved_at=str(payload.get("saved_at", "")), path=target)
        result.payload = payload
        return result
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        problem = type(err).__name__
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.stem}.damaged-{stamp}.json")
    counter = 1
    while backup.exists():
        backup = target.with_name(f"{target.stem}.damaged-{stamp}-{counter}.json")
        counter += 1
    try:
        os.replace(target, backup)
    except OSError as err:
        return LoadResult(default, path=target, note=(
            f"之前保存的“{name}”文件 {target.name} 已损坏，无法读取（{problem}），也无法改名保留（{reason(err)}）。"
            "原文件没有改动；现在从空白开始，但这里的改动暂时无法保存。"))
    note = (f"之前保存的“{name}”文件已损坏，无法读取（{problem}）。原文件已改名保留为 "
            f"{backup.name}，没有删除；现在从空白开始。")
    return LoadResult(default, note=note, backup=backup, path=target)
