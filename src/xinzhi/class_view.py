"""课堂看板 (class view): on the classroom hub, a participant may send their own results to the teacher's board.

On the hub (``deploy/``), JupyterHub runs a class-results service and gives each participant's server its
address (``XINZHI_CLASS_RESULTS_URL``) and a token that may send that participant's own results and nothing
else (``JUPYTERHUB_API_TOKEN``). On a laptop neither exists: :func:`available` is false, no button shows and
nothing is ever sent.

Sending is off until the participant clicks 加入课堂看板 (:func:`controls`, shown with the self-check and the
capstone). From then on, every record :mod:`xinzhi.records` saves (self-check answers, shown answers,
predict-then-reveal guesses) and the capstone formula go to the service in the background — the records
saved before joining too, so joining late misses nothing. The service stores them under a random per-class
pseudonym. 退出并撤回 deletes them from the service. Whether the participant joined, and which records
were sent, is kept in the workspace (``class_view.json``); a record is sent once, and one that could not be
sent (the service restarting) goes with the next. Answering never waits for the network.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from . import records, workspace
from .errors import CourseError

URL_ENV = "XINZHI_CLASS_RESULTS_URL"
STATE = "class_view"
TIMEOUT = 5.0
FORMULA_QUIET = 1.0      # seconds without typing before the capstone formula is sent
RETRY = (1, 2, 5, 10)    # seconds between tries while the service cannot be reached
TEXT_LIMIT = 500         # characters of one formula box sent (the board shows far fewer)
FORMULA_TEXTS = ("region", "carrier_text", "tech_text", "sign_text")
FORMULA_NUMBERS = ("carrier_pct", "tech_pct", "fusion_pct", "years")
WHAT = "你的自测作答、预测和结课算式（包括加入之前的）以匿名代号发给老师的课堂看板；只有老师能看到全班汇总，看不到你的名字。"


class NotSent(CourseError):
    """The service refused or could not be reached; the message is Chinese."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


def available() -> bool:
    """True on the classroom hub with the class view set up; False on a laptop."""
    return all(os.environ.get(k) for k in (URL_ENV, "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"))


def _user() -> str:
    return os.environ.get("JUPYTERHUB_USER", "")


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the service is on the hub: no proxy


def _call(method: str, path: str, body=None) -> dict:
    url = os.environ[URL_ENV].rstrip("/") + "/" + path
    request = urllib.request.Request(
        url, method=method, data=None if body is None else json.dumps(body, ensure_ascii=False).encode(),
        headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}", "Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=TIMEOUT) as reply:
            return json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as err:
        try:
            message = json.loads(err.read()).get("error") or ""
        except (ValueError, OSError, AttributeError):
            message = ""
        raise NotSent(message or f"课堂看板拒绝了请求（{err.code}）。", err.code) from None
    except (urllib.error.URLError, OSError, ValueError):
        raise NotSent("课堂看板暂时连不上（服务器可能在重启）；你的作答照常保存在自己的文件夹里，稍后会自动补发。") from None


def _member_path(class_id: str) -> str:
    return f"api/classes/{class_id}/members/{urllib.parse.quote(_user(), safe='')}"


def _digest(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]


def _number(value):
    from .inputs import parse_number

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return parse_number(str(value), name="数字", percent=True)
    except (CourseError, ValueError, TypeError):
        return None


def formula_of(values: dict) -> dict | None:
    """What the board gets of a capstone: the region, 被乘数, 乘数, 乘号 as typed (trimmed) and the percentages."""
    sent = {k: " ".join(str(values.get(k) or "").split())[:TEXT_LIMIT] for k in FORMULA_TEXTS}
    if not any(sent[k] for k in FORMULA_TEXTS[1:]):
        return None
    sent.update({k: _number(values.get(k)) for k in FORMULA_NUMBERS})
    return sent


class Sender:
    """The kernel's one link to the service: joining, leaving, and a background thread that sends."""

    def __init__(self):
        self.lock = threading.RLock()
        self.wake = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.thread: threading.Thread | None = None
        self.notebooks: dict[str, int] = {}     # notebook → records offered since its last send
        self.formula: dict | None = None
        self.formula_at = 0.0
        self.problem = ""
        self.listeners: list = []

    # --- state in the workspace ------------------------------------------------------------------------------
    def state(self) -> dict:
        try:
            value = workspace.load(STATE, default={}).value
        except CourseError:
            return {}
        return value if isinstance(value, dict) and value.get("user") == _user() else {}

    def _save(self, state: dict) -> None:
        workspace.save(STATE, state)

    def joined(self) -> dict | None:
        state = self.state()
        return state if state.get("class") else None

    # --- what the participant does ---------------------------------------------------------------------------
    def join(self) -> dict:
        """Join the open class; every record saved so far is sent in the background. Raises NotSent."""
        current = _call("GET", "api/current")
        if not current.get("class"):
            raise NotSent("老师还没有在课堂看板上开班；开班后再点一次。")
        class_id = current["class"]["id"]
        reply = _call("POST", _member_path(class_id))
        with self.lock:
            previous = self.state()
            sent = previous.get("sent", []) if previous.get("class") == class_id else []
            state = {"user": _user(), "class": class_id, "name": current["class"]["name"],
                     "pseudonym": reply["pseudonym"], "sent": sent}
            self._save(state)
            self.problem = ""
            for notebook in _notebooks_with_records():
                self.notebooks[notebook] = self.notebooks.get(notebook, 0) + 1
            saved = _saved_formula()
            if saved:
                self.formula, self.formula_at = saved, 0.0
        self._kick()
        self._tell()
        return state

    def leave(self) -> int:
        """Leave the class: the service deletes this participant's results there. Raises NotSent."""
        state = self.joined()
        deleted = 0
        if state:
            deleted = _call("DELETE", _member_path(state["class"])).get("deleted", 0)
        with self.lock:
            self._save({"user": _user(), "class": None, "sent": []})
            self.notebooks.clear()
            self.formula = None
            self.problem = ""
        self._tell()
        return deleted

    # --- what the course's parts do --------------------------------------------------------------------------
    def offer(self, record: dict) -> None:
        """A record was saved: send it if the participant joined (never raises, never waits)."""
        if not available() or not self.joined():
            return
        with self.lock:
            notebook = str(record.get("notebook", ""))
            self.notebooks[notebook] = self.notebooks.get(notebook, 0) + 1
        self._kick()

    def offer_formula(self, values: dict) -> None:
        if not available() or not self.joined():
            return
        formula = formula_of(values)
        if formula is None:
            return
        with self.lock:
            self.formula, self.formula_at = formula, time.monotonic()
        self._kick()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything offered so far was sent (or could not be); True if nothing is left."""
        self._kick()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle.wait(0.05) and not self._pending():
                return True
        return not self._pending()

    # --- the background thread -------------------------------------------------------------------------------
    def _pending(self) -> bool:
        with self.lock:
            return bool(self.notebooks or self.formula)

    def _kick(self) -> None:
        with self.lock:
            self.idle.clear()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="xinzhi-class-view", daemon=True)
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        failures = 0
        while True:
            delay = self._send_once()
            if delay is None:
                failures = 0
                if not self._pending():
                    self.idle.set()
                    self.wake.wait()
                    self.wake.clear()
                continue
            if delay < 0:  # could not reach the service: try again later
                self.idle.set()
                delay = RETRY[min(failures, len(RETRY) - 1)]
                failures += 1
            self.wake.wait(delay)
            self.wake.clear()

    def _send_once(self) -> float | None:
        """One request with what is pending. None: done; a positive number: wait that long; -1: failed."""
        with self.lock:
            state = self.joined()
            if not state:
                self.notebooks.clear()
                self.formula = None
                return None
            wait = self.formula_at + FORMULA_QUIET - time.monotonic() if self.formula else 0.0
            notebooks, formula = dict(self.notebooks), self.formula if wait <= 0 else None
            sent = set(state.get("sent", []))
        batch, digests = [], []
        for notebook in sorted(notebooks):
            try:
                saved, _note = records.read(notebook)
            except CourseError:
                continue
            for record in saved:
                digest = _digest(record)
                if digest not in sent:
                    batch.append({k: v for k, v in record.items() if k != "participant"})
                    digests.append(digest)
        if not batch and formula is None:
            with self.lock:
                self._done(notebooks)
            return wait if wait > 0 else None
        body = {"records": batch[:400]}
        if formula is not None:
            body["formula"] = formula
        try:
            _call("POST", _member_path(state["class"]) + "/results", body)
        except NotSent as err:
            with self.lock:
                self.problem = str(err)
                if err.status in (403, 404):  # the class was archived or deleted, or this member removed
                    self._save({"user": _user(), "class": None, "sent": [], "ended": state.get("name", "")})
                    self.notebooks.clear()
                    self.formula = None
                elif err.status in (400, 413):  # refused for what was sent: sending it again would not help
                    self.notebooks.clear()
                    self.formula = None
            self._tell()
            return None if err.status in (400, 403, 404, 413) else -1
        with self.lock:
            current = self.state()
            if current.get("class") == state["class"]:
                current["sent"] = sorted(set(current.get("sent", [])) | set(digests[:400]))
                self._save(current)
            if len(batch) <= 400:
                self._done(notebooks)
            if formula is not None and self.formula is formula:
                self.formula = None
            self.problem = ""
        self._tell()
        return wait if wait > 0 else None

    def _done(self, snapshot: dict[str, int]) -> None:
        """Forget the notebooks sent, unless a record was offered for one of them meanwhile (it goes next)."""
        for notebook, offered in snapshot.items():
            if self.notebooks.get(notebook) == offered:
                del self.notebooks[notebook]

    def _tell(self) -> None:
        for listener in list(self.listeners):
            try:
                listener()
            except Exception:  # noqa: BLE001 - a closed widget must not stop the sending
                pass


def _notebooks_with_records() -> set[str]:
    try:
        folder = workspace.workspace_dir()
    except CourseError:
        return set()
    return {p.stem[len("records_"):] for p in folder.glob("records_[0-9][0-9].json")}


def _saved_formula() -> dict | None:
    from .widgets.capstone import SAVE_NAME

    try:
        return formula_of(workspace.load(SAVE_NAME, default={}).value or {})
    except (CourseError, AttributeError):
        return None


SENDER = Sender()
join, leave, offer, offer_formula, flush = SENDER.join, SENDER.leave, SENDER.offer, SENDER.offer_formula, SENDER.flush


# --- the one-click control ------------------------------------------------------------------------------------------
class Toggle:
    """加入课堂看板 / 退出并撤回, with one line that says what is sent and who sees it."""

    def __init__(self):
        import ipywidgets as w

        self.button = w.Button(layout={"width": "auto"})
        self.button.add_class("xinzhi-class-view")
        self.line = w.HTML()
        self.box = w.HBox([self.button, self.line], layout={"flex_flow": "row wrap", "align_items": "center",
                                                            "margin": "0 0 6px 0"})
        self.box.add_class("xinzhi-class-view-box")
        self.button.on_click(lambda _b: self.click())
        self.note = ""
        SENDER.listeners.append(self.show)
        self.show()

    def click(self) -> None:
        try:
            if SENDER.joined():
                deleted = SENDER.leave()
                self.note = f"已退出，并从课堂看板撤回了你的 {deleted} 条结果。"
            else:
                SENDER.join()
                self.note = ""
        except NotSent as err:
            self.note = str(err)
        self.show()

    def show(self) -> None:
        state = SENDER.joined()
        note = self.note or SENDER.problem
        if state:
            self.button.description, self.button.button_style = "退出并撤回", ""
            text = (f"<b>已加入课堂看板（{html.escape(state.get('name', ''))}，你的匿名代号 {state.get('pseudonym')}）。"
                    f"</b>{html.escape(WHAT)}")
        else:
            self.button.description, self.button.button_style = "加入课堂看板", "info"
            ended = SENDER.state().get("ended")
            lead = f"「{html.escape(ended)}」已结束。" if ended else ""
            text = f"{lead}点一下加入：{html.escape(WHAT)}"
        if note:
            text += f"<br><span style='color:#B24400'>{html.escape(note)}</span>"
        self.line.value = f"<span style='font-size:0.95em'>{text}</span>"


_TOGGLE: Toggle | None = None


def controls() -> list:
    """The class view's button and line on the hub (one shared control per kernel); nothing on a laptop."""
    global _TOGGLE
    if not available():
        return []
    if _TOGGLE is None:
        _TOGGLE = Toggle()
    return [_TOGGLE.box]
