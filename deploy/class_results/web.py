"""The class-results service's web side: the projector page for teachers, a small API for participants' kernels.

Who may do what is JupyterHub's business (``deploy/jupyterhub_config.py`` defines the scopes and roles); every
request is identified by the hub (a token, or the teacher's browser through the hub's OAuth) and then checked
against one custom scope:

* ``custom:class-results:post!user=NAME`` — the server token of participant NAME: join the open class, send
  NAME's own results, leave (which deletes them). Only for NAME, and only into a class NAME has joined.
* ``custom:class-results:read`` — the teachers: the page, the counts and the CSV export.
* ``custom:class-results:manage`` — the teachers: create, reset, archive and wipe a class.
"""
from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
import urllib.parse
from collections import defaultdict, deque
from datetime import datetime
from pathlib import Path

import xinzhi
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated, check_scopes
from tornado import web
from tornado.log import app_log as log

from . import board, intake
from .store import Refused, Store

POST, READ, MANAGE = "custom:class-results:post", "custom:class-results:read", "custom:class-results:manage"
CLASS_ID = r"([0-9a-f]{8})"
USER = r"([^/]{1,64})"
NAME_LIMIT = 60
REQUESTS_PER_MINUTE = 120       # per participant: a kernel sends at most about one request a second
HERE = Path(__file__).resolve().parent
FONTS = Path(xinzhi.__file__).resolve().parent / "fonts"
FONT = "NotoSansSC-Regular-subset.ttf"   # the course's own font (src/xinzhi/fonts/), for a computer without one


class Service:
    """What every handler shares: the store, the question banks and prediction widgets, the notebook titles, a
    small board cache."""

    def __init__(self, store: Store, banks: dict, predictions: set, titles: dict, prefix: str, retention_days: float):
        self.store, self.banks, self.predictions, self.titles, self.prefix = store, banks, predictions, titles, prefix
        self.retention_days = retention_days
        self.recent: dict[str, deque] = defaultdict(deque)
        self.boards: dict[tuple, dict] = {}

    def board(self, class_id: str, notebook: str | None) -> dict:
        row = self.store.get(class_id)
        if row is None:
            raise Refused(404, "没有这个班级（可能已被删除）。")
        key = (class_id, notebook, row["version"])
        if key not in self.boards:
            if len(self.boards) > 64:
                self.boards.clear()
            data = board.summary(row, self.store.results(class_id), self.banks, self.titles, notebook)
            self.boards[key] = {"version": row["version"], "summary": data, "html": board.render(data)}
        return self.boards[key]

    def throttled(self, user: str) -> bool:
        now, times = time.monotonic(), self.recent[user]
        while times and times[0] < now - 60:
            times.popleft()
        times.append(now)
        return len(times) > REQUESTS_PER_MINUTE


def policy(nonce: str = "") -> str:
    """The pages' Content-Security-Policy: scripts only the page's own (by its per-request nonce), nothing from
    elsewhere, no framing by other sites. Whatever a participant sends that slipped through escaping cannot run."""
    scripts = f"'nonce-{nonce}'" if nonce else "'none'"
    return (f"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src {scripts}; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


class Handler(HubOAuthenticated, web.RequestHandler):
    """Identify the caller with the hub; each action then checks its own scope."""

    api = True

    def initialize(self, service: Service):
        self.service = service

    def check_hub_user(self, model):
        return model  # identified by the hub; authorisation is per action, by scope (see the module docstring)

    def get_login_url(self):
        if self.api:
            raise web.HTTPError(403, "需要 JupyterHub 的令牌。")
        return super().get_login_url()

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Content-Security-Policy", policy())

    def caller(self) -> dict:
        model = self.current_user
        if not model:
            raise web.HTTPError(403, "需要 JupyterHub 的令牌。")
        return model

    def require(self, scope: str) -> dict:
        model = self.caller()
        if not check_scopes({scope}, set(model.get("scopes", []))):
            log.warning("class-results: %s %s refused %s (missing %s)", model.get("kind"), model.get("name"),
                             self.request.path, scope)
            raise web.HTTPError(403, "课堂看板只对老师开放。" if scope != POST else "没有发送结果的权限。")
        return model

    def as_participant(self, user: str) -> dict:
        """The caller is participant ``user`` and their token may post for ``user`` (and for nobody else)."""
        model = self.caller()
        user = urllib.parse.unquote(user)
        if model.get("kind") != "user" or model.get("name") != user or \
                not check_scopes({f"{POST}!user={user}"}, set(model.get("scopes", []))):
            log.warning("class-results: %s %r refused %s %s", model.get("kind"), model.get("name"),
                             self.request.method, self.request.path)
            raise web.HTTPError(403, "只能发送和撤回你自己的结果。")
        if self.service.throttled(user):
            raise web.HTTPError(429, "发送得太频繁了，请稍后再试。")
        return model

    def body(self) -> dict:
        try:
            value = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPError(400, "请求不是 JSON。") from None
        if not isinstance(value, dict):
            raise web.HTTPError(400, "请求要是一个 JSON 对象。")
        return value

    def reply(self, value, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(value, ensure_ascii=False))

    def write_error(self, status_code, **kwargs):
        """The reason in Chinese for a refusal; for anything unforeseen only that it failed (the details, such as
        a path on the server or a database error, go to the service's log, never to the caller)."""
        error = kwargs.get("exc_info", (None, None))[1]
        if isinstance(error, Refused):
            message = str(error)
        elif isinstance(error, web.HTTPError) and error.log_message and status_code < 500:
            message = error.log_message
        else:
            message = "课堂看板出了错，请稍后再试；仍然不行请告诉管理员。" if status_code >= 500 else self._reason
        if self.api:
            self.reply({"error": message}, status_code)
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(f"<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'><title>课堂看板</title>"
                        f"<body style='font:24px sans-serif;margin:2em'><p>{board._e(message)}</p></body></html>")

    def _handle_request_exception(self, e):
        if isinstance(e, Refused):
            self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)


# --- teachers ---------------------------------------------------------------------------------------------------
class PageHandler(Handler):
    api = False

    @web.authenticated
    def get(self):
        model = self.require(READ)
        classes = self.service.store.classes()
        chosen = self.get_argument("class", "") or (classes[0]["id"] if classes else "")
        current = next((c for c in classes if c["id"] == chosen), None)
        notebook = self.get_argument("notebook", "") or None
        data = self.service.board(current["id"], notebook) if current else None
        nonce = secrets.token_urlsafe(16)
        self.set_header("Content-Security-Policy", policy(nonce))
        self.render("page.html", nonce=nonce, classes=classes, current=current, data=data, prefix=self.service.prefix,
                    may_manage=bool(check_scopes({MANAGE}, set(model.get("scopes", [])))),
                    retention_days=self.service.retention_days, xsrf=self.xsrf_token.decode()
                    if isinstance(self.xsrf_token, bytes) else self.xsrf_token, when=_when)


class ClassesHandler(Handler):
    @web.authenticated
    def get(self):
        self.require(READ)
        self.reply({"classes": self.service.store.classes()})

    @web.authenticated
    def post(self):
        model = self.require(MANAGE)
        name = " ".join(str(self.body().get("name", "")).split())
        if not name or len(name) > NAME_LIMIT:
            raise web.HTTPError(400, f"班级名称要写，最多 {NAME_LIMIT} 个字。")
        created = self.service.store.create(name)
        log.info("class-results: %s created class %s", model["name"], created["id"])
        self.reply(created, 201)


class BoardHandler(Handler):
    @web.authenticated
    def get(self, class_id):
        self.require(READ)
        self.reply(self.service.board(class_id, self.get_argument("notebook", "") or None))


class ActionHandler(Handler):
    """reset (results only), archive (no more results), wipe (everything): the teacher's three buttons."""

    @web.authenticated
    def post(self, class_id, action):
        model = self.require(MANAGE)
        if action in ("reset", "wipe") and self.body().get("confirm") != class_id:
            raise web.HTTPError(400, "请先确认：清空或删除之后无法恢复。")
        store = self.service.store
        done = {"reset": store.reset, "archive": store.archive, "wipe": store.wipe}[action](class_id)
        log.info("class-results: %s did %s on class %s", model["name"], action, class_id)
        self.reply({"done": action, "deleted": done if action == "reset" else None})


class ExportHandler(Handler):
    COLUMNS = ["班级", "匿名代号", "类型", "笔记本", "题目或组件", "选项编号", "选项或数值", "按题库是否正确", "第几次",
               "猜测", "结果", "单位", "地区或行业", "被乘数", "乘数", "乘号", "学员端时间", "收到时间"]

    @web.authenticated
    def get(self, class_id):
        self.require(READ)
        row = self.service.store.get(class_id)
        if row is None:
            raise Refused(404, "没有这个班级。")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.COLUMNS)
        for r in self.service.store.results(class_id):
            writer.writerow([_cell(v) for v in self.row(row["name"], r)])
        name = f"课堂看板_{row['name']}_{datetime.now():%Y%m%d-%H%M}.csv"
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f"attachment; filename=\"class-results-{class_id}.csv\"; "
                                               f"filename*=UTF-8''{urllib.parse.quote(name)}")
        self.finish("\ufeff" + out.getvalue())  # the BOM makes Excel read UTF-8

    def row(self, class_name: str, r) -> list:
        b = r.body
        received = datetime.fromtimestamp(r.received).isoformat(timespec="seconds")
        common = [class_name, r.pseudonym, {"answer": "作答", "reveal": "看答案", "prediction": "预测",
                                            "formula": "结课算式"}[r.kind], r.notebook]
        if r.kind == "formula":
            return common + ["", "", "", "", "", "", "", "", b["region"], b["carrier_text"], b["tech_text"],
                             b["sign_text"], "", received]
        question = self.service.banks.get(r.notebook) and self.service.banks[r.notebook].question(b.get("question", ""))
        shown, right = "", ""
        if r.kind == "answer" and question is not None:
            if question.is_choice:
                option = question.option(b["option"])
                shown, right = (option.text, "是" if option.right else "否") if option else ("", "")
            else:
                shown, right = b["value"], "是" if question.is_right(b["value"]) else "否"
        item = b.get("widget") or (question.question if question else b.get("question", ""))
        return common + [item, b.get("option", "") or "", shown, right, b.get("attempt", ""),
                         b.get("guess", ""), b.get("result", ""), b.get("unit", ""), "", "", "", "",
                         b.get("at", ""), received]


def _cell(value):
    """A spreadsheet must not run a participant's text as a formula."""
    text = "" if value is None else value
    if isinstance(text, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


# --- participants' kernels --------------------------------------------------------------------------------------
class CurrentHandler(Handler):
    """The open class, and whether the calling participant has joined it."""

    @web.authenticated
    def get(self):
        model = self.as_participant(self.caller().get("name", ""))
        current = self.service.store.current()
        if current is None:
            self.reply({"class": None, "pseudonym": None})
            return
        self.reply({"class": {"id": current["id"], "name": current["name"]},
                    "pseudonym": self.service.store.pseudonym(current["id"], model["name"])})


class MemberHandler(Handler):
    @web.authenticated
    def post(self, class_id, user):
        model = self.as_participant(user)
        pseudonym = self.service.store.join(class_id, model["name"])
        self.reply({"class": class_id, "pseudonym": pseudonym})

    @web.authenticated
    def delete(self, class_id, user):
        model = self.as_participant(user)
        deleted = self.service.store.leave(class_id, model["name"])
        self.reply({"class": class_id, "deleted": deleted})


class ResultsHandler(Handler):
    @web.authenticated
    def post(self, class_id, user):
        model = self.as_participant(user)
        self.service.store.member(class_id, model["name"])  # another class, or one not joined: refused unread
        try:
            items, problems = intake.request(self.body(), self.service.banks, self.service.predictions)
        except intake.Unreadable as err:
            raise web.HTTPError(400, str(err)) from None
        added = self.service.store.add(class_id, model["name"], items)
        self.reply({"added": added, "left_out": problems})


def handlers(service: Service) -> list:
    p, settings = service.prefix, {"service": service}
    return [
        (p, PageHandler, settings),
        (p + "oauth_callback", HubOAuthCallbackHandler),
        (p + f"static/({re.escape(FONT)})", web.StaticFileHandler, {"path": str(FONTS)}),
        (p + "api/classes", ClassesHandler, settings),
        (p + f"api/classes/{CLASS_ID}/board", BoardHandler, settings),
        (p + f"api/classes/{CLASS_ID}/export.csv", ExportHandler, settings),
        (p + f"api/classes/{CLASS_ID}/(reset|archive|wipe)", ActionHandler, settings),
        (p + "api/current", CurrentHandler, settings),
        (p + f"api/classes/{CLASS_ID}/members/{USER}", MemberHandler, settings),
        (p + f"api/classes/{CLASS_ID}/members/{USER}/results", ResultsHandler, settings),
    ]

