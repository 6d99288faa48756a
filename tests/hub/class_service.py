"""The class-results service in a thread of the test process, for fast tests without a hub.

Everything is the real service (``deploy/class_results``: store, intake, board, handlers) except who is asking:
instead of asking JupyterHub which user and scopes a token stands for, the handlers look the token up in
``tokens`` — the user models a hub would return. The real hub, with its own scopes and roles, is exercised by
tests/hub/test_class_view.py.
"""
from __future__ import annotations

import asyncio
import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))

from class_results import board, web  # noqa: E402
from class_results.store import Store  # noqa: E402
from tornado import web as tornado_web  # noqa: E402
from tornado.httpserver import HTTPServer  # noqa: E402

from xinzhi.quiz.bank import all_banks  # noqa: E402
from xinzhi.widgets import predictions  # noqa: E402

from ..conftest import free_port  # noqa: E402

PREFIX = "/services/class-results/"
POST, READ, MANAGE = web.POST, web.READ, web.MANAGE


def participant(name: str) -> dict:
    """What the hub says about a participant's server token (``custom:class-results:post!user`` expanded)."""
    return {"kind": "user", "name": name, "admin": False, "groups": [],
            "scopes": ["users:activity!user=" + name, f"access:servers!server={name}/", f"{POST}!user={name}"]}


def teacher(name: str = "laoshi") -> dict:
    return {"kind": "user", "name": name, "admin": True, "groups": ["instructors"],
            "scopes": [READ, MANAGE, "access:services!service=class-results"]}


class TokenTable:
    """Stands in for HubAuth: a token's user model comes from a table instead of the hub."""

    login_url = ""      # API and page alike answer 403 without a token: there is no hub to log in at
    base_url = "/"
    access_scopes: set = set()

    def __init__(self):
        self.tokens: dict[str, dict] = {}

    def get_user(self, handler, sync=True):
        header = handler.request.headers.get("Authorization", "")
        return self.tokens.get(header.partition(" ")[2].strip())

    def _persist_url_token_if_set(self, handler):
        pass

    def check_xsrf_cookie(self, handler):
        pass


class ClassService:
    def __init__(self, folder: Path, days: float = 30):
        self.folder, self.days = folder, days
        self.auth = TokenTable()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PREFIX}"
        self.loop: asyncio.AbstractEventLoop | None = None
        self.store: Store | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> "ClassService":
        ready = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.store = Store(self.folder / "results.sqlite")
            banks = {b.notebook: b for b in all_banks()}
            titles = board.notebook_titles(DEPLOY.parent / "notebooks")
            service = web.Service(self.store, banks, predictions(), titles, PREFIX, self.days)
            app = tornado_web.Application(web.handlers(service), cookie_secret=b"x" * 32,
                                          template_path=str(DEPLOY / "class_results"))
            self.server = HTTPServer(app, max_body_size=512 * 1024)
            self.server.listen(self.port, "127.0.0.1")
            ready.set()
            self.loop.run_forever()
            self.server.stop()
            self.store.close()
            self.loop.close()

        web.Handler._hub_auth = self.auth
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(30)
        return self

    def stop(self) -> None:
        if self.loop and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(30)
        web.Handler._hub_auth = None

    def results(self, class_id: str) -> list:
        """The stored results, read through a connection of the calling thread."""
        reader = Store(self.folder / "results.sqlite")
        try:
            return reader.results(class_id)
        finally:
            reader.close()

    def token(self, model: dict) -> str:
        token = f"t-{model['name']}-{len(self.auth.tokens)}"
        self.auth.tokens[token] = model
        return token

    def call(self, token: str | None, method: str, path: str, body=None, raw: bytes | None = None):
        """(status, parsed JSON or text) of one request."""
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, method=method, data=data,
                                         headers={"Authorization": f"token {token}"} if token else {})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as reply:
                status, text = reply.status, reply.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            try:
                status, text = err.code, err.read().decode("utf-8", "replace")
            except ConnectionError:
                return err.code, ""
        except (ConnectionError, urllib.error.URLError) as err:  # tornado drops a body over its limit unread
            return 0, str(err)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text
